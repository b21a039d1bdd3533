// SIGTERM under keep-alive load, against a real child process and a scratch PostgreSQL database
// (issue 8, item 5): no request starts after the signal, none in flight is lost, readiness answers
// 503 while draining, the pool and Redis close, exit code 0.
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { startCadence, type CadenceChild } from './support/child.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENTS = 8;
/** Requests every client has completed before the signal, at least. */
const WARM_REQUESTS = 10;

type Phase = 'before' | 'between' | 'after';
interface Outcome {
  client: number;
  /** When the request was sent: before kill(), after the server said it drains, or in between. */
  phase: Phase;
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
}

let db: ScratchDatabase;
let server: CadenceChild;

beforeAll(async () => {
  db = await createScratchDatabase('lifecycle_drain');
  server = await startCadence({ NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL, SHUTDOWN_GRACE_MS: '15000' });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** Raw socket helpers: a request sent in two parts, around the signal. */
function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}
function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
    socket.once('close', () => resolve(text));
  });
}

describe('SIGTERM under keep-alive load', () => {
  it('answers every request sent before the signal, closes kept-alive connections, answers readiness 503, exits 0', async () => {
    const port = server.port;
    let phase: Phase = 'before';
    const outcomes: Outcome[] = [];
    const gql = JSON.stringify({ query: '{ __typename }' });

    // Several clients, each with its own keep-alive agent, firing back to back until refused.
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; ; i++) {
        const outcome = await new Promise<Outcome>((resolve) => {
          // 'before': flushed to the kernel before kill(); 'after': not even written until the server
          // had said it drains; anything else is 'between' (either outcome is allowed).
          const calledIn: Phase = phase;
          let flushedIn: Phase | undefined;
          const sentIn = (): Phase => (flushedIn === 'before' ? 'before' : calledIn === 'after' ? 'after' : 'between');
          const post = i % 2 === 0;
          const req = request(
            {
              host: '127.0.0.1',
              port,
              agent,
              method: post ? 'POST' : 'GET',
              path: post ? '/graphql' : '/health',
              headers: post ? { 'content-type': 'application/json' } : {},
            },
            (res) => {
              let body = '';
              res.setEncoding('utf8').on('data', (c: string) => (body += c));
              res.on('end', () => resolve({ client, phase: sentIn(), status: res.statusCode, connection: res.headers.connection, body }));
              res.on('error', (e: NodeJS.ErrnoException) => resolve({ client, phase: sentIn(), error: e.code ?? e.message }));
            },
          );
          req.on('finish', () => (flushedIn = phase));
          req.on('error', (e: NodeJS.ErrnoException) => resolve({ client, phase: sentIn(), error: e.code ?? e.message }));
          req.end(post ? gql : undefined);
        });
        outcomes.push(outcome);
        if (outcome.error) break;
      }
      agent.destroy();
    });

    // Warm up: every client has had answers on its kept-alive connection.
    while (Array.from({ length: CLIENTS }, (_, c) => outcomes.filter((o) => o.client === c).length).some((n) => n < WARM_REQUESTS)) {
      await new Promise((r) => setTimeout(r, 20));
    }

    // A request in flight across the signal: headers and half the body before, the rest after.
    const slow = await rawSocket(port);
    const slowAnswer = readAll(slow);
    const body = JSON.stringify({ query: '{ __typename }' });
    slow.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    // A readiness probe whose headers are half sent before the signal and finished while draining.
    const probe = await rawSocket(port);
    const probeAnswer = readAll(probe);
    probe.write('GET /health/ready HTTP/1.1\r\nHost: x\r\n');
    // Both requests have reached the server (it parses as it reads) before the signal.
    await new Promise((r) => setTimeout(r, 200));

    phase = 'between';
    server.process.kill('SIGTERM');
    await server.waitForLine((line) => typeof line.msg === 'string' && line.msg.startsWith('draining'));
    phase = 'after';

    probe.write('\r\n');
    const probeText = await probeAnswer;
    slow.write(body.slice(10));
    const slowText = await slowAnswer;

    const exit = await server.exited;
    await Promise.all(clients);

    expect(exit).toEqual({ code: 0, signal: null });
    // Readiness while draining: 503, and the connection closes after it.
    expect(probeText).toMatch(/^HTTP\/1\.1 503 /);
    expect(probeText).toMatch(/\r\nconnection: close\r\n/i);
    expect(probeText).toContain('"status":"draining"');
    // The request in flight across the signal got its whole answer.
    expect(slowText).toMatch(/^HTTP\/1\.1 200 /);
    expect(slowText).toContain('{"data":{"__typename":"Query"}}');

    const before = outcomes.filter((o) => o.phase === 'before');
    const after = outcomes.filter((o) => o.phase === 'after');
    expect(before.length).toBeGreaterThanOrEqual(CLIENTS * WARM_REQUESTS);
    // None lost: every request sent before the signal has a complete, correct answer.
    expect(before.filter((o) => o.error || o.status !== 200)).toEqual([]);
    for (const o of before.filter((o) => o.body?.startsWith('{"data"'))) expect(o.body).toBe('{"data":{"__typename":"Query"}}');
    // No request starts after the signal: anything answered while draining says Connection: close,
    // and the rest are refused (the listener is closed) or reset (an idle socket closed).
    expect(after.filter((o) => !o.error && o.connection !== 'close')).toEqual([]);
    expect(after.filter((o) => !o.error && o.status !== 200)).toEqual([]);
    const refusals = outcomes.filter((o) => o.error);
    expect(refusals.every((o) => o.phase !== 'before')).toBe(true);
    expect(new Set(refusals.map((o) => o.error)).size).toBeGreaterThan(0);
    for (const error of refusals.map((o) => o.error)) expect(['ECONNREFUSED', 'ECONNRESET', 'socket hang up', 'EPIPE']).toContain(error);
    // Every client ended refused: nothing served them after the drain.
    expect(refusals.length).toBe(CLIENTS);

    // Pool and Redis closed in order, nothing cut.
    const messages = server.lines.map((l) => l.msg);
    expect(messages).toContain('drained: every request answered');
    expect(messages).toContain('stopped');
    expect(
      server.lines
        .filter((l) => l.msg === 'closed')
        .map((l) => String(l.resource))
        .sort(),
    ).toEqual(['database', 'redis', 'websocket', 'yoga']);
    expect(server.lines.filter((l) => l.msg === 'could not close cleanly' || l.level === 'error')).toEqual([]);
    console.log(
      `drain: ${before.length} requests before the signal, ${outcomes.length - before.length - refusals.length} answered after it (all Connection: close), ${refusals.length} refused; exit ${exit.code}`,
    );
  }, 90_000);
});

describe('SIGTERM with a request that outlives the grace period', () => {
  it('cuts it when SHUTDOWN_GRACE_MS runs out, says so, and exits 1', async () => {
    const short = await startCadence({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      SHUTDOWN_GRACE_MS: '500',
      REQUEST_TIMEOUT_MS: '60000',
      HEADERS_TIMEOUT_MS: '60000',
    });
    try {
      // Headers complete (the request is in flight), body never finished.
      const stuck = await rawSocket(short.port);
      const answer = readAll(stuck);
      stuck.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query"');
      await new Promise((r) => setTimeout(r, 200));
      short.process.kill('SIGTERM');
      const exit = await short.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(await answer).toBe('');
      const cut = short.lines.find((l) => l.msg === 'grace period over: requests still in flight were cut');
      expect(cut).toMatchObject({ abandoned: 1, graceMs: 500 });
      // Resources are still closed after a cut.
      expect(short.lines.map((l) => l.msg)).toContain('stopped');
    } finally {
      await short.stop();
    }
  }, 60_000);
});
