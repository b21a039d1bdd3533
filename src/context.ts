// Per-request context: who is asking, the request's logger and id, and its DataLoaders.
import type { Logger } from 'pino';
import { createLoaders, type Loaders } from './loaders.js';
import { RequestStats } from './perf/request-stats.js';

export interface Viewer {
  userId: string;
  apiKeyId: string;
}

export interface Context {
  /** Null for anonymous requests; a bad key never gets this far (UNAUTHENTICATED). */
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  /** Created per request, never shared across users. */
  loaders: Loaders;
  /** This request's timings and SQL accounting. */
  perf: RequestStats;
  /** Revokes a key everywhere it is cached (this instance and, through Redis, the others). */
  revokeCachedKey: (apiKeyId: string) => Promise<void>;
}

export function createContext(input: {
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  perf?: RequestStats;
  revokeCachedKey?: (apiKeyId: string) => Promise<void>;
}): Context {
  return {
    ...input,
    loaders: createLoaders(),
    perf: input.perf ?? new RequestStats(),
    revokeCachedKey: input.revokeCachedKey ?? (async () => {}),
  };
}
