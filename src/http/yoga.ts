// The HTTP handler: Yoga with the plugin stack, the context factory and health routes.
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { authenticate } from '../auth/api-keys.js';
import { ApiKeyCache } from '../auth/key-cache.js';
import type { Config } from '../config.js';
import { createContext, type Context } from '../context.js';
import type { Database } from '../db/client.js';
import { createMetrics } from '../perf/metrics.js';
import { PerfWindow } from '../perf/perf-window.js';
import { statsOf } from '../perf/request-stats.js';
import { startSqlAccounting } from '../perf/sql-accounting.js';
import { useTracing, type Budgets } from '../plugins/use-tracing.js';
import type { Redis } from '../redis.js';
import { useHealth } from './health.js';
import { createMaskError } from '../plugins/mask-error.js';
import { ResponseCache } from '../cache/response-cache.js';
import { useGraphqlJsExecute } from '../plugins/use-graphql-js-execute.js';
import { useCompiledExecution } from '../plugins/use-compiled-execution.js';
import { PlanRegistry } from '../compiled/registry.js';
import { loadManifest } from '../policy/persisted.js';
import { useResponseCache } from '../plugins/use-response-cache.js';
import { useAbuseGuard } from '../plugins/use-abuse-guard.js';
import { requestIdOf, useRequestId } from '../plugins/use-request-id.js';
import { schema } from '../schema/index.js';
import { LIMITS, policyPlugins } from '../policy/index.js';

export interface CadenceOptions {
  config: Config;
  log: Logger;
  /** The open database: readiness checks, pool gauges, queue depth. */
  database?: Database;
  redis?: Redis;
  /** Pre-filled GraphiQL headers (the demo key). */
  graphiqlHeaders?: Record<string, string>;
}

export function createCadence({ config, log, database, redis, graphiqlHeaders }: CadenceOptions) {
  const budgets: Budgets = {
    queryMs: config.BUDGET_QUERY_MS,
    mutationMs: config.BUDGET_MUTATION_MS,
    byOperation: config.operationBudgets,
  };
  const metrics = createMetrics({ pool: database?.kind === 'postgres' ? database.pool : undefined });
  const window = new PerfWindow(config.PERF_WINDOW_SECONDS * 1000);
  const stopSqlAccounting = startSqlAccounting({ log, slowQueryMs: config.SLOW_QUERY_MS });
  const keyCache = new ApiKeyCache(config.AUTH_CACHE_TTL_MS);
  if (redis) keyCache.listen(redis);
  const responseCache = new ResponseCache({ ttlMs: config.RESPONSE_CACHE_TTL_MS, maxBytes: config.RESPONSE_CACHE_MAX_BYTES });
  if (redis) responseCache.listen(redis);

  // Order matters: request id first (every response carries it), tracing next (it times all that
  // follows, health routes included), then transport-level routes, then query-shape policy
  // (rejects before execution), then metrics.
  const plugins: Plugin[] = [
    useRequestId(),
    // Before anything costly: a client that keeps getting refused waits for its 429.
    useAbuseGuard({ maxRejections: config.ABUSE_MAX_REJECTIONS, windowMs: config.ABUSE_WINDOW_MS, tarpitMs: config.ABUSE_TARPIT_MS }),
    useTracing({ log, budgets, traceExtensions: config.traceExtensions, metrics, window }) as Plugin,
    useHealth({ database, redis, window, budgets }),
    // policy: limits on the document, persisted operations (issue #4)
    // (connection arguments are checked there too, by the cost plugin at validation)
    ...policyPlugins(config),
    metrics.plugin(),
    useGraphqlJsExecute(),
    // After it: a compiled plan's execute function replaces graphql-js' for the documents it covers.
    ...(config.COMPILED_EXECUTION ? [useCompiledExecution({ registry: new PlanRegistry(schema, loadManifest().values()), log }) as Plugin] : []),
    // Last of the execute hooks: the ones above time and count a hit like any answer.
    useResponseCache({ cache: responseCache, redis, log, onOutcome: (outcome) => metrics.recordCache(outcome) }) as Plugin,
    {
      onDispose() {
        stopSqlAccounting();
        keyCache.close();
        responseCache.close();
      },
    },
  ];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    logging: log.child({ component: 'yoga' }),
    plugins,
    graphiql: config.graphiql
      ? { title: 'Cadence', headers: graphiqlHeaders ? JSON.stringify(graphiqlHeaders) : undefined }
      : false,
    landingPage: false,
    // Yoga's own empty-bodied check moves aside so /health answers with our JSON.
    healthCheckEndpoint: '/health/live',
    maskedErrors: { maskError: createMaskError(log), isDev: false },
    batching: false,
    // Read while streaming, so a body that lies about (or omits) its Content-Length stops at the limit.
    maxRequestBodySize: LIMITS.requestBodyBytes,
    // Persisted operations arrive as { documentId } (GraphQL over HTTP), which Yoga checks as unknown otherwise.
    extraParamNames: ['documentId'],
    context: async ({ request }) => {
      const requestId = requestIdOf(request);
      const viewer = await authenticate(request.headers.get('authorization'), keyCache);
      const requestLog = log.child({ requestId });
      return createContext({
        viewer,
        requestId,
        log: requestLog,
        perf: statsOf(request),
        revokeCachedKey: (apiKeyId) => keyCache.revoked(apiKeyId, redis, requestLog),
      });
    },
  });
}

export type Cadence = ReturnType<typeof createCadence>;
