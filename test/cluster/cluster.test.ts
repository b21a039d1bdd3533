// WEB_CONCURRENCY=2 as real processes on a scratch PostgreSQL database: both workers answer on the
// one port, the primary's METRICS_PORT aggregates them, a SIGKILLed worker is replaced while requests
// keep succeeding, and SIGTERM to the primary drains every worker and exits 0.
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
});
