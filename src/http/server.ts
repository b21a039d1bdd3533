// The node:http server around Cadence's handler: every socket bound in time and number
// (docs/reliability.md, "Limits"), each request stamped on arrival for latency figures, requests
// in flight counted, and the draining mode SIGTERM switches on (src/http/drain.ts).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { stampArrival } from '../perf/arrival.js';

export interface SocketLimits {
  /** Idle kept-alive connection closes after this. */
  keepAliveTimeoutMs: number;
  /** Headers must arrive within this of the request's first byte. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this of its first byte. */
  requestTimeoutMs: number;
  /** A new connection silent this long before its first request is closed. */
  newConnectionTimeoutMs: number;
  /** Open connections at most; further ones are closed on accept. */
  maxConnections: number;
}

export interface HttpServer {
  readonly server: Server;
  /** Requests received whose response has not finished or been aborted. */
  readonly inFlight: number;
  readonly draining: boolean;
  /** From now on every response carries `Connection: close`. */
  startDraining(): void;
}

/**
 * How often node:http checks headers and request timeouts. Its default (30 s) let a body sent
 * one byte every 2 s live 38 s with a 10 s request timeout; checking every second (or more often
 * for short timeouts) keeps the overshoot small.
 */
export function checkingIntervalMs(limits: Pick<SocketLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  return Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

export function createHttpServer(handler: RequestListener, limits: SocketLimits): HttpServer {
  let inFlight = 0;
  let draining = false;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    stampArrival(req);
    inFlight++;
    res.once('close', () => inFlight--);
    // The first request arrived: the new-connection timeout no longer applies (node:http itself
    // manages the keep-alive timeout between requests).
    if (req.socket.timeout) req.socket.setTimeout(0);
    if (draining) res.setHeader('Connection', 'close');
    handler(req, res);
  };
  const server = createServer(
    {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  // Node's own headers/request timeouts start at a request's first byte, so a connection that
  // never sends one was held forever. An idle socket timeout with no listener destroys the socket
  // (node:http's socketOnTimeout); it is lifted when the first request arrives.
  server.on('connection', (socket) => socket.setTimeout(limits.newConnectionTimeoutMs));
  return {
    server,
    get inFlight() {
      return inFlight;
    },
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
  };
}
