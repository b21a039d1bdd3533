// Measures how long a Cadence server holds hostile sockets open (issue 8, item 6), for the
// before/after figures in docs/reliability.md. Not a test: a stopwatch, run by hand.
//   npx tsx test/lifecycle/support/measure-sockets.ts <port> [silent connections=200] [cap seconds=60]
// Prints, for each attack, how long the server kept the socket(s) open (or that it still held
// them at the cap).
import { connect, type Socket } from 'node:net';

const port = Number(process.argv[2]);
const silentCount = Number(process.argv[3] ?? 200);
const capMs = Number(process.argv[4] ?? 60) * 1000;

/** Resolves with ms until the server closed `socket`, or null at the cap. */
function heldFor(socket: Socket, started: number): Promise<number | null> {
  return new Promise((resolve) => {
    const cap = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, capMs);
    const done = () => {
      clearTimeout(cap);
      resolve(performance.now() - started);
    };
    socket.once('close', done);
    socket.on('error', () => {});
    socket.on('data', () => {});
  });
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

const fmt = (ms: number | null) => (ms === null ? `still open at ${capMs / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

async function main() {
  // 1. Connections that send nothing.
  const started = performance.now();
  const sockets = await Promise.all(Array.from({ length: silentCount }, () => open()));
  const silent = Promise.all(sockets.map((s) => heldFor(s, started)));

  // 2. A body sent one byte every 2 s.
  const body = JSON.stringify({ query: '{ __typename }' }).padEnd(100, ' ');
  const bodySocket = await open();
  const bodyStarted = performance.now();
  bodySocket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  trickle(bodySocket, body, 2_000);
  const slowBody = heldFor(bodySocket, bodyStarted);

  // 3. Headers sent one byte every 2 s.
  const headerSocket = await open();
  const headerStarted = performance.now();
  trickle(headerSocket, `GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`, 2_000);
  const slowHeaders = heldFor(headerSocket, headerStarted);

  const held = await silent;
  const closed = held.filter((ms): ms is number => ms !== null).sort((a, b) => a - b);
  console.log(
    `silent connections (${silentCount}): ${closed.length} closed by the server` +
      (closed.length ? `, first after ${fmt(closed[0]!)}, last after ${fmt(closed[closed.length - 1]!)}` : '') +
      (closed.length < silentCount ? `; ${silentCount - closed.length} still open at ${capMs / 1000} s` : ''),
  );
  console.log(`body at 1 byte / 2 s: held ${fmt(await slowBody)}`);
  console.log(`headers at 1 byte / 2 s: held ${fmt(await slowHeaders)}`);
}

void main();
