// Prometheus metrics: Yoga's plugin for operation and phase durations, plus Cadence's own for SQL
// per operation, pool gauges, errors by code and budget breaches. One registry per server.
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestStats } from './request-stats.js';

/** Distinct operation names labelled before the rest count as "other" (bounded cardinality). */
const MAX_OPERATION_LABELS = 200;

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { pool?: pg.Pool }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cadence_' });
  const labelNames = ['operationName', 'operationType'] as const;

  const duration = new Histogram({
    name: 'cadence_operation_duration_seconds',
    help: "Time from the request's arrival on its socket to the end of its response, by operation",
    labelNames,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const sqlStatements = new Histogram({
    name: 'cadence_operation_sql_statements',
    help: 'SQL statements per operation',
    labelNames,
    buckets: [0, 1, 2, 3, 4, 6, 8, 12, 20, 50, 100],
    registers: [registry],
  });
  const sqlSeconds = new Histogram({
    name: 'cadence_operation_sql_seconds',
    help: 'Total SQL time per operation',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'cadence_errors_total',
    help: 'Errors returned to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const overBudget = new Counter({
    name: 'cadence_operations_over_budget_total',
    help: 'Operations slower than their latency budget',
    labelNames,
    registers: [registry],
  });
  const responseCache = new Counter({
    name: 'cadence_response_cache_total',
    help: 'Queries answered from the response cache (hit), executed and stored (miss), or not cacheable (bypass)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const pool = options.pool;
  if (pool) {
    for (const [name, help, read] of [
      ['cadence_db_pool_connections', 'PostgreSQL connections open in the pool', () => pool.totalCount],
      ['cadence_db_pool_idle', 'Idle PostgreSQL connections in the pool', () => pool.idleCount],
      ['cadence_db_pool_waiting', 'Requests waiting for a PostgreSQL connection', () => pool.waitingCount],
    ] as const) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    }
  }

  const seen = new Set<string>();
  const operationLabel = (name: string | null) => {
    const value = name ?? 'anonymous';
    if (seen.has(value)) return value;
    if (seen.size >= MAX_OPERATION_LABELS) return 'other';
    seen.add(value);
    return value;
  };

  return {
    registry,
    /** Records one finished GraphQL operation. */
    recordOperation(stats: RequestStats, totalMs: number, budgetExceeded: boolean): void {
      const labels = { operationName: operationLabel(stats.operationName), operationType: stats.operationType ?? 'unknown' };
      duration.observe(labels, totalMs / 1000);
      sqlStatements.observe(labels, stats.sqlCount);
      sqlSeconds.observe(labels, stats.sqlMs / 1000);
      if (budgetExceeded) overBudget.inc(labels);
      for (const code of stats.errorCodes) errors.inc({ code });
    },
    recordCache(result: 'hit' | 'miss' | 'bypass'): void {
      responseCache.inc({ result });
    },
    /** Yoga's Prometheus plugin on this registry, serving GET /metrics. */
    plugin() {
      return usePrometheus({
        endpoint: '/metrics',
        registry,
        metrics: {
          graphql_envelop_request_duration: true,
          graphql_envelop_phase_parse: true,
          graphql_envelop_phase_validate: true,
          graphql_envelop_phase_context: true,
          graphql_envelop_phase_execute: true,
          graphql_envelop_error_result: true,
          graphql_yoga_http_duration: true,
          // Summaries compute quantiles on every observation: histograms above do that job cheaper.
          graphql_envelop_request_time_summary: false,
          graphql_envelop_request: true,
          graphql_envelop_deprecated_field: false,
          graphql_envelop_schema_change: false,
        },
      });
    },
  };
}
