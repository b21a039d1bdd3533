// Summarises a V8 .cpuprofile (node --cpu-prof) by where the time goes: GC, Prisma, pg, GraphQL
// parse / validate / execute, Yoga, Pothos, our code, sockets… Self time per category, so the
// shares add up to 100 % of the sampled time (idle excluded).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, runMain } from './lib/cli.js';

const HELP = `Usage: npm run bench:profile -- [options] FILE.cpuprofile [FILE2.cpuprofile]

Prints where a CPU profile's time goes, by category (self time, idle excluded), and the top
functions. With two files, prints them side by side (before → after).

Record one with the bench:
  npm run bench -- --servers cadence --modes throughput --quick \\
    --cadence-node-args="--cpu-prof --cpu-prof-dir=bench/.data/profiles"

Options:
  --top N      how many functions to list (default 25)
  --json       print JSON instead of tables
  -h, --help   this help`;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** First match wins: more specific rules first. */
const RULES: Array<[string, (f: CallFrame) => boolean]> = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['program (V8/native, unattributed)', (f) => f.functionName === '(program)'],
  ['Prisma client', (f) => /@prisma\/client|prisma\/generated/.test(f.url)],
  ['Prisma adapter-pg', (f) => /@prisma\/(adapter-pg|driver-adapter-utils)/.test(f.url)],
  ['pg driver', (f) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-)/.test(f.url)],
  ['graphql parse', (f) => /node_modules\/graphql\/language\//.test(f.url)],
  ['graphql validate', (f) => /node_modules\/graphql\/validation\//.test(f.url)],
  ['graphql execute (graphql-js)', (f) => /node_modules\/graphql\/(execution|jsutils|type)\//.test(f.url)],
  ['graphql-jit', (f) => /node_modules\/graphql-jit\//.test(f.url) || /^compiled/.test(f.functionName)],
  ['graphql-tools executor', (f) => /@graphql-tools\/executor/.test(f.url)],
  ['graphql-tools utils', (f) => /@graphql-tools\//.test(f.url)],
  ['graphql (other)', (f) => /node_modules\/graphql\//.test(f.url)],
  ['Pothos', (f) => /@pothos\//.test(f.url)],
  ['Yoga / Envelop', (f) => /graphql-yoga|@envelop|@graphql-yoga|@escape\.tech/.test(f.url)],
  ['whatwg-node (fetch API)', (f) => /@whatwg-node/.test(f.url)],
  ['pino', (f) => /node_modules\/(pino|sonic-boom|fast-redact|thread-stream)/.test(f.url)],
  ['prom-client', (f) => /prom-client/.test(f.url)],
  ['dataloader', (f) => /dataloader/.test(f.url)],
  ['other node_modules', (f) => /node_modules/.test(f.url)],
  ['Cadence src/', (f) => /\/src\//.test(f.url)],
  ['async_hooks / ALS', (f) => /async_hooks|async_local_storage|promise_hooks/.test(f.url)],
  ['node http', (f) => /node:_http|_http_/.test(f.url)],
  [
    'node net / streams',
    (f) =>
      /node:(net|stream|internal\/streams|internal\/stream_base)|internal\/(net|streams|stream_base_commons)/.test(f.url) ||
      ['writev', 'writeUtf8String', 'writeBuffer', 'onStreamRead', 'writeLatin1String'].includes(f.functionName),
  ],
  ['node timers / microtasks', (f) => /timers|task_queues|process\/task_queues/.test(f.url) || f.functionName === 'runMicrotasks'],
  ['JSON', (f) => /^(parse|stringify)$/.test(f.functionName) && f.url === ''],
  ['node (other)', (f) => f.url.startsWith('node:')],
  ['native (other)', () => true],
];

export interface Summary {
  file: string;
  sampledMs: number;
  idleMs: number;
  categories: Record<string, number>;
  top: Array<{ name: string; where: string; ms: number; share: number }>;
}

export function summarise(file: string, topN: number): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the gap before sample i; attribute the next gap to the current sample.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  let idleUs = 0;
  let busyUs = 0;
  const categories: Record<string, number> = {};
  const functions = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const category = RULES.find(([, test]) => test(frame))![0];
    categories[category] = (categories[category] ?? 0) + us;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '(native)';
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    file,
    sampledMs: ms(busyUs),
    idleMs: ms(idleUs),
    categories: Object.fromEntries(
      Object.entries(categories)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, ms(v)]),
    ),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ name: f.name, where: f.where, ms: ms(f.us), share: f.us / busyUs })),
  };
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1).padStart(5)} %`;

function printOne(s: Summary): void {
  console.log(`${s.file}\n  busy ${s.sampledMs.toFixed(0)} ms sampled (idle ${s.idleMs.toFixed(0)} ms)\n`);
  for (const [name, ms] of Object.entries(s.categories)) console.log(`  ${pct(ms, s.sampledMs)}  ${name}`);
  console.log('\n  top functions (self time):');
  for (const f of s.top) console.log(`  ${pct(f.share * s.sampledMs, s.sampledMs)}  ${f.name}  ${f.where}`);
}

function printTwo(a: Summary, b: Summary): void {
  console.log(`before: ${a.file} (busy ${a.sampledMs.toFixed(0)} ms)\nafter:  ${b.file} (busy ${b.sampledMs.toFixed(0)} ms)\n`);
  console.log('  before     after   category');
  const names = [...new Set([...Object.keys(a.categories), ...Object.keys(b.categories)])];
  names.sort((x, y) => (b.categories[y] ?? 0) + (a.categories[y] ?? 0) - (b.categories[x] ?? 0) - (a.categories[x] ?? 0));
  for (const name of names) {
    console.log(`  ${pct(a.categories[name] ?? 0, a.sampledMs)}  ${pct(b.categories[name] ?? 0, b.sampledMs)}  ${name}`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('give one or two .cpuprofile files');
  const top = Number(values.top ?? 25);
  if (!Number.isInteger(top) || top < 1) throw new UsageError('--top must be a positive integer');
  const summaries = positionals.map((f) => {
    try {
      return summarise(f, top);
    } catch (error) {
      throw new UsageError(`cannot read ${f}: ${(error as Error).message}`);
    }
  });
  if (values.json) console.log(JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2));
  else if (summaries.length === 1) printOne(summaries[0]!);
  else printTwo(summaries[0]!, summaries[1]!);
}

runMain(main, HELP);
