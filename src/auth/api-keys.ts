// API keys: made here, shown to their owner once, stored only as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto';
import { db } from '../db/client.js';
import { unauthenticated } from '../errors.js';
import type { Viewer } from '../context.js';
import type { ApiKeyCache } from './key-cache.js';

const KEY_PREFIX = 'cad_';
// 32 random bytes: far beyond guessing, so a fast hash (not a password KDF) is the right tool.
const KEY_BYTES = 32;
const KEY_PATTERN = /^cad_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  /** The whole key: returned to the client once, never stored. */
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const key = `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

/** The key in an `Authorization` value if it is a well-formed `Bearer` key, else null. */
export function bearerKey(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match && KEY_PATTERN.test(match[1]!) ? match[1]! : null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

interface KeyRow {
  id: string;
  userId: string;
  revokedAt: Date | null;
}

// Concurrent requests with the same key share one lookup: a burst of one unknown key costs one
// query, not one per request.
const inFlight = new Map<string, Promise<KeyRow | null>>();

function lookUp(hash: string): Promise<KeyRow | null> {
  let pending = inFlight.get(hash);
  if (!pending) {
    pending = db()
      .apiKey.findUnique({ where: { hash }, select: { id: true, userId: true, revokedAt: true } })
      .finally(() => inFlight.delete(hash));
    inFlight.set(hash, pending);
  }
  return pending;
}

/**
 * The viewer for an `Authorization` header value. No header means anonymous (null); anything
 * else that is not a live key is UNAUTHENTICATED, so a typo never silently downgrades a request.
 */
export async function authenticate(header: string | null, cache?: ApiKeyCache): Promise<Viewer | null> {
  if (header === null || header === '') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <key>"');
  const key = match[1]!;
  if (!KEY_PATTERN.test(key)) throw unauthenticated('Invalid API key');
  const hash = hashApiKey(key);
  const cached = cache?.get(hash);
  if (cached) return cached;
  if (cache?.isUnknown(hash)) throw unauthenticated('Invalid or revoked API key');
  const found = await lookUp(hash);
  if (!found || found.revokedAt) {
    cache?.setUnknown(hash);
    throw unauthenticated('Invalid or revoked API key');
  }
  const viewer = { userId: found.userId, apiKeyId: found.id };
  cache?.set(hash, viewer);
  return viewer;
}
