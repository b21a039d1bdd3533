// CPU per request of Cadence's request pipeline in one process, without HTTP sockets or a load
// generator competing for the machine: requests go through `yoga.fetch` (Fetch API in, Fetch API
// out, so parsing the body and serialising the answer are in), at a fixed concurrency, and the
// process' own CPU time (user + system, GC included) is divided by the requests answered.
// Meant for A/B comparisons of a code change (run it before and after, or alternate with
// --env), which a 2-core machine's throughput numbers are too noisy for.
import { parseArgs } from 'node:util';
import { BenchError, UsageError, log, positiveNumber, runMain } from './lib/cli.js';

// Before anything loads graphql-js, which picks its production code paths at load time.
process.env.NODE_ENV ??= 'production';
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/cadence_bench';

const HELP = `Usage: npm run bench:cpu -- [options]

Server CPU per SessionsList(first: 20) request, in process (yoga.fetch; no sockets, no load
generator on the same core), and the CPU PostgreSQL's backends spent on it (from /proc, when
PostgreSQL runs on this machine). Uses the bench database as seeded by npm run bench (run that
first).

Options:
  --requests N     requests per batch (default 500)
  --batches N      measured batches (default 7; the median is reported)
  --warmup N       requests before measuring (default 2000)
  --concurrency N  requests in flight (default 8)
  --first N        page size (default 20)
  --b "NAME=v ..."  also measure variant B, the same server with these environment variables
                   set; A and B batches alternate, and B/A is reported (paired batches).
                   A DB_* or DATABASE_* variable gives B its own connection pool
  --op NAME        the operation (schema/operations/NAME.graphql; default SessionsList); the
                   session operations ask each key for its user's newest session
  --text           send the query text instead of the persisted document id
  --floor          (with --op Viewer) also measure the floor: bare graphql-yoga, none of
                   Cadence's plugins, the same answer from one prepared pg statement
                   (bench/lib/yoga-floor.ts); its batches alternate with the others
  --alloc-prof     print where the measured batches allocate (V8's sampling heap profiler)
  --cpu-prof       also write a CPU profile of the measured batches to bench/.data/profiles
  -h, --help       this help

Environment: BENCH_DATABASE_URL (default ${DEFAULT_DATABASE_URL}); any Cadence variable.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string' },
      batches: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      first: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'alloc-prof': { type: 'boolean' },
      text: { type: 'boolean' },
      floor: { type: 'boolean' },
      b: { type: 'string' },
      op: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const perBatch = positiveNumber('requests', values.requests, 500, { integer: true });
  const batches = positiveNumber('batches', values.batches, 7, { integer: true });
  const warmup = positiveNumber('warmup', values.warmup, 2000, { integer: true });
  const concurrency = positiveNumber('concurrency', values.concurrency, 8, { integer: true });
  const first = positiveNumber('first', values.first, 20, { integer: true });

  process.env.DATABASE_URL ??= process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  process.env.LOG_LEVEL ??= 'error';
  process.env.DEMO = 'false';
  // Resolution is what this measures; RESPONSE_CACHE_TTL_MS=10000 (e.g. as --b) measures hits.
  process.env.RESPONSE_CACHE_TTL_MS ??= '0';
  process.env.GRAPHIQL = 'false';
  // Thousands of requests with one key: rate limits off (test/plugins/rate-limit.test.ts covers them).
  process.env.RATE_LIMIT_PER_MINUTE ??= '0';
  process.env.RATE_LIMIT_BURST ??= '0';
  const { KEYS_FILE, checkReachable, readKeysFile } = await import('./lib/benchdb.js');
  await checkReachable(process.env.DATABASE_URL);
  const { benchVariables, loadOperations, requestBody } = await import('./lib/operations.js');
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase, useDatabase } = await import('../src/db/client.js');
  const { createLogger } = await import('../src/log.js');
  // Variant A is the environment as it is; variant B (with --b) the same plus the given variables.
  // Their batches alternate, so a machine whose speed drifts (a shared VM) affects both alike.
  const overlays: Array<{ name: string; env: Record<string, string> }> = [{ name: 'A', env: {} }];
  if (values.b) overlays.push({ name: 'B', env: parseOverlay(values.b) });
  const database = await openDatabase(loadConfig());
  useDatabase(database);
  const { createCadence } = await import('../src/http/yoga.js');
  const { PgMonitor } = await import('./lib/pgmonitor.js');
  const monitor = await PgMonitor.open(process.env.DATABASE_URL);
  interface Variant {
    name: string;
    env: Record<string, string>;
    database: typeof database;
    yoga: Pick<ReturnType<typeof createCadence>, 'fetch' | 'dispose'>;
    /** Sends the operation's text, not its document id (the floor knows no persisted ids). */
    text?: boolean;
    perRequestUs: number[];
    pgPerRequestUs: number[];
  }
  const variants: Variant[] = [];
  for (const { name, env } of overlays) {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const config = loadConfig();
      // Database settings (pool, connection hooks) need a pool of their own; resolvers use the
      // process's current database, so each variant's batches switch to its own (useDatabase).
      const own = Object.keys(env).some((k) => k.startsWith('DB_') || k.startsWith('DATABASE_'));
      const db = own ? await openDatabase(config) : database;
      variants.push({
        name,
        env,
        database: db,
        yoga: createCadence({ config, log: createLogger({ level: config.LOG_LEVEL }), database: db }),
        perRequestUs: [],
        pgPerRequestUs: [],
      });
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }

  const keys = (await readKeysFile(KEYS_FILE)).slice(0, 100);
  const opName = values.op ?? 'SessionsList';
  let floorPool: import('pg').Pool | undefined;
  if (values.floor) {
    if (opName !== 'Viewer') throw new UsageError('--floor is built for --op Viewer only');
    const pg = (await import('pg')).default;
    const { createFloorYoga } = await import('./lib/yoga-floor.js');
    floorPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: loadConfig().DB_POOL_SIZE });
    const yoga = createFloorYoga(floorPool, new Map(keys.map((k) => [k.key, k.userId])));
    variants.push({ name: 'floor', env: {}, database, yoga, text: true, perRequestUs: [], pgPerRequestUs: [] });
  }
  const op = (await loadOperations([opName])).get(opName)!;
  const form = op.documentId && !values.text ? 'documentId' : 'query';
  // One body per key: a session operation asks for that key's user's newest session.
  const variables = await Promise.all(keys.map(({ userId }) => benchVariables(database.prisma, opName, userId, first)));
  const bodies = variables.map((v) => requestBody(op, v, form));
  const textBodies = variables.map((v) => requestBody(op, v, 'query'));
  let sent = 0;
  const one = async (v: Variant) => {
    const i = sent++ % keys.length;
    const key = keys[i]!.key;
    const res = await v.yoga.fetch('http://cadence/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: (v.text ? textBodies : bodies)[i]!,
    });
    const text = await res.text();
    if (res.status !== 200 || text.includes('"errors"')) throw new BenchError(`request failed: ${res.status} ${text.slice(0, 300)}`);
  };
  const run = async (v: Variant, n: number) => {
    let left = n;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await one(v);
      }),
    );
  };

  if (floorPool) {
    // The floor must give the same answer, or it measures less work than Cadence does.
    const answer = async (v: Variant, i: number) =>
      (
        await v.yoga.fetch('http://cadence/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[i]!.key}` },
          body: (v.text ? textBodies : bodies)[i]!,
        })
      ).text();
    const { isDeepStrictEqual } = await import('node:util');
    for (let i = 0; i < keys.length; i++) {
      const [a, f] = [await answer(variants[0]!, i), await answer(variants.at(-1)!, i)];
      if (!isDeepStrictEqual(JSON.parse(a), JSON.parse(f))) throw new BenchError(`the floor answers otherwise:\n${a}\n${f}`);
    }
    log(`floor: same answers as Cadence for ${keys.length} keys`);
  }
  log(`warm-up: ${warmup} requests per variant`);
  for (const v of variants) {
    useDatabase(v.database);
    await run(v, warmup);
  }
  let session: import('node:inspector').Session | undefined;
  if (values['cpu-prof']) {
    const inspector = await import('node:inspector');
    session = new inspector.Session();
    session.connect();
    await new Promise<void>((r) => session!.post('Profiler.enable', () => session!.post('Profiler.start', () => r())));
  }
  if (values['alloc-prof']) {
    const inspector = await import('node:inspector');
    session ??= new inspector.Session();
    try {
      session.connect();
    } catch {
      /* already connected */
    }
    // Sampled allocations still alive are what it reports; with GC forced off they are all of them.
    await new Promise<void>((r) =>
      session!.post(
        'HeapProfiler.startSampling',
        { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object,
        () => r(),
      ),
    );
  }
  for (let b = 0; b < batches; b++) {
    for (const v of b % 2 ? [...variants].reverse() : variants) {
      useDatabase(v.database);
      const pg0 = await monitor.snapshot();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await run(v, perBatch);
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - t0;
      // Only one variant runs at a time, so the backends' CPU in this batch is this variant's.
      const pgUs = (PgMonitor.delta(pg0, await monitor.snapshot()) * 1000) / perBatch;
      v.perRequestUs.push((cpu.user + cpu.system) / perBatch);
      v.pgPerRequestUs.push(pgUs);
      log(
        `batch ${b + 1}/${batches} ${v.name}: ${((cpu.user + cpu.system) / perBatch / 1000).toFixed(3)} ms CPU/request` +
          `${monitor.local ? `, PostgreSQL ${(pgUs / 1000).toFixed(3)} ms` : ''}, ${(perBatch / (wall / 1000)).toFixed(0)} req/s`,
      );
    }
  }
  if (values['alloc-prof']) {
    const profile = await new Promise<AllocationNode>((resolve, reject) =>
      session!.post('HeapProfiler.stopSampling', (err, res) =>
        err ? reject(err) : resolve((res as { profile: { head: AllocationNode } }).profile.head),
      ),
    );
    printAllocations(profile, perBatch * batches * variants.length);
  }
  if (session && values['cpu-prof']) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const dir = 'bench/.data/profiles';
    mkdirSync(dir, { recursive: true });
    const file = `${dir}/cpu-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
    await new Promise<void>((r) =>
      session!.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(file, JSON.stringify(res.profile));
        r();
      }),
    );
    log(`profile: ${file}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ms = (us: number) => +(us / 1000).toFixed(3);
  const report: Record<string, unknown> = {};
  const total = (v: Variant) => v.perRequestUs.map((us, i) => us + v.pgPerRequestUs[i]!);
  for (const v of variants) {
    report[v.name] = {
      env: v.env,
      cpuMsPerRequest: ms(median(v.perRequestUs)),
      min: ms(Math.min(...v.perRequestUs)),
      max: ms(Math.max(...v.perRequestUs)),
      // PostgreSQL's backends (0 when PostgreSQL is not on this machine: /proc cannot see it).
      pgCpuMsPerRequest: ms(median(v.pgPerRequestUs)),
      totalCpuMsPerRequest: ms(median(total(v))),
    };
  }
  // Paired: each batch against the A batch next to it.
  const pairedOverA = (v: Variant) => {
    const a = variants[0]!;
    const [ta, tv] = [total(a), total(v)];
    return {
      server: +median(v.perRequestUs.map((us, i) => us / a.perRequestUs[i]!)).toFixed(3),
      total: +median(tv.map((us, i) => us / ta[i]!)).toFixed(3),
    };
  };
  const b = variants.find((v) => v.name === 'B');
  if (b) {
    const { server, total } = pairedOverA(b);
    report.bOverA = server;
    report.totalBOverA = total;
  }
  const floor = variants.find((v) => v.name === 'floor');
  if (floor) {
    const { server, total } = pairedOverA(floor);
    report.floorOverA = server;
    report.totalFloorOverA = total;
  }
  console.log(JSON.stringify(report));
  for (const v of variants) await v.yoga.dispose();
  for (const v of variants) if (v.database !== database) await v.database.close();
  await floorPool?.end();
  await monitor.close();
  await database.close();
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

/** Bytes allocated per request by the functions that allocate most (self), and by package. */
function printAllocations(head: AllocationNode, requests: number): void {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const walk = (n: AllocationNode, parent?: AllocationNode) => {
    const url = n.callFrame.url;
    const nm = url.lastIndexOf('node_modules/');
    const where = nm >= 0 ? url.slice(nm + 13) : url.replace(/^.*\/(src|bench)\//, '$1/');
    const pkg =
      nm >= 0
        ? where
            .split('/')
            .slice(0, where.startsWith('@') ? 2 : 1)
            .join('/')
        : where.split('/')[0] || '(native)';
    let key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    // A builtin (Map, slice, keys…) is named by what called it.
    if (!url && parent)
      key += ` < ${parent.callFrame.functionName || '(anonymous)'} ${parent.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/')}:${parent.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + n.selfSize);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, n);
  };
  walk(head);
  const total = [...byPackage.values()].reduce((a, b) => a + b, 0);
  const kb = (b: number) => `${(b / requests / 1024).toFixed(1).padStart(7)} KB/req`;
  console.log(`allocated ${kb(total)} (sampled)\nby package:`);
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${kb(v)}  ${k}`);
  console.log('by function:');
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${kb(v)}  ${k}`);
}

function parseOverlay(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--b: expected NAME=value pairs, got ${pair}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

runMain(main, HELP);
