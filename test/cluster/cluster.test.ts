// WEB_CONCURRENCY=2 as real processes on a scratch PostgreSQL database: both workers answer on the
// one port, the primary's METRICS_PORT aggregates them, a SIGKILLed worker is replaced while requests
// keep succeeding, and SIGTERM to the primary drains every worker and exits 0. A user's write is seen
// by the next reads on both workers (their response caches hear of it through Redis, which more
// than one worker requires).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { runCadence, type LogLine } from '../lifecycle/support/child.js';
import { freePort } from '../support/free-port.js';

/** One request on its own connection (no keep-alive), so the cluster may hand it to any worker. */
function get(port: number, path: string, body?: string): Promise<{ status: number; worker?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers, method: body === undefined ? 'GET' : 'POST' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: res.headers['x-cadence-worker'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A GraphQL request with the key, on its own connection (so either worker may answer). */
async function gql(port: number, key: string | null, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<{ worker: string; cache: string; data: Record<string, unknown> }>((resolve, reject) => {
    const body = JSON.stringify({ query, variables });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    if (key) headers.authorization = `Bearer ${key}`;
    const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const parsed = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown };
        if (!parsed.data || parsed.errors) return reject(new Error(text));
        const timing = String(res.headers['server-timing'] ?? '');
        resolve({
          worker: String(res.headers['x-cadence-worker']),
          cache: /cache;desc=(\w+)/.exec(timing)?.[1] ?? 'none',
          data: parsed.data,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('WEB_CONCURRENCY=2', () => {
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase('cadence_cluster');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('serves from both workers, replaces a killed one, and drains all on SIGTERM', async () => {
    const metricsPort = await freePort();
    const run = runCadence({
      DATABASE_URL: db.url,
      REDIS_URL,
      WEB_CONCURRENCY: '2',
      DB_POOL_TOTAL: '6',
      QUEUE_DB_POOL_SIZE: '1',
      METRICS_PORT: String(metricsPort),
    });
    try {
      const listening = (line: LogLine) => line.msg === 'Cadence is listening';
      await run.waitForLine((line) => run.lines.filter(listening).length >= 2 && listening(line));
      const firstPids = run.lines.filter(listening).map((line) => Number(line.pid));
      expect(new Set(firstPids).size).toBe(2);
      const port = Number(run.lines.find(listening)!.port);
      // The primary shared the pool out: 6 connections for 2 workers, 3 each.
      expect(run.lines.find((line) => line.msg === 'cluster primary: forking workers')).toMatchObject({
        workers: 2,
        poolPerWorker: 3,
        maxConnections: 8,
      });

      // Both workers answer on the one port (round-robin over new connections).
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 2; i++) {
        const response = await get(port, '/health');
        expect(response.status).toBe(200);
        seen.add(response.worker!);
      }
      expect(seen.size).toBe(2);

      // The primary's aggregated view knows both workers by pid, and sums their requests.
      await run.waitForLine((line) => line.msg === 'cluster primary: aggregated /metrics and /health/performance');
      for (let i = 0; i < 10; i++) expect((await get(port, '/graphql', '{"query":"{ __typename }"}')).status).toBe(200);
      const performance = await get(metricsPort, '/health/performance');
      expect(performance.status).toBe(200);
      const report = JSON.parse(performance.body) as {
        workers: number;
        requests: { total: number };
        byWorker: { pid: number; requests: { total: number } }[];
      };
      expect(report.workers).toBe(2);
      expect(report.byWorker.map((w) => w.pid).sort()).toEqual([...firstPids].sort());
      expect(report.requests.total).toBe(report.byWorker[0]!.requests.total + report.byWorker[1]!.requests.total);
      expect(report.requests.total).toBeGreaterThanOrEqual(10);
      const metrics = await get(metricsPort, '/metrics');
      expect(metrics.status).toBe(200);
      // Both workers' pools in one figure: the gauge is summed across the cluster.
      expect(metrics.body).toMatch(/^cadence_db_pool_connections \d+/m);

      // SIGKILL one worker: the primary notices, replaces it, and requests keep succeeding.
      const victim = firstPids[0]!;
      process.kill(victim, 'SIGKILL');
      await run.waitForLine((line) => line.msg === 'worker died: replacing it' && line.workerPid === victim);
      for (let i = 0; i < 20; i++) expect((await get(port, '/health')).status).toBe(200);
      await run.waitForLine((line) => run.lines.filter(listening).length >= 3 && listening(line));
      const workerPids = run.lines
        .filter(listening)
        .map((line) => Number(line.pid))
        .filter((pid) => pid !== victim);
      expect(workerPids).toHaveLength(2);
      const after = new Set<string>();
      for (let i = 0; i < 40 && after.size < 2; i++) {
        const response = await get(port, '/health');
        expect(response.status).toBe(200);
        after.add(response.worker!);
      }
      expect(after.size).toBe(2);

      // SIGTERM to the primary: every worker drains and exits 0, then the primary exits 0.
      run.child.kill('SIGTERM');
      const exit = await run.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(run.lines.filter((line) => line.msg === 'worker stopped').map((line) => line.code)).toEqual([0, 0]);
      expect(workerPids.filter(alive)).toEqual([]);
    } finally {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    }
  }, 60_000);

  it("shows a user's write on every worker: the workers share the cache's invalidations through Redis", async () => {
    const run = runCadence({ DATABASE_URL: db.url, REDIS_URL, WEB_CONCURRENCY: '2', DB_POOL_TOTAL: '6', QUEUE_DB_POOL_SIZE: '1' });
    try {
      const listening = (line: LogLine) => line.msg === 'Cadence is listening';
      await run.waitForLine((line) => run.lines.filter(listening).length >= 2 && listening(line));
      const port = Number(run.lines.find(listening)!.port);
      const signUp = await gql(port, null, 'mutation($i: SignUpInput!) { signUp(input: $i) { key } }', {
        i: { email: `cluster-${Date.now()}@example.test`, name: 'Cluster' },
      });
      const key = (signUp.data.signUp as { key: string }).key;
      const postings = '{ jobPostings(first: 5) { edges { node { title } } } }';
      const titles = (data: Record<string, unknown>) =>
        (data.jobPostings as { edges: { node: { title: string } }[] }).edges.map((e) => e.node.title);
      // Both workers answer the list once and then from their caches.
      const hits = new Set<string>();
      for (let i = 0; i < 60 && hits.size < 2; i++) {
        const read = await gql(port, key, postings);
        expect(titles(read.data)).toEqual([]);
        if (read.cache === 'hit') hits.add(read.worker);
      }
      expect(hits.size).toBe(2);

      const write = await gql(port, key, 'mutation($i: CreateJobPostingInput!) { createJobPosting(input: $i) { id } }', {
        i: { title: 'Written on one worker', company: 'C', description: 'D', skills: ['sql'] },
      });
      // The other worker drops its copy when Redis relays the invalidation (milliseconds), never
      // serving it for the cache's 10 s: each worker's reads are fresh within a second.
      const freshAt = new Map<string, number>();
      const start = Date.now();
      while (freshAt.size < 2 && Date.now() - start < 5_000) {
        const read = await gql(port, key, postings);
        if (titles(read.data).includes('Written on one worker')) {
          if (!freshAt.has(read.worker)) freshAt.set(read.worker, Date.now() - start);
        } else {
          expect(read.worker, 'only the worker that did not take the write may lag').not.toBe(write.worker);
        }
      }
      expect(freshAt.size).toBe(2);
      for (const ms of freshAt.values()) expect(ms).toBeLessThan(1_000);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);
});
