// Issue 9's spike: three ways to execute SessionsList (or another persisted query) for the same
// viewer and variables, measured in one process on the bench database, execution only (no HTTP,
// no Yoga): graphql-js + Pothos (the reference), graphql-jit's compiled query over the same
// schema and resolvers, and Cadence's compiled SQL statement. Reports CPU, PostgreSQL CPU,
// allocation and SQL statements per execution, and checks that all three answer the same data.
import { parseArgs } from 'node:util';
import { BenchError, UsageError, log, positiveNumber, runMain } from './lib/cli.js';

process.env.NODE_ENV ??= 'production';

const HELP = `Usage: npx tsx bench/spike-executors.ts [options]

Execution only, in process, on the bench database (seed it with npm run bench first):
  graphql-js  graphql's execute over the Pothos schema (the reference executor)
  jit         graphql-jit's compileQuery over the same schema and resolvers
  compiled    Cadence's compiled statement (src/compiled/), its JSON text parsed once
Per executor: CPU ms, PostgreSQL backend CPU ms, KB allocated (V8's sampling heap profiler,
collected objects included) and SQL statements per execution; the answers are compared with
graphql-js' for every seeded user before anything is measured.

Options:
  --op NAME          operation (default SessionsList; SessionDetail asks for the newest session)
  --requests N       executions per batch (default 500)
  --batches N        batches per executor, alternating (default 5; medians)
  --concurrency N    executions in flight (default 8)
  --executors LIST   any of graphql-js,jit,compiled (default all)
  -h, --help         this help

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/cadence_bench).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      op: { type: 'string' },
      requests: { type: 'string' },
      batches: { type: 'string' },
      concurrency: { type: 'string' },
      executors: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const perBatch = positiveNumber('requests', values.requests, 500, { integer: true });
  const batches = positiveNumber('batches', values.batches, 5, { integer: true });
  const concurrency = positiveNumber('concurrency', values.concurrency, 8, { integer: true });
  const opName = values.op ?? 'SessionsList';
  const chosen = (values.executors ?? 'graphql-js,jit,compiled').split(',');
  for (const e of chosen) if (!['graphql-js', 'jit', 'compiled'].includes(e)) throw new UsageError(`unknown executor ${e}`);

  process.env.DATABASE_URL ??= process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/cadence_bench';
  const { readFileSync } = await import('node:fs');
  const { execute, parse } = await import('graphql');
  const { compileQuery, isCompiledQuery } = await import('graphql-jit');
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase, useDatabase, onSql } = await import('../src/db/client.js');
  const { KEYS_FILE, checkReachable, readKeysFile } = await import('./lib/benchdb.js');
  const { benchVariables } = await import('./lib/operations.js');
  const { PgMonitor } = await import('./lib/pgmonitor.js');
  await checkReachable(process.env.DATABASE_URL);
  const database = await openDatabase(loadConfig());
  useDatabase(database);
  const { schema } = await import('../src/schema/index.js');
  const { createContext } = await import('../src/context.js');
  const { createLogger } = await import('../src/log.js');
  const { PlanRegistry } = await import('../src/compiled/registry.js');
  const { runStatement } = await import('../src/compiled/run.js');

  const source = readFileSync(new URL(`../schema/operations/${opName}.graphql`, import.meta.url), 'utf8');
  const document = parse(source);
  const jit = compileQuery(schema, document, opName);
  if (!isCompiledQuery(jit)) throw new BenchError(`graphql-jit could not compile ${opName}: ${JSON.stringify(jit.errors)}`);
  const plan = new PlanRegistry(schema, [source]).planFor(document);
  if (!plan) throw new BenchError(`${opName} is not compiled by Cadence`);

  const keys = (await readKeysFile(KEYS_FILE)).slice(0, 100);
  const cases = await Promise.all(
    keys.map(async (k) => ({ userId: k.userId, variables: await benchVariables(database.prisma, opName, k.userId, 20) })),
  );
  const quiet = createLogger({ level: 'silent' });
  const context = (userId: string) => createContext({ viewer: { userId, apiKeyId: 'spike' }, requestId: 'spike', log: quiet });

  type Run = (c: (typeof cases)[number]) => Promise<unknown>;
  const executors: Record<string, Run> = {
    'graphql-js': async (c) => {
      const r = await execute({ schema, document, contextValue: context(c.userId), variableValues: c.variables, operationName: opName });
      if (r.errors) throw new BenchError(`graphql-js: ${r.errors[0]!.message}`);
      return r.data;
    },
    jit: async (c) => {
      const r = await jit.query(undefined, context(c.userId), c.variables);
      if (r.errors) throw new BenchError(`jit: ${r.errors[0]!.message}`);
      return r.data;
    },
    compiled: async (c) => {
      const bound = plan.bind(c.variables, c.userId);
      if (!bound) throw new BenchError('compiled: the plan did not bind');
      const row = await runStatement(bound.sql, bound.params);
      return JSON.parse(row!.data) as unknown;
    },
  };

  // Same data from every executor (JSON text after sorting keys), for every case.
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
    );
  const statements: Record<string, number> = {};
  for (const name of chosen) {
    let count = 0;
    const stop = onSql((e) => {
      if (!e.background) count++;
    });
    try {
      for (const c of cases) {
        const [mine, reference] = [canonical(await executors[name]!(c)), canonical(await executors['graphql-js']!(c))];
        if (mine !== reference) throw new BenchError(`${name} answers differently from graphql-js for user ${c.userId}`);
      }
    } finally {
      stop();
    }
    statements[name] = count;
  }
  // Each executor ran once per case above and graphql-js once more per case as the reference.
  const perExecution = Object.fromEntries(
    chosen.map((n) => [n, +((statements[n]! - (n === 'graphql-js' ? 0 : (statements['graphql-js'] ?? 0) / 2)) / cases.length).toFixed(2)]),
  );
  log(`answers equal for ${cases.length} users; SQL statements per execution: ${JSON.stringify(perExecution)}`);

  const monitor = await PgMonitor.open(process.env.DATABASE_URL);
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  interface Sample {
    cpu: number;
    pg: number;
  }
  const results: Record<string, Sample[]> = Object.fromEntries(chosen.map((n) => [n, []]));
  let next = 0;
  const batch = async (run: Run) => {
    let left = perBatch;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await run(cases[next++ % cases.length]!);
      }),
    );
  };
  for (const name of chosen) await batch(executors[name]!); // warm-up
  for (let b = 0; b < batches; b++) {
    for (const name of b % 2 ? [...chosen].reverse() : chosen) {
      const pg0 = await monitor.snapshot();
      const cpu0 = process.cpuUsage();
      await batch(executors[name]!);
      const cpu = process.cpuUsage(cpu0);
      const pg = PgMonitor.delta(pg0, await monitor.snapshot());
      results[name]!.push({ cpu: (cpu.user + cpu.system) / 1000 / perBatch, pg: pg / perBatch });
      log(
        `batch ${b + 1}/${batches} ${name}: ${((cpu.user + cpu.system) / 1000 / perBatch).toFixed(3)} ms CPU, PG ${(pg / perBatch).toFixed(3)} ms`,
      );
    }
  }
  // Allocation in batches of its own: the sampling profiler slows what it watches.
  const allocated: Record<string, number> = {};
  for (const name of chosen) {
    // Collected objects included: what was allocated, not what survived.
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await batch(executors[name]!);
    const { profile } = await post<{ profile: { head: AllocationNode } }>('HeapProfiler.stopSampling');
    allocated[name] = totalSize(profile.head) / perBatch;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const table = chosen.map((name) => ({
    executor: name,
    cpuMs: +median(results[name]!.map((s) => s.cpu)).toFixed(3),
    pgCpuMs: +median(results[name]!.map((s) => s.pg)).toFixed(3),
    allocatedKB: +(allocated[name]! / 1024).toFixed(1),
    sqlPerExecution: perExecution[name],
  }));
  console.table(table);
  console.log(JSON.stringify({ op: opName, perBatch, batches, concurrency, table }));
  session.disconnect();
  await monitor.close();
  await database.close();
}

interface AllocationNode {
  selfSize: number;
  children: AllocationNode[];
}

function totalSize(node: AllocationNode): number {
  let sum = 0;
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    sum += n.selfSize;
    stack.push(...n.children);
  }
  return sum;
}

runMain(main, HELP);
