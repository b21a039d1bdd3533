// The request pool stays at its size once opened, and the server opens it before it listens.
//
// With pg-pool's default (min 0, idle timeout 10 s) a pool under steady load shrinks whenever a
// quiet moment leaves connections idle for 10 s, and the next burst opens many at once: each a
// new PostgreSQL backend (fork, authentication, cold catalog caches, every named statement planned
// again). Measured at 300 req/s on 2 cores: the pool fell from 22 to 10 connections and 14 came
// back within one second, PostgreSQL took 1.6 cores for half a second, and every request of that
// second waited (p95 460–800 ms in one second of an otherwise 12 ms run; docs/scaling.md). A fixed
// pool, as HikariCP recommends for steady services, never pays that; DB_POOL_MIN lowers it for
// deployments that prefer to give connections back.
import type pg from 'pg';
import type { Config } from '../config.js';

/** Connections the pool keeps however idle: DB_POOL_MIN, at most the pool's size (default: all of it). */
export function poolMin(config: Pick<Config, 'DB_POOL_SIZE' | 'DB_POOL_MIN'>): number {
  return Math.min(config.DB_POOL_MIN ?? config.DB_POOL_SIZE, config.DB_POOL_SIZE);
}

/**
 * Opens `count` connections of `pool` together and hands them back, so the first requests find
 * them ready. A failure is not the start-up's: readiness (/health/ready) reports the database,
 * and the pool opens connections on demand as before.
 */
export async function openPool(pool: pg.Pool, count: number): Promise<number> {
  const clients = await Promise.allSettled(Array.from({ length: count }, () => pool.connect()));
  let opened = 0;
  for (const result of clients) {
    if (result.status === 'fulfilled') {
      result.value.release();
      opened++;
    }
  }
  return opened;
}
