// Slows down a client that keeps sending requests the server refuses. One thread serves every
// client, so a flood of cheap rejections still queues ahead of everyone else's work (measured:
// a 32-connection flood of refused documents raised a normal client's p95 8–10×). A client with
// too many refusals in a window is answered 429 after a delay that costs no CPU: a closed-loop
// flood then sends a request per connection per delay instead of thousands per second.
//
// Whom a refusal counts against: a key only once it has proved itself (it verified on this
// instance within the last hour); anything else — no key, a malformed key, an unknown or revoked one — counts against the
// client's address. Counting per header value let a client that sends a new junk key each time
// escape the guard for ever.
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { appError } from '../errors.js';
import { clientAddress } from './client-address.js';

export interface AbuseGuardOptions {
  /** Refused requests allowed per client per window before it is slowed down; 0 turns the guard off. @default 30 */
  maxRejections?: number;
  /** The window, ms. @default 10000 */
  windowMs?: number;
  /** How long a slowed-down request waits before its 429, ms. @default 1000 */
  tarpitMs?: number;
  /** Requests held at once; beyond this they are answered 429 at once (memory stays bounded). @default 1000 */
  maxHeld?: number;
  /** True when the `Authorization` value is a key that verified recently (so it may be counted on its own). */
  isVerifiedKey?: (authorization: string) => boolean;
  /** Proxies of ours in front whose X-Forwarded-For entry names the client (src/plugins/client-address.ts). @default 0 */
  trustedProxies?: number;
}

/**
 * Statuses that count: refusals (the client's fault) and 500, which only a client's input can
 * still cause (a server fault is 503/504 and is not held against anyone).
 */
const COUNTED = new Set([400, 401, 403, 405, 406, 413, 415, 429, 500]);
const MAX_CLIENTS = 50_000;

interface Tally {
  windowStart: number;
  refusals: number;
}

export function useAbuseGuard(options: AbuseGuardOptions = {}): Plugin {
  const maxRejections = options.maxRejections ?? 30;
  const windowMs = options.windowMs ?? 10_000;
  const tarpitMs = options.tarpitMs ?? 1_000;
  const maxHeld = options.maxHeld ?? 1_000;
  const isVerifiedKey = options.isVerifiedKey ?? (() => false);
  const trustedProxies = options.trustedProxies ?? 0;
  if (maxRejections <= 0) return {};

  const tallies = new Map<string, Tally>();
  const clients = new WeakMap<Request, string>();
  let held = 0;

  /** A verified key counts on its own; everything else against the address it came from. */
  const clientOf = (request: Request, serverContext: unknown): string => {
    const auth = request.headers.get('authorization');
    if (auth && isVerifiedKey(auth)) return `key:${createHash('sha256').update(auth).digest('base64url').slice(0, 22)}`;
    return `ip:${clientAddress(request, serverContext, trustedProxies)}`;
  };

  const current = (client: string, now: number): Tally | undefined => {
    const tally = tallies.get(client);
    if (tally && now - tally.windowStart >= windowMs) {
      tallies.delete(client);
      return undefined;
    }
    return tally;
  };

  return {
    async onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const client = clientOf(request, serverContext);
      clients.set(request, client);
      const now = Date.now();
      const tally = current(client, now);
      if (!tally || tally.refusals < maxRejections) return;
      const retryAfter = Math.max(1, Math.ceil((tally.windowStart + windowMs - now) / 1000));
      if (held < maxHeld) {
        held++;
        try {
          await new Promise((resolve) => setTimeout(resolve, tarpitMs));
        } finally {
          held--;
        }
      }
      const error = appError('RATE_LIMITED', `Too many refused requests; retry in ${retryAfter} s`);
      endResponse(
        fetchAPI.Response.json(
          { errors: [{ message: error.message, extensions: { code: 'RATE_LIMITED' } }] },
          { status: 429, headers: { 'retry-after': String(retryAfter) } },
        ),
      );
    },
    onResponse({ request, response }) {
      if (!COUNTED.has(response.status)) return;
      const client = clients.get(request);
      if (!client) return;
      const now = Date.now();
      const tally = current(client, now);
      if (tally) {
        tally.refusals++;
        return;
      }
      if (tallies.size >= MAX_CLIENTS) tallies.delete(tallies.keys().next().value!);
      tallies.set(client, { windowStart: now, refusals: 1 });
    },
  };
}
