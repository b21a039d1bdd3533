// The pooled backends keep their heap between statements (src/db/backend-heap.ts). Measured on
// the backend itself: minor page faults per execution of the compiled SessionsList statement,
// read from /proc/<backend pid>/stat (PostgreSQL runs on this machine in tests and CI). Without
// the raised threshold the same statement page-faults on every call; that control shows the
// measurement can see what the module prevents.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanRegistry } from '../../src/compiled/registry.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { seedScale, type SeededKey } from '../../src/db/seed/scale.js';
import { schema } from '../../src/schema/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

const CALLS = 150;
let scratch: ScratchDatabase;
let tmp: string;
let keys: SeededKey[];
let statement: { sql: string; params: (userId: string) => unknown[] };

beforeAll(async () => {
  scratch = await createScratchDatabase('cadence_heap');
  tmp = await mkdtemp(path.join(tmpdir(), 'cadence-heap-'));
  const keysOut = path.join(tmp, 'keys.json');
  await seedScale({ databaseUrl: scratch.url, users: 20, sessionsPerUser: 10, messagesPerSession: 20, feedbackPerSession: 5, keysOut });
  keys = JSON.parse(readFileSync(keysOut, 'utf8')) as SeededKey[];
  const source = readFileSync(new URL('../../schema/operations/SessionsList.graphql', import.meta.url), 'utf8');
  const plan = new PlanRegistry(schema, [source]).planFor(parse(source));
  if (!plan) throw new Error('SessionsList is not compiled');
  const bound = plan.bind({ first: 20 }, keys[0]!.userId)!;
  statement = { sql: bound.sql, params: (userId) => [userId, ...bound.params.slice(1)] };
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
  await scratch?.drop();
});

function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 10 (minflt), counted after the command name's closing parenthesis from field 3.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

/** Minor page faults of the backend per execution of the statement, after a warm-up. */
async function faultsPerCall(thresholdMb: number): Promise<number> {
  const config = loadConfig({ DATABASE_URL: scratch.url, DB_POOL_SIZE: '1', DB_BACKEND_TRIM_THRESHOLD_MB: String(thresholdMb) });
  const database = await openDatabase(config);
  if (database.kind !== 'postgres') throw new Error('expected PostgreSQL');
  try {
    const client = await database.pool.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;
      const run = (i: number) =>
        client.query({ name: 'heap_probe', text: statement.sql, values: statement.params(keys[i % keys.length]!.userId) });
      for (let i = 0; i < 30; i++) await run(i);
      const before = minorFaults(pid);
      for (let i = 0; i < CALLS; i++) await run(i);
      return (minorFaults(pid) - before) / CALLS;
    } finally {
      client.release();
    }
  } finally {
    await database.close();
  }
}

const host = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://127.0.0.1').hostname;
const local = ['127.0.0.1', 'localhost', '::1', ''].includes(host);

// Only where the backends' /proc entries can be read: the PostgreSQL of tests and CI is local.
describe.runIf(local)('PostgreSQL backends keep their heap between statements', () => {
  it('the compiled SessionsList statement page-faults on every call without the raised threshold (control)', async () => {
    // Each call grows the heap by hundreds of KB that glibc hands back when the statement ends.
    expect(await faultsPerCall(0)).toBeGreaterThan(20);
  });

  it('with the default threshold it does not page-fault at all in steady state', async () => {
    expect(loadConfig({}).DB_BACKEND_TRIM_THRESHOLD_MB).toBe(8);
    expect(await faultsPerCall(8)).toBeLessThan(1);
  });
});
