// Answers a query from the response cache (src/cache/response-cache.ts) when this user asked the
// same document with the same variables recently and has written nothing since; a hit runs no
// resolver, no SQL and no serialisation. Any mutation by a user invalidates that user's answers
// before it executes and again once it is done, here and on every instance sharing Redis.
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { ResponseCache } from '../cache/response-cache.js';
import type { Context } from '../context.js';
import type { Redis } from '../redis.js';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface ResponseCacheOptions {
  cache: ResponseCache;
  redis?: Redis;
  log: Logger;
  onOutcome?: (outcome: CacheOutcome) => void;
}

/** Request headers that add per-request extensions to an answer, which a cached text cannot carry. */
const PER_REQUEST_HEADERS = ['x-cadence-trace', 'x-cadence-cost'];

export function useResponseCache({ cache, redis, log, onOutcome }: ResponseCacheOptions): Plugin<Context> {
  // A number per parsed document: Yoga's parse cache hands out the same object for the same text.
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const documentId = (document: DocumentNode) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = ++nextDocumentId));
    return id;
  };

  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!cache.enabled) return undefined;
      const viewer = args.contextValue.viewer;
      if (!viewer) return undefined; // Only signUp is public, and it is a mutation.
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      const perf = args.contextValue.perf;

      if (operation === 'mutation') {
        // Before: reads from now on may not store what they computed. After: drop what reads that
        // overlapped the write stored meanwhile, and tell the other instances.
        cache.invalidate(viewer.userId);
        return {
          onExecuteDone() {
            void cache.invalidateEverywhere(viewer.userId, redis, log);
          },
        };
      }

      const request = (args.contextValue as Context & { request?: Request }).request;
      if (operation !== 'query' || PER_REQUEST_HEADERS.some((h) => request?.headers.get(h) === '1')) {
        perf.cache = 'bypass';
        onOutcome?.('bypass');
        return undefined;
      }

      const key = `${viewer.userId}\u0000${documentId(args.document)}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
      const text = cache.get(key);
      if (text !== undefined) {
        perf.cache = 'hit';
        onOutcome?.('hit');
        setResultAndStopExecution(cachedResult(text));
        return undefined;
      }
      perf.cache = 'miss';
      onOutcome?.('miss');
      const token = cache.token(viewer.userId);
      return {
        onExecuteDone({ result, setResult }) {
          if (!isSingleResult(result) || result.errors?.length || result.extensions) return;
          // A compiled operation's result is already its JSON text (src/plugins/use-compiled-execution.ts).
          const own = (result as { stringify?: unknown }).stringify;
          const json = typeof own === 'function' ? String(own.call(result)) : JSON.stringify(result);
          cache.set(key, viewer.userId, token, json);
          // Serialised once: Yoga uses a result's own `stringify` when it has one. Not enumerable,
          // so a plugin that copies the result to change it gets JSON.stringify of its copy.
          const withText = { ...result };
          Object.defineProperty(withText, 'stringify', { value: () => json, enumerable: false });
          setResult(withText);
        },
      };
    },
  };
}

/** A result whose serialisation is the cached text (Yoga calls `result.stringify` when present). */
function cachedResult(text: string): ExecutionResult {
  return { stringify: () => text } as unknown as ExecutionResult;
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}
