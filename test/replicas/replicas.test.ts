// Read replicas against a real streaming replica of the local server (pg_basebackup): queries are
// served by it, writes by the primary, a viewer's read right after their own write by the primary,
// reads keep working while replay is paused (lag), and fall back to the primary when it dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RecentWriters } from '../../src/db/recent-writers.js';
import { createLogger } from '../../src/log.js';
import { createRedis } from '../../src/redis.js';
import { startApp, type TestApp } from '../support/app.js';
import { parseId } from '../../src/schema/ids.js';
import { createPostingAndResume, ok, signUp } from '../support/fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { allowReplication, query, startReplica, type ReplicaServer } from './replica-server.js';

const POSTINGS = `query { jobPostings(first: 50) { edges { node { id title } } } }`;
const CREATE_POSTING = `mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id } }`;
const postingInput = (title: string) => ({ title, company: 'Acme', description: 'Replicated or not.', skills: ['SQL'] });

type Postings = { jobPostings: { edges: { node: { id: string; title: string } }[] } };

let scratch: ScratchDatabase;
let replica: ReplicaServer;
let app: TestApp;
let addedHbaLine = false;

const replicaPool = () => {
  const first = app.database.replicas[0];
  if (!first) throw new Error('no replica configured');
  return first.pool;
};
const counts = () => ({ ...replicaPool().counts });

/**
 * A posting written straight through the primary's Prisma client, not through a mutation, so the
 * reader does not count as a recent writer (whose reads would go to the primary).
 */
async function seedPosting(userGlobalId: string): Promise<void> {
  const userId = parseId(userGlobalId, 'User');
  await app.prisma.jobPosting.create({
    data: { userId, title: 'Seeded', company: 'Acme', description: 'Seeded directly.', skills: ['SQL'] },
  });
  // Committed last, so once the replica shows it, it shows everything written before it. (The
  // replica replays the whole shared server's WAL, other suites' included, so this can take a while.)
  await replicaSees(`SELECT count(*) > 0 AS ok FROM job_postings WHERE user_id = $1::uuid`, [userId]);
}

async function replicaSees(sql: string, values: unknown[] = [], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await query<{ ok: boolean }>(replica.url(scratch.name), sql, values);
    if (row?.ok) return;
    if (Date.now() > deadline) throw new Error(`the replica did not replay in ${timeoutMs} ms: ${sql}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until this app routes the reader's queries to the replica (its Redis subscription is up). */
async function routingToReplica(key: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const before = counts().replica;
    ok(await app.request(POSTINGS, { key }));
    if (counts().replica > before) return;
    if (Date.now() > deadline)
      throw new Error(`queries never reached the replica: ${JSON.stringify({ ...counts(), available: replicaPool().available })}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sessions of this app on the given server (application_name per pool). */
async function connections(url: string, database: string): Promise<Record<string, number>> {
  const rows = await query<{ name: string; n: number }>(
    url,
    `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'cadence%' GROUP BY 1`,
    [database],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

beforeAll(async () => {
  addedHbaLine = await allowReplication();
  // The scratch database exists before the base backup, so the replica starts with its schema.
  scratch = await createScratchDatabase('cadence_replicas');
  replica = await startReplica();
  app = await startApp({
    databaseUrl: scratch.url,
    env: {
      DATABASE_REPLICA_URLS: replica.url(scratch.name),
      REPLICA_STICKY_MS: '60000',
      // Long enough that a dead replica is not retried during the test: each retry is counted.
      REPLICA_RETRY_MS: '60000',
      REDIS_URL: 'redis://127.0.0.1:6379',
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await replica?.remove();
  await scratch?.drop();
}, 60_000);

describe('read replicas', () => {
  it('serves queries from the replica and mutations from the primary', async () => {
    if (addedHbaLine) console.info('test/replicas: added "host replication all 127.0.0.1/32 trust" to the server\'s pg_hba.conf');
    const writer = await signUp(app, 'Writer');
    const reader = await signUp(app, 'Reader');
    await createPostingAndResume(app, writer.key);
    await seedPosting(reader.userId);
    await routingToReplica(reader.key);

    const before = counts();
    const reads = await Promise.all(Array.from({ length: 20 }, () => app.request<Postings>(POSTINGS, { key: reader.key })));
    for (const read of reads) expect(ok(read).jobPostings.edges.length).toBeGreaterThanOrEqual(1);
    const afterReads = counts();
    // Every query ran its statements on the replica; none fell back.
    expect(afterReads.replica - before.replica).toBeGreaterThanOrEqual(20);
    expect(afterReads.fallback).toBe(before.fallback);

    // The replica's server sees this app's replica pool; the primary sees none of it.
    const onReplica = await connections(replica.url('postgres'), scratch.name);
    const onPrimary = await connections(scratch.url, scratch.name);
    expect(onReplica['cadence-replica']).toBeGreaterThanOrEqual(1);
    expect(onReplica.cadence).toBeUndefined();
    expect(onPrimary['cadence-replica']).toBeUndefined();
    expect(onPrimary.cadence).toBeGreaterThanOrEqual(1);

    // Mutations do not touch the replica (it is read-only: a write there would fail).
    const id = ok(
      await app.request<{ createJobPosting: { id: string } }>(CREATE_POSTING, {
        key: writer.key,
        variables: { input: postingInput('Via primary') },
      }),
    ).createJobPosting.id;
    expect(counts().replica).toBe(afterReads.replica);
    expect(id).toBeTruthy();
  });

  it("reads a viewer's own write from the primary while the replica lags; others read the replica", async () => {
    const viewer = await signUp(app, 'Viewer');
    const other = await signUp(app, 'Other');
    await seedPosting(other.userId);
    await replica.pauseReplay();
    try {
      const titles: string[] = [];
      for (let i = 0; i < 5; i++) {
        const title = `Lagging ${i}`;
        ok(await app.request(CREATE_POSTING, { key: viewer.key, variables: { input: postingInput(title) } }));
        titles.push(title);
        // Right after the write, the viewer sees it: the read went to the primary.
        const before = counts();
        const own = ok(await app.request<Postings>(POSTINGS, { key: viewer.key }));
        expect(own.jobPostings.edges.map((e) => e.node.title)).toEqual(expect.arrayContaining(titles));
        expect(counts().replica).toBe(before.replica);
      }
      // The replica really lags: it has none of those rows, so a replica read would have missed them.
      const onReplica = await query<{ n: number }>(
        replica.url(scratch.name),
        `SELECT count(*)::int AS n FROM job_postings WHERE title LIKE 'Lagging %'`,
      );
      expect(onReplica[0]?.n).toBe(0);

      // Someone who did not write still reads, from the replica, with no error.
      const before = counts();
      const reads = await Promise.all(Array.from({ length: 10 }, () => app.request<Postings>(POSTINGS, { key: other.key })));
      for (const read of reads) expect(ok(read).jobPostings.edges.map((e) => e.node.title)).toEqual(['Seeded']);
      expect(counts().replica - before.replica).toBeGreaterThanOrEqual(10);
    } finally {
      await replica.resumeReplay();
    }
    // Once replay resumes the replica has them all.
    await replicaSees(`SELECT count(*) = 5 AS ok FROM job_postings WHERE title LIKE 'Lagging %'`);
  });

  it('shares "wrote recently" through Redis, so another instance reads the writer from the primary', async () => {
    const log = createLogger({ level: 'silent' });
    const url = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL as string;
    const [redisA, redisB] = [createRedis(url, log), createRedis(url, log)];
    try {
      const [instanceA, instanceB] = [new RecentWriters(60_000, redisA), new RecentWriters(60_000, redisB)];
      try {
        await until(() => instanceA.listening && instanceB.listening);
        const userId = `replica-test-${process.pid}-${Date.now()}`;
        expect(instanceB.recent(userId)).toBe(false);
        instanceA.wrote(userId);
        expect(instanceA.recent(userId)).toBe(true);
        // Published through Redis: instance B hears it within moments.
        await until(() => instanceB.recent(userId));
        expect(instanceB.recent(`${userId}-someone-else`)).toBe(false);
      } finally {
        instanceA.close();
        instanceB.close();
      }
    } finally {
      redisA.disconnect();
      redisB.disconnect();
    }
  });

  it('falls back to the primary when the replica dies: no request fails', async () => {
    const reader = await signUp(app, 'Survivor');
    await seedPosting(reader.userId);
    // Warm the replica pool so idle connections exist that the crash will break.
    for (const read of await Promise.all(Array.from({ length: 5 }, () => app.request<Postings>(POSTINGS, { key: reader.key })))) ok(read);
    await replica.kill();

    const before = counts();
    const statuses: number[] = [];
    let errors = 0;
    for (let round = 0; round < 3; round++) {
      const reads = await Promise.all(Array.from({ length: 10 }, () => app.request<Postings>(POSTINGS, { key: reader.key })));
      for (const read of reads) {
        statuses.push(read.status);
        if (read.body.errors) errors += 1;
        else expect(read.body.data?.jobPostings.edges.length).toBeGreaterThanOrEqual(1);
      }
    }
    const after = counts();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(errors).toBe(0);
    expect(after.replica).toBe(before.replica);
    // Statements that met the dead replica ran again on the primary: at most the first round's
    // 10 requests met it (each runs one statement); afterwards it is out of rotation and queries go
    // straight to the primary without trying it.
    expect(after.fallback - before.fallback).toBeGreaterThanOrEqual(1);
    expect(after.fallback - before.fallback).toBeLessThanOrEqual(10);
    expect(after.failures - before.failures).toBeGreaterThanOrEqual(1);
    expect(after.failures - before.failures).toBeLessThanOrEqual(10);
    expect(replicaPool().available).toBe(false);
    // Operators see it: the replica out of rotation, its failures and the statements re-run.
    const metrics = await (await app.yoga.fetch('http://cadence.test/metrics')).text();
    expect(metrics).toContain('cadence_replica_available{replica="0"} 0');
    expect(metrics).toContain(`cadence_replica_failures{replica="0"} ${after.failures}`);
    expect(metrics).toContain(`cadence_replica_statements{replica="0",ran_on="primary"} ${after.fallback}`);
    console.info(
      `test/replicas: replica killed; 30 reads, 0 errors, ${after.fallback - before.fallback} statements re-run on the primary, ${after.failures - before.failures} failed replica attempts`,
    );
  });
});
