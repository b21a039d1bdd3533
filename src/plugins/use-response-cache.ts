// Answers a query from the response cache (src/cache/response-cache.ts) when this user asked the
// same document with the same variables recently and has written nothing since; a hit runs no
// resolver, no SQL and no serialisation. Any mutation by a user invalidates that user's answers
// before it executes and again once it is done, here and on every instance sharing Redis.
// Every GraphQL response says what happened in `X-Cache-Status: HIT | MISS | BYPASS`.
// With a shared tier (src/cache/redis-tier.ts) a local miss asks Redis, and every lookup names the
// user's current version there, so a write through any instance has dropped this user's answers on
// every instance before its response returns (Server-Timing counts the Redis round trips).
import { getOperationAST, print, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { RedisCacheTier } from '../cache/redis-tier.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { ttlOf } from '../cache/ttl.js';
import type { Context } from '../context.js';
import type { Redis } from '../redis.js';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface ResponseCacheOptions {
  cache: ResponseCache;
  redis?: Redis;
  /** The shared second tier; without it each instance caches alone. */
  tier?: RedisCacheTier;
  log: Logger;
  onOutcome?: (outcome: CacheOutcome) => void;
}

/** Request headers that add per-request extensions to an answer, which a cached text cannot carry. */
const PER_REQUEST_HEADERS = ['x-cadence-trace', 'x-cadence-cost'];

export function useResponseCache({ cache, redis, tier, log, onOutcome }: ResponseCacheOptions): Plugin<Context> {
  const ttls = new WeakMap<DocumentNode, number>();
  // The shared tier names a document by its printed text, the same on every instance.
  const sharedIds = new WeakMap<DocumentNode, string>();
  const sharedId = (document: DocumentNode) => {
    let id = sharedIds.get(document);
    if (id === undefined) sharedIds.set(document, (id = print(document)));
    return id;
  };
  /** Redis round trips per request, for Server-Timing. */
  const roundTrips = new WeakMap<Request, number>();
  const count = (context: Context, n = 1) => {
    const request = requestOf(context);
    if (request) roundTrips.set(request, (roundTrips.get(request) ?? 0) + n);
  };
  // An invalidation Redis did not confirm may be missing there: once Redis is back, drop everything.
  let lostInvalidation = false;
  const invalidateShared = async (context: Context, userId: string) => {
    if (!tier) return;
    count(context);
    if (!(await tier.invalidate(userId))) lostInvalidation = true;
  };
  redis?.on('ready', () => {
    if (!lostInvalidation || !tier) return;
    void tier.invalidateAll().then((done) => {
      if (done) lostInvalidation = false;
    });
  });

  // A number per parsed document: Yoga's parse cache hands out the same object for the same text.
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const documentId = (document: DocumentNode) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = ++nextDocumentId));
    return id;
  };

  // The header's value per request; `perf.cache` (Server-Timing, metrics) covers queries only.
  const statuses = new WeakMap<Request, CacheOutcome>();
  const mark = (context: Context, outcome: CacheOutcome, counted: boolean) => {
    const request = requestOf(context);
    if (request) statuses.set(request, outcome);
    if (!counted) return;
    context.perf.cache = outcome;
    onOutcome?.(outcome);
  };

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue;
      const viewer = context.viewer;
      // Only signUp is public, and it is a mutation.
      if (!cache.enabled || !viewer) return void mark(context, 'bypass', false);
      const operation = getOperationAST(args.document, args.operationName)?.operation;

      if (operation === 'mutation') {
        mark(context, 'bypass', false);
        // Before: reads from now on may not store what they computed. After: drop what reads that
        // overlapped the write stored meanwhile, and tell the other instances.
        cache.invalidate(viewer.userId);
        await invalidateShared(context, viewer.userId);
        return {
          async onExecuteDone() {
            await invalidateShared(context, viewer.userId);
            void cache.invalidateEverywhere(viewer.userId, redis, log);
          },
        };
      }

      const request = requestOf(context);
      // With Redis configured but unreachable, other instances' invalidations cannot arrive: an
      // answer held here may be stale, so none is served or stored until Redis is back.
      const redisDown = redis !== undefined && redis.status !== 'ready';
      if (operation !== 'query' || redisDown || PER_REQUEST_HEADERS.some((h) => request?.headers.get(h) === '1')) {
        mark(context, 'bypass', true);
        return undefined;
      }

      const query = `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
      // The shared version first: a local entry counts only if stored under the version Redis has now.
      let version: string | null = null;
      if (tier) {
        count(context);
        version = await tier.version(viewer.userId);
        if (version === null) {
          // Redis could not say in time: nothing is served or stored, the request just runs.
          mark(context, 'bypass', true);
          return undefined;
        }
      }
      const key = `${viewer.userId}\u0000${version ?? ''}\u0000${documentId(args.document)}\u0000${query}`;
      const token = cache.token(viewer.userId);
      let text = cache.get(key);
      if (text === undefined && tier && version !== null) {
        count(context);
        text = await tier.get(viewer.userId, version, `${sharedId(args.document)}\u0000${query}`);
        if (text !== undefined) cache.set(key, viewer.userId, token, text);
      }
      if (text !== undefined) {
        mark(context, 'hit', true);
        setResultAndStopExecution(cachedResult(text));
        return undefined;
      }
      mark(context, 'miss', true);
      return {
        onExecuteDone({ result, setResult }) {
          if (!isSingleResult(result) || result.errors?.length || result.extensions) return;
          // A compiled operation's result is already its JSON text (src/plugins/use-compiled-execution.ts).
          const own = (result as { stringify?: unknown }).stringify;
          const json = typeof own === 'function' ? String(own.call(result)) : JSON.stringify(result);
          cache.set(key, viewer.userId, token, json);
          if (tier && version !== null) {
            let ttl = ttls.get(args.document);
            if (ttl === undefined) ttls.set(args.document, (ttl = ttlOf(args.schema, args.document)));
            count(context);
            tier.set(viewer.userId, version, `${sharedId(args.document)}\u0000${query}`, json, ttl);
          }
          // A compiled result already has its text; copying it would parse that text (its `data`
          // is a lazy getter) for nothing.
          if (typeof own === 'function') return;
          // Serialised once: Yoga uses a result's own `stringify` when it has one. Not enumerable,
          // so a plugin that copies the result to change it gets JSON.stringify of its copy.
          const withText = { ...result };
          Object.defineProperty(withText, 'stringify', { value: () => json, enumerable: false });
          setResult(withText);
        },
      };
    },
    onResponse({ request, response }) {
      const outcome = statuses.get(request);
      if (outcome) response.headers.set('X-Cache-Status', outcome.toUpperCase());
      const trips = roundTrips.get(request);
      if (trips !== undefined) response.headers.append('Server-Timing', `redis;desc="${trips} round trip${trips === 1 ? '' : 's'}"`);
    },
  };
}

/** A result whose serialisation is the cached text (Yoga calls `result.stringify` when present). */
function cachedResult(text: string): ExecutionResult {
  return { stringify: () => text } as unknown as ExecutionResult;
}

function requestOf(context: Context): Request | undefined {
  return (context as Context & { request?: Request }).request;
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}
