// When a request reached the process: stamped by the node:http request listener before Yoga sees
// it, so reported latency includes the time a request waits for the event loop (issue 8, item 9).
import type { IncomingMessage } from 'node:http';

const arrivals = new WeakMap<IncomingMessage, number>();

/** Records now (performance.now()) as `req`'s arrival; call first thing in the request listener. */
export function stampArrival(req: IncomingMessage, at = performance.now()): void {
  arrivals.set(req, at);
}

/** `req`'s arrival stamp, if the server that received it stamps them. */
export function arrivalOf(req: IncomingMessage | undefined): number | undefined {
  return req ? arrivals.get(req) : undefined;
}
