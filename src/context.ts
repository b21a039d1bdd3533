// Per-request context: who is asking, the request's logger and id, and its DataLoaders.
import type { Logger } from 'pino';
import { createLoaders, type Loaders } from './loaders.js';

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
}

export function createContext(input: { viewer: Viewer | null; requestId: string; log: Logger }): Context {
  return { ...input, loaders: createLoaders() };
}
