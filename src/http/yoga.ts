// The HTTP handler: Yoga with the plugin stack, the context factory and health routes.
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { authenticate, bearerKey, hashApiKey } from '../auth/api-keys.js';
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
import { useAdminRoutes } from './admin-routes.js';
import { graphiqlOptions, renderGraphiQL, useGraphiqlAssets } from './graphiql.js';
import { useDashboard } from './dashboard/index.js';
import { createMaskError } from '../plugins/mask-error.js';
import { ResponseCache } from '../cache/response-cache.js';
import { RedisCacheTier } from '../cache/redis-tier.js';
import { useGraphqlJsExecute } from '../plugins/use-graphql-js-execute.js';
import { useBodyLimit } from '../plugins/use-body-limit.js';
import { useCompiledExecution } from '../plugins/use-compiled-execution.js';
import { PlanRegistry } from '../compiled/registry.js';
import { loadManifest } from '../policy/persisted.js';
import { useResponseCache } from '../plugins/use-response-cache.js';
import { useIdempotency } from '../plugins/use-idempotency.js';
import { registerReplicaMetrics, useReadReplicas } from '../plugins/use-read-replicas.js';
import { RecentWriters } from '../db/recent-writers.js';
import { DeadlineExceeded, remainingMs, useDeadline, withinDeadline } from '../plugins/use-deadline.js';
import { timedOut } from '../errors.js';
import { useAbuseGuard } from '../plugins/use-abuse-guard.js';
import { useRateLimit } from '../plugins/use-rate-limit.js';
import { useSingleAuthorization } from '../plugins/use-single-authorization.js';
import { requestIdOf, useRequestId } from '../plugins/use-request-id.js';
import { schema } from '../schema/index.js';
import { createFeedbackWorker } from '../queue/start-worker.js';
import { createSessionEvents, registerSubscriptionMetrics } from '../events/index.js';
import { LIMITS, policyPlugins } from '../policy/index.js';

export interface CadenceOptions {
  config: Config;
  log: Logger;
  /** The open database: readiness checks, pool gauges, queue depth. */
  database?: Database;
  redis?: Redis;
  /** Replaces Cadence's response cache plugin (the benchmark compares it with a library's). */
  responseCachePlugin?: Plugin;
  /** Pre-filled GraphiQL headers (the demo key). */
  graphiqlHeaders?: Record<string, string>;
  /** True once the process is draining (SIGTERM): readiness answers 503. */
  isDraining?: () => boolean;
  /** Receives the server's metrics registry (a cluster worker hands it to the primary's aggregation). */
  onMetricsRegistry?: (registry: Registry) => void;
}

export function createCadence({
  config,
  log,
  database,
  redis,
  graphiqlHeaders,
  isDraining,
  responseCachePlugin,
  onMetricsRegistry,
}: CadenceOptions) {
  const budgets: Budgets = {
    queryMs: config.BUDGET_QUERY_MS,
    mutationMs: config.BUDGET_MUTATION_MS,
    byOperation: config.operationBudgets,
  };
  const metrics = createMetrics({ pool: database?.kind === 'postgres' ? database.pool : undefined });
  registerReplicaMetrics(metrics.registry, database?.replicas ?? []);
  onMetricsRegistry?.(metrics.registry);
  const window = new PerfWindow(config.PERF_WINDOW_SECONDS * 1000);
  const stopSqlAccounting = startSqlAccounting({
    log,
    slowQueryMs: config.SLOW_QUERY_MS,
    slowLogWindowMs: config.SLOW_QUERY_LOG_WINDOW_S * 1000,
    timedPool: database?.kind === 'postgres',
  });
  const keyCache = new ApiKeyCache(config.AUTH_CACHE_TTL_MS, undefined, config.AUTH_NEGATIVE_CACHE_TTL_MS);
  const isVerifiedKey = (authorization: string) => {
    const key = bearerKey(authorization);
    return key !== null && keyCache.provenRecently(hashApiKey(key));
  };
  if (redis) keyCache.listen(redis);
  const responseCache = new ResponseCache({ ttlMs: config.RESPONSE_CACHE_TTL_MS, maxBytes: config.RESPONSE_CACHE_MAX_BYTES });
  if (redis) responseCache.listen(redis);
  // Feedback generation runs in this process unless a separate `npm run worker` does it (docs/queue.md).
  const worker =
    config.QUEUE_IN_SERVER && database
      ? createFeedbackWorker({ config, log, redis, registry: metrics.registry, ownPool: true })
      : undefined;
  worker?.start();
  const cacheTier = redis && config.RESPONSE_CACHE_SHARED ? new RedisCacheTier(redis, config.RESPONSE_CACHE_REDIS_TIMEOUT_MS) : undefined;
  const sessionEvents = createSessionEvents({
    redisUrl: config.REDIS_URL,
    redis,
    log,
    limits: { perKey: config.SUBSCRIPTIONS_PER_KEY, queueMax: config.SUBSCRIPTION_QUEUE_MAX },
  });
  const liveSubscriptions = sessionEvents.live;
  registerSubscriptionMetrics(metrics.registry, liveSubscriptions);

  // Order matters: request id first (every response carries it), tracing next (it times all that
  // follows, health routes included), then transport-level routes, then query-shape policy
  // (rejects before execution), then metrics.
  const plugins: Plugin[] = [
    useRequestId(),
    // Before anything costly: a client that keeps getting refused waits for its 429.
    useAbuseGuard({
      maxRejections: config.ABUSE_MAX_REJECTIONS,
      windowMs: config.ABUSE_WINDOW_MS,
      tarpitMs: config.ABUSE_TARPIT_MS,
      isVerifiedKey,
      trustedProxies: config.TRUST_PROXY,
    }),
    // Per key (or address), shared through Redis; before parsing, so cache hits count too.
    useRateLimit({
      policies: [
        { name: 'burst', limit: config.RATE_LIMIT_BURST, windowS: config.RATE_LIMIT_BURST_WINDOW_S },
        { name: 'minute', limit: config.RATE_LIMIT_PER_MINUTE, windowS: 60 },
      ],
      redis,
      redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
      trustedProxies: config.TRUST_PROXY,
      log,
    }),
    // Two Authorization headers: refused, counted by the guard above.
    useSingleAuthorization(),
    // The body limit: Content-Length decides, a chunked body is counted as it is read.
    useBodyLimit(LIMITS.requestBodyBytes),
    // Operators' routes need ADMIN_TOKEN (closed in production without one).
    useAdminRoutes({ token: config.adminToken, closedWithoutToken: config.production }),
    useTracing({ log, budgets, traceExtensions: config.traceExtensions, metrics, window }) as Plugin,
    useHealth({ database, redis, window, budgets, isDraining }),
    // GraphiQL's script, styles and workers from node_modules: the page works without a network.
    ...(config.graphiql ? [useGraphiqlAssets()] : []),
    // /dashboard: in development, or in production for ADMIN_TOKEN only (absent otherwise).
    ...(!config.production || config.adminToken
      ? [
          useDashboard({
            production: config.production,
            adminToken: config.adminToken,
            budgets,
            windowMs: config.PERF_WINDOW_SECONDS * 1000,
            pool: database?.kind === 'postgres' ? database.pool : undefined,
            poolMax: config.DB_POOL_SIZE,
            concurrent: () => window.concurrent,
            queueDepth: database ? () => database.prisma.operation.count({ where: { status: { in: ['PENDING', 'RUNNING'] } } }) : undefined,
          }),
        ]
      : []),
    // policy: limits on the document, persisted operations (issue #4)
    // (connection arguments are checked there too, by the cost plugin at validation)
    ...policyPlugins(config),
    metrics.plugin(),
    useGraphqlJsExecute(),
    // After it: a compiled plan's execute function replaces graphql-js' for the documents it covers.
    ...(config.COMPILED_EXECUTION
      ? [useCompiledExecution({ registry: new PlanRegistry(schema, loadManifest().values()), log }) as Plugin]
      : []),
    // After the execute function is chosen: it wraps that function to record and replay writes.
    useIdempotency({ ttlMs: config.IDEMPOTENCY_TTL_MS, holdMs: config.IDEMPOTENCY_HOLD_MS }) as Plugin,
    // Queries to a read replica, unless the viewer wrote within REPLICA_STICKY_MS (docs/replicas.md).
    ...(database?.replicas.length
      ? [useReadReplicas({ replicas: database.replicas, writers: new RecentWriters(config.REPLICA_STICKY_MS, redis) }) as Plugin]
      : []),
    // After every other execute wrapper: the deadline covers all of them.
    useDeadline(config.REQUEST_DEADLINE_MS),
    // Last of the execute hooks: the ones above time and count a hit like any answer.
    responseCachePlugin ??
      (useResponseCache({
        cache: responseCache,
        redis,
        tier: cacheTier,
        log,
        onOutcome: (outcome) => metrics.recordCache(outcome),
      }) as Plugin),
    {
      async onDispose() {
        await worker?.stop(config.QUEUE_STOP_GRACE_MS);
        stopSqlAccounting();
        keyCache.close();
        responseCache.close();
        return sessionEvents.close();
      },
    },
  ];
  return createYoga<Record<string, unknown>, Context>({
    schema,
    logging: yogaLogger(log),
    plugins,
    // The demo key is pre-filled in development only, whatever the caller passes.
    graphiql: config.graphiql ? graphiqlOptions({ schema, headers: config.production ? undefined : graphiqlHeaders }) : false,
    renderGraphiQL,
    landingPage: false,
    // Yoga's own empty-bodied check moves aside so /health answers with our JSON.
    healthCheckEndpoint: '/health/live',
    maskedErrors: { maskError: createMaskError(log), isDev: false },
    batching: false,
    // Replaced by useBodyLimit (same limit and errors, no stream copy per request).
    maxRequestBodySize: false,
    // Persisted operations arrive as { documentId } (GraphQL over HTTP), which Yoga checks as unknown otherwise.
    extraParamNames: ['documentId'],
    context: async ({ request }) => {
      const requestId = requestIdOf(request);
      // The key lookup may wait on the database too: it counts against the request's deadline.
      const viewer = await withinDeadline(
        authenticate(request.headers.get('authorization'), keyCache),
        remainingMs(request, config.REQUEST_DEADLINE_MS),
        config.REQUEST_DEADLINE_MS,
      ).catch((error: unknown) => {
        throw error instanceof DeadlineExceeded
          ? timedOut(`The request did not finish within ${config.REQUEST_DEADLINE_MS} ms and was stopped; retry shortly`)
          : error;
      });
      const requestLog = log.child({ requestId });
      const context = createContext({
        viewer,
        requestId,
        log: requestLog,
        perf: statsOf(request),
        revokeCachedKey: async (apiKeyId) => {
          liveSubscriptions.keyRevoked(apiKeyId);
          await keyCache.revoked(apiKeyId, redis, requestLog);
        },
      });
      // This instance's open subscriptions (src/schema/subscription.ts, src/http/websocket.ts).
      return { ...context, liveSubscriptions };
    },
  });
}

export type Cadence = ReturnType<typeof createCadence>;

/**
 * What Yoga may log. Its error lines repeated what src/plugins/mask-error.ts logs once with the
 * request id, and copied client values (variables) into the log, as do its debug lines (request
 * parameters): both are dropped.
 */
function yogaLogger(log: Logger) {
  const yoga = log.child({ component: 'yoga' });
  const drop = () => {};
  return { debug: drop, error: drop, info: yoga.info.bind(yoga), warn: yoga.warn.bind(yoga) };
}
