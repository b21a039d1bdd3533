// The request body limit over real sockets (src/plugins/use-body-limit.ts): a declared length over
// the limit is refused before the body is read, a malformed Content-Length is a 400, a body longer
// than its Content-Length is cut there by Node's HTTP parser (the rest is a malformed next request,
// never a second operation), and a chunked body is counted while it streams.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/policy/limits.js';
import { startCadence, type CadenceChild } from '../lifecycle/support/child.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

let db: ScratchDatabase;
let server: CadenceChild;

beforeAll(async () => {
  db = await createScratchDatabase('body_limit');
  server = await startCadence({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    RATE_LIMIT_BURST: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    ABUSE_MAX_REJECTIONS: '0',
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** Writes `parts` to a fresh connection and collects what the server sends until the connection ends (or 5 s). */
function exchange(parts: (string | Buffer)[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1', () => {
      for (const part of parts) socket.write(part);
    });
    let received = '';
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    // A reset after the answer (the server closes on the malformed rest) ends the exchange too.
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

const statusLines = (received: string) => [...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
const head = (headers: string) =>
  `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n${headers}\r\n`;
const QUERY = JSON.stringify({ query: '{ __typename }' });

describe('request body limit', () => {
  it('answers a declared length over the limit with 413 PAYLOAD_TOO_LARGE, before any body arrives', async () => {
    const received = await exchange([head(`Content-Length: ${LIMITS.requestBodyBytes + 1}\r\n`)]);
    expect(statusLines(received)[0]).toBe(413);
    expect(received).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it.each(['-1', '1e3', '0x10', '10 10', '+10'])('answers Content-Length %j with 400, never 500', async (length) => {
    const received = await exchange([head(`Content-Length: ${length}\r\n`), QUERY]);
    expect(statusLines(received)[0]).toBe(400);
    expect(received).not.toContain('__typename":');
  });

  it('reads no further than the declared length: the rest is never run as a second operation', async () => {
    const second = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${QUERY.length}\r\n\r\n${QUERY}`;
    const lying = `${QUERY}${' '.repeat(LIMITS.requestBodyBytes)}${second}`;
    const received = await exchange([head(`Content-Length: 5\r\n`), lying]);
    const statuses = statusLines(received);
    expect(statuses[0]).toBe(400);
    expect(statuses).not.toContain(200);
    expect(received).not.toContain('"__typename":"Query"');
  });

  it('counts a chunked body while it streams: 413 past the limit, the answer within it', async () => {
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const filler = ' '.repeat(10_000);
    const over = Array.from({ length: Math.ceil(LIMITS.requestBodyBytes / filler.length) + 1 }, () => chunk(filler));
    const tooLarge = await exchange([head('Transfer-Encoding: chunked\r\n'), chunk(QUERY.slice(0, -1)), ...over, chunk('}'), '0\r\n\r\n']);
    expect(statusLines(tooLarge)[0]).toBe(413);
    expect(tooLarge).toContain('"code":"PAYLOAD_TOO_LARGE"');

    const fits = await exchange([head('Transfer-Encoding: chunked\r\n'), chunk(QUERY.slice(0, 5)), chunk(QUERY.slice(5)), '0\r\n\r\n']);
    expect(statusLines(fits)[0]).toBe(200);
    expect(fits).toContain('"__typename":"Query"');
  });
});
