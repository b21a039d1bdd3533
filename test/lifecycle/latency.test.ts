// Server latency figures from the socket's request arrival to the end of the response (issue 8,
// item 9): time a request waits before Yoga runs counts in /metrics/performance and /metrics.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { startApp, type TestApp } from '../support/app.js';

/** What every request waits between its arrival and Yoga: a stand-in for a busy event loop. */
const QUEUED_MS = 200;
const REQUESTS = 5;

let app: TestApp;
let http: HttpServer;
let port: number;

beforeAll(async () => {
  app = await startApp();
  http = createHttpServer((req, res) => void setTimeout(() => void app.yoga(req, res), QUEUED_MS), {
    keepAliveTimeoutMs: 5_000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    newConnectionTimeoutMs: 10_000,
    maxConnections: 100,
  });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  port = (http.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => http.server.close(resolve));
  await app.close();
});

describe('latency', () => {
  it('counts the wait before Yoga in the performance window, the histogram and X-Response-Time', async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Typename { __typename }' }),
      });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
      expect(parseFloat(response.headers.get('x-response-time')!)).toBeGreaterThanOrEqual(QUEUED_MS);
    }
    // Read in-process (no queueing), once the responses' 'finish' has recorded them.
    const report = (await (await app.yoga.fetch('http://cadence.test/metrics/performance')).json()) as {
      operations: Record<string, { count: number; p50Ms: number; maxMs: number }>;
    };
    expect(report.operations.Typename!.count).toBe(REQUESTS);
    expect(report.operations.Typename!.p50Ms).toBeGreaterThanOrEqual(QUEUED_MS);
    const metrics = await (await app.yoga.fetch('http://cadence.test/metrics')).text();
    const sum = /cadence_operation_duration_seconds_sum\{operationName="Typename",operationType="query"\} ([\d.e+-]+)/.exec(metrics);
    expect(Number(sum?.[1])).toBeGreaterThanOrEqual((REQUESTS * QUEUED_MS) / 1000);
  });

  it('shows a blocked event loop (time before a request is even read) in /health/performance', async () => {
    const BLOCKED_MS = 300;
    const until = performance.now() + BLOCKED_MS;
    while (performance.now() < until) {
      // Busy: nothing else runs, as when a request waits in the socket for the loop.
    }
    await new Promise((r) => setTimeout(r, 50));
    const report = (await (await app.yoga.fetch('http://cadence.test/health/performance')).json()) as {
      process: { eventLoopDelay: { maxMs: number } };
    };
    // The monitor samples every 10 ms, so it sees at least the block minus one sample.
    expect(report.process.eventLoopDelay.maxMs).toBeGreaterThanOrEqual(BLOCKED_MS - 20);
  });
});
