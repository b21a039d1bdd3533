// Socket limits on a real child process with short configured timeouts (issue 8, item 6): silent
// new connections, slow headers, slow bodies and idle kept-alive connections are closed by the
// server, and connections beyond MAX_CONNECTIONS are closed on accept. Bounds come from the
// configuration, with room for a slow machine; no stopwatch assertion tighter than that.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { startCadence, type CadenceChild } from './support/child.js';

const NEW_CONNECTION_TIMEOUT_MS = 500;
// Well above the new-connection timeout, so the first test tells which of the two closed a socket
// (node:http's headers timeout also ends silent connections, only later).
const HEADERS_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 3_500;
const KEEP_ALIVE_TIMEOUT_MS = 500;
const MAX_CONNECTIONS = 20;
/** Room for a loaded machine (2 cores shared by many test runs) on top of a configured bound. */
const SLACK_MS = 5_000;

let db: ScratchDatabase;
let server: CadenceChild;

beforeAll(async () => {
  db = await createScratchDatabase('lifecycle_sockets');
  server = await startCadence({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    NEW_CONNECTION_TIMEOUT_MS: String(NEW_CONNECTION_TIMEOUT_MS),
    HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    MAX_CONNECTIONS: String(MAX_CONNECTIONS),
  });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

interface Watched {
  socket: Socket;
  /** ms from connect to the server closing it, and what it sent before. */
  closed: Promise<{ afterMs: number; received: string }>;
}

function open(): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(server.port, '127.0.0.1', () => {
      let received = '';
      socket.setEncoding('utf8').on('data', (c: string) => (received += c));
      socket.on('error', () => {});
      const closed = new Promise<{ afterMs: number; received: string }>((done) =>
        socket.once('close', () => done({ afterMs: performance.now() - started, received })),
      );
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` while the socket is open. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('socket limits', () => {
  it('closes connections that never send a request, after NEW_CONNECTION_TIMEOUT_MS', async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => open()));
    const results = await Promise.all(sockets.map((s) => s.closed));
    for (const r of results) {
      expect(r.received).toBe('');
      expect(r.afterMs).toBeGreaterThanOrEqual(NEW_CONNECTION_TIMEOUT_MS - 50);
      expect(r.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS);
    }
  });

  it('closes a request whose headers trickle in, within HEADERS_TIMEOUT_MS of its first byte', async () => {
    const s = await open();
    trickle(s.socket, `GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(500)}\r\n\r\n`, 50);
    const r = await s.closed;
    expect(r.received).toMatch(/^(HTTP\/1\.1 408 |)/);
    expect(r.received).not.toContain('"status":"ok"');
    expect(r.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('closes a request whose body trickles in, within REQUEST_TIMEOUT_MS', async () => {
    const s = await open();
    const body = JSON.stringify({ query: '{ __typename }' }).padEnd(200, ' ');
    s.socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    trickle(s.socket, body, 50);
    const r = await s.closed;
    expect(r.received).not.toContain('__typename');
    expect(r.afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(r.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it('serves a request sent in time, then closes the kept-alive connection after KEEP_ALIVE_TIMEOUT_MS idle', async () => {
    const s = await open();
    // Sent after a pause shorter than the new-connection timeout: served, and the timeout lifted.
    await new Promise((r) => setTimeout(r, NEW_CONNECTION_TIMEOUT_MS / 3));
    s.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await s.closed;
    expect(r.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.received).toContain('{"status":"ok"}');
    expect(r.received).toMatch(/keep-alive: timeout=\d+/i);
    expect(r.afterMs).toBeLessThan(NEW_CONNECTION_TIMEOUT_MS / 3 + KEEP_ALIVE_TIMEOUT_MS + SLACK_MS);
  });

  it('closes connections beyond MAX_CONNECTIONS on accept while the first ones stay open', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open()));
    let heldClosed = 0;
    for (const h of held) void h.closed.then(() => heldClosed++);
    // Sockets beyond the cap: the server accepts and closes them at once, so a request sent on
    // one gets no answer (under the cap it would be answered).
    const extra = await Promise.all(Array.from({ length: 5 }, () => open()));
    for (const e of extra) e.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const extraResults = await Promise.all(extra.map((e) => e.closed));
    for (const r of extraResults) expect(r.received).toBe('');
    // ... while every one of the first MAX_CONNECTIONS was still open.
    expect(heldClosed).toBe(0);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
  });

  it('still serves afterwards', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(response.status).toBe(200);
    expect(server.process.exitCode).toBeNull();
  });
});
