// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) for mutations: the first request with
// a key runs and its answer is kept; a repeat with the same key and the same request replays that
// answer without writing; the same key with a different request, or while the first is still
// running, is CONFLICT. Keys belong to the API key's user and expire after IDEMPOTENCY_TTL_MS.
// Anonymous requests (only signUp) ignore the header: a repeated signUp is refused by its unique email.
import { createHash } from 'node:crypto';
import { getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { Context } from '../context.js';
import { appError, badInput, conflict } from '../errors.js';
import { IdempotencyStore } from '../idempotency/store.js';
import { runWithIdempotency } from '../idempotency/write.js';

/** Printable ASCII without spaces, as the draft's examples; quotes of the sf-string form are taken off. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Root fields whose answer carries a secret: it is never stored, so a repeat cannot be replayed. */
const SECRET_FIELDS = new Set(['createApiKey', 'signUp']);

export const REPLAYED_HEADER = 'Idempotent-Replayed';

const WITHHELD = 'This request was applied already; its answer carried a secret, which is never stored';

export function useIdempotency(options: { ttlMs: number; holdMs: number }): Plugin<Context & YogaInitialContext> {
  const store = new IdempotencyStore(options);
  const replayed = new WeakSet<Request>();

  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const context = args.contextValue;
      const header = context.request.headers.get('idempotency-key');
      if (header === null) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation' || !context.viewer) return;
      const key = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
      if (!KEY.test(key)) {
        setResultAndStopExecution({ errors: [badInput('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces')] });
        return;
      }
      const hash = requestHash(context, args);
      if (hash === undefined) {
        setResultAndStopExecution({ errors: [badInput('The request is too deeply nested to be used with an Idempotency-Key')] });
        return;
      }
      const userId = context.viewer.userId;
      const storeAnswer = !operation.selectionSet.selections.some((s) => s.kind === 'Field' && SECRET_FIELDS.has(s.name.value));
      // Everything that touches the database happens inside the execute function, so the request's
      // deadline (src/plugins/use-deadline.ts, which wraps this function) covers it too.
      setExecuteFn(async (executeArgs) => {
        const taken = await store.take(userId, key, hash);
        switch (taken.kind) {
          case 'replay':
            replayed.add(context.request);
            return taken.response;
          case 'mismatch':
            return {
              errors: [
                appError('CONFLICT', 'This Idempotency-Key was used for a different request', {
                  extensions: { reason: 'IDEMPOTENCY_KEY_REUSED' },
                }),
              ],
            };
          case 'busy':
            return {
              errors: [
                appError('CONFLICT', 'A request with this Idempotency-Key is in progress; retry after it ends', {
                  extensions: { reason: 'IDEMPOTENCY_KEY_IN_USE' },
                  headers: { 'Retry-After': '1' },
                }),
              ],
            };
          case 'withheld':
            return { errors: [conflict(WITHHELD)] };
        }
        const { scope } = taken;
        if (!storeAnswer && scope.recorded.length > 0) {
          // An earlier attempt committed and died before answering; the secret it made is gone.
          await store.settle(scope, { data: null }, false);
          return { errors: [conflict(WITHHELD)] };
        }
        // Taking over from an attempt that died after committing: its writes are replayed, not run.
        if (scope.recorded.length > 0) replayed.add(context.request);
        let result: ExecutionResult | undefined;
        const stopHolding = store.keepHeld(scope);
        try {
          result = (await runWithIdempotency(scope, () => executeFn(executeArgs))) as ExecutionResult;
          return result;
        } finally {
          stopHolding();
          // Without a result (the execution threw), the record keeps its committed outcomes and its
          // hold expires: a retry takes it over and replays them. The same holds when storing the
          // answer fails (the database went away after the write committed): the client still gets
          // the answer its write earned, not a 503 for a write that is done.
          if (result) {
            await store.settle(scope, result, storeAnswer).catch((error: unknown) => {
              context.log.warn(
                { err: { message: (error as Error).message } },
                'idempotency: could not store the answer; a repeat replays the recorded writes',
              );
            });
          }
        }
      });
    },
    onResponse({ request, response }) {
      if (replayed.has(request)) response.headers.set(REPLAYED_HEADER, 'true');
    },
  };
}

/** SHA-256 of what makes two requests the same request; undefined for absurdly nested variables. */
function requestHash(context: YogaInitialContext, args: ExecutionArgs): string | undefined {
  const params = context.params as YogaInitialContext['params'] & { documentId?: unknown };
  const canonical = canonicalJson(args.variableValues ?? {});
  if (canonical === undefined) return undefined;
  return createHash('sha256')
    .update(JSON.stringify([params.query ?? null, params.documentId ?? null, args.operationName ?? null]))
    .update(canonical)
    .digest('hex');
}

/** JSON with object keys sorted, so key order does not make two requests differ. Bounded depth. */
function canonicalJson(value: unknown, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => canonicalJson(item, depth + 1));
    return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => {
        const item = canonicalJson((value as Record<string, unknown>)[k], depth + 1);
        return item === undefined ? undefined : `${JSON.stringify(k)}:${item}`;
      });
    return entries.includes(undefined) ? undefined : `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
