// How many PostgreSQL connections each cluster worker may open, so N workers together stay within
// the server's max_connections (docs/scaling.md, "Connections").
import type { Config } from '../../config.js';

type PoolSettings = Pick<Config, 'DB_POOL_SIZE' | 'DB_POOL_TOTAL' | 'QUEUE_IN_SERVER' | 'QUEUE_DB_POOL_SIZE'>;

/** The request pool of one worker: DB_POOL_TOTAL shared out when given, else DB_POOL_SIZE each. */
export function workerPoolSize(settings: PoolSettings, workers: number): number {
  if (settings.DB_POOL_TOTAL === undefined) return settings.DB_POOL_SIZE;
  return Math.max(1, Math.floor(settings.DB_POOL_TOTAL / workers));
}

/** Connections the whole cluster may hold at once: each worker's request pool plus its queue worker's pool. */
export function clusterConnections(settings: PoolSettings, workers: number): number {
  return workers * (workerPoolSize(settings, workers) + (settings.QUEUE_IN_SERVER ? settings.QUEUE_DB_POOL_SIZE : 0));
}
