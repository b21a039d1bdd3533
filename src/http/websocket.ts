// GraphQL over WebSocket (graphql-ws) on the HTTP server's own port and path, beside Yoga's SSE.
// Yoga's HTTP hooks (onRequest, onParams) do not run here, so what they enforce is done again:
// the key is checked when the connection opens and for every subscription (a revoked key closes the
// connection), persisted operations and the document's size are checked before parsing, and the
// rest of the policy (token, depth, alias and cost limits, masking) runs through Yoga's own envelop
// (`yoga.getEnveloped`, Yoga's documented graphql-ws integration). Only subscriptions are accepted:
// queries and mutations go over HTTP, where rate limits and the response cache apply.
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionArgs } from 'graphql';
import { CloseCode, type Context as WsContext, type OperationResult, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { appError, isAppError, unauthenticated } from '../errors.js';
import type { LiveSubscriptions } from '../events/live-subscriptions.js';
import { extractPersistedOperationId, isAdminKey } from '../plugins/use-persisted-operations.js';
import { LIMITS } from '../policy/limits.js';
import { loadManifest } from '../policy/persisted.js';
import type { LiveContext } from '../schema/subscription.js';
import type { Cadence } from './yoga.js';

export type WebSocketConfig = Pick<
  Config,
  'SUBSCRIPTIONS_PER_CONNECTION' | 'WS_IDLE_TIMEOUT_MS' | 'persistedOperationsOnly' | 'adminApiKeyHashes'
>;

export interface WebSocketOptions {
  config: WebSocketConfig;
  log: Logger;
  /** @default '/graphql' */
  path?: string;
}

interface ConnectionState {
  authorization: string;
  live: LiveSubscriptions;
  /** Last message from the client or last subscription ended: the idle clock starts here. */
  lastActive: number;
  ws: WsContext<ConnectionParams, Extra & Partial<StateExtra>>;
}

interface StateExtra {
  state: ConnectionState;
}

type ConnectionParams = Record<string, unknown> | undefined;

/** What `rootValue` carries so graphql-ws runs Yoga's execute/subscribe (and their plugins). */
interface Roots {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

const BEARER = /^Bearer[ \t]+\S+[ \t]*$/i;

export function attachWebSocket(
  server: Server,
  yoga: Cadence,
  { config, log, path = '/graphql' }: WebSocketOptions,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path, maxPayload: LIMITS.requestBodyBytes });
  const manifest = loadManifest();
  const states = new Set<ConnectionState>();
  const wsLog = log.child({ component: 'websocket' });

  /** A Fetch request for Yoga's context factory: it reads the key from the Authorization header. */
  const requestFor = (authorization: string) => new Request(`http://cadence.internal${path}`, { headers: { authorization } });

  const disposable = useServer<ConnectionParams, Partial<StateExtra>>(
    {
      execute: (args) => (args.rootValue as Roots).execute(args),
      subscribe: (args) => (args.rootValue as Roots).subscribe(args),
      connectionInitWaitTimeout: 3_000,
      async onConnect(ctx) {
        const authorization = authorizationOf(ctx.connectionParams, ctx.extra.request);
        // Refused with 4403: no key, a malformed one, an unknown or a revoked one.
        if (!authorization || !BEARER.test(authorization)) return false;
        let context: Context & LiveContext;
        try {
          // Yoga types the built context as the merge of its inputs; it is what yoga.ts's factory returns.
          const built: unknown = await yoga.getEnveloped({ request: requestFor(authorization), params: { query: '' } }).contextFactory();
          context = built as Context & LiveContext;
        } catch {
          return false;
        }
        const live = context.liveSubscriptions;
        if (!context.viewer || !live) return false;
        const state: ConnectionState = { authorization, live, lastActive: Date.now(), ws: ctx };
        ctx.extra.state = state;
        states.add(state);
        live.connections++;
        const socket = ctx.extra.socket;
        const stopWatching = live.watchKey(context.viewer.apiKeyId, () => socket.close(CloseCode.Forbidden, 'API key revoked'));
        socket.on('message', () => (state.lastActive = Date.now()));
        socket.once('close', () => {
          stopWatching();
          states.delete(state);
          live.connections--;
        });
        return true;
      },
      async onSubscribe(ctx, _id, payload) {
        const state = ctx.extra.state;
        if (!state) return [unauthenticated()];
        // ctx.subscriptions already holds this one.
        if (Object.keys(ctx.subscriptions).length > config.SUBSCRIPTIONS_PER_CONNECTION) {
          state.live.ended.limit++;
          return [
            appError('RATE_LIMITED', `At most ${config.SUBSCRIPTIONS_PER_CONNECTION} subscriptions may be open per connection.`, {
              extensions: { limit: { name: 'subscriptionsPerConnection', max: config.SUBSCRIPTIONS_PER_CONNECTION } },
            }),
          ];
        }
        const query = documentOf(payload, state.authorization, manifest, config);
        if (query instanceof GraphQLError) return [query];
        const params = {
          query,
          operationName: payload.operationName ?? undefined,
          variables: payload.variables ?? undefined,
          extensions: payload.extensions ?? undefined,
        };
        const enveloped = yoga.getEnveloped({ request: requestFor(state.authorization), params });
        try {
          const document: DocumentNode = enveloped.parse(query);
          // Validation rules (depth, aliases, …) report; the cost check throws: both end up here.
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors;
          if (getOperationAST(document, params.operationName)?.operation !== 'subscription') {
            return [appError('BAD_REQUEST', 'Only subscriptions are accepted over WebSocket; send queries and mutations over HTTP.')];
          }
          // Authenticates again: a key revoked since the connection opened is refused here.
          const contextValue = await enveloped.contextFactory();
          const roots: Roots = { execute: enveloped.execute, subscribe: enveloped.subscribe };
          return {
            schema: enveloped.schema,
            document,
            operationName: params.operationName,
            variableValues: params.variables,
            contextValue,
            rootValue: roots,
          };
        } catch (error) {
          // Parse, validation and policy errors are the client's to see; anything else is masked.
          if (isAppError(error) || (error instanceof GraphQLError && !error.originalError)) return [error];
          wsLog.error({ err: error }, 'websocket subscribe failed');
          return [appError('INTERNAL_SERVER_ERROR', 'Unexpected error.')];
        }
      },
      onComplete(ctx) {
        if (ctx.extra.state) ctx.extra.state.lastActive = Date.now();
      },
    },
    wss,
  );

  // Connections with nothing open and nothing said for WS_IDLE_TIMEOUT_MS are closed (1000: a lazy
  // client simply reconnects when it next subscribes).
  const idleMs = config.WS_IDLE_TIMEOUT_MS;
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const state of states) {
        if (Object.keys(state.ws.subscriptions).length === 0 && now - state.lastActive >= idleMs) {
          state.ws.extra.socket.close(1000, 'Idle timeout');
        }
      }
    },
    Math.max(50, Math.min(idleMs / 2, 5_000)),
  );
  sweep.unref();

  return {
    async close() {
      clearInterval(sweep);
      await disposable.dispose();
    },
  };
}

/** `connectionParams.authorization` (browsers cannot set headers on a WebSocket), else the upgrade request's header. */
function authorizationOf(params: ConnectionParams, request: IncomingMessage): string | undefined {
  const fromParams = params?.authorization ?? params?.Authorization;
  if (typeof fromParams === 'string' && fromParams !== '') return fromParams;
  const header = request.headers.authorization;
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** The document to run: a persisted one by id, or the text sent when that is allowed. */
function documentOf(
  payload: SubscribePayload,
  authorization: string,
  manifest: ReadonlyMap<string, string>,
  config: Pick<WebSocketConfig, 'persistedOperationsOnly' | 'adminApiKeyHashes'>,
): string | GraphQLError {
  const extensions = payload.extensions ?? undefined;
  const documentId = typeof extensions?.documentId === 'string' ? extensions.documentId : undefined;
  const id = extractPersistedOperationId({ query: payload.query, extensions, documentId } as Parameters<
    typeof extractPersistedOperationId
  >[0]);
  if (id !== null) {
    const text = manifest.get(id);
    return text ?? persistedError('Unknown persisted operation id: it is not in this server’s persisted-documents.json.');
  }
  if (!payload.query) return appError('BAD_REQUEST', 'Send a "query", or a persisted operation id in extensions.');
  if (config.persistedOperationsOnly && !isAdminKey(authorization, config.adminApiKeyHashes)) {
    return persistedError('Only persisted operations are accepted here: send extensions.persistedQuery.sha256Hash instead of a query.');
  }
  if (payload.query.length > LIMITS.documentCharacters) {
    return appError(
      'GRAPHQL_PARSE_FAILED',
      `Document of ${payload.query.length} characters exceeds the limit of ${LIMITS.documentCharacters}.`,
      {
        extensions: { limit: { name: 'characters', max: LIMITS.documentCharacters } },
      },
    );
  }
  return payload.query;
}

const persistedError = (message: string) => appError('PERSISTED_QUERY_NOT_IN_LIST', message);
