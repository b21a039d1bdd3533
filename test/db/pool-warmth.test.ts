// The request pool keeps its connections however idle (src/db/pool-warmth.ts): counted on the
// PostgreSQL side (pg_stat_activity of a scratch database), after several idle timeouts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { openPool, poolMin } from '../../src/db/pool-warmth.js';
import { startCadence } from '../lifecycle/support/child.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

let scratch: ScratchDatabase;
let monitor: pg.Client;

beforeAll(async () => {
  scratch = await createScratchDatabase('cadence_pool');
  monitor = new pg.Client({ connectionString: scratch.url });
  await monitor.connect();
});

afterAll(async () => {
  await monitor?.end();
  await scratch?.drop();
});

async function backends(): Promise<number> {
  const { rows } = await monitor.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cadence'",
  );
  return rows[0]!.n;
}

/** Opens a pool of 4 with a 100 ms idle timeout, fills it, waits 5 timeouts; backends before and after. */
async function afterIdle(env: Record<string, string>): Promise<{ opened: number; before: number; after: number }> {
  const config = loadConfig({ DATABASE_URL: scratch.url, DB_POOL_SIZE: '4', DB_IDLE_TIMEOUT_MS: '100', ...env });
  const database = await openDatabase(config);
  if (database.kind !== 'postgres') throw new Error('expected PostgreSQL');
  try {
    const opened = await openPool(database.pool, 4);
    const before = await backends();
    await new Promise((r) => setTimeout(r, 500));
    return { opened, before, after: await backends() };
  } finally {
    await database.close();
  }
}

describe('the request pool', () => {
  it('keeps every connection open past the idle timeout by default', async () => {
    expect(await afterIdle({})).toEqual({ opened: 4, before: 4, after: 4 });
  });

  it('closes idle connections above DB_POOL_MIN (0: all of them, as pg-pool does by default)', async () => {
    expect(await afterIdle({ DB_POOL_MIN: '0' })).toEqual({ opened: 4, before: 4, after: 0 });
    expect(await afterIdle({ DB_POOL_MIN: '2' })).toEqual({ opened: 4, before: 4, after: 2 });
  });

  it('never keeps more than the pool holds', () => {
    expect(poolMin({ DB_POOL_SIZE: 4, DB_POOL_MIN: 50 })).toBe(4);
    expect(poolMin({ DB_POOL_SIZE: 20, DB_POOL_MIN: undefined })).toBe(20);
  });

  it('opens what it can when the database refuses some connections, without failing', async () => {
    // A server at capacity after 2 connections (a proxy that closes the rest as it accepts them):
    // the other 2 of the 4 fail, and openPool reports 2. (A role's CONNECTION LIMIT is not
    // deterministic here: backends started together can all count each other and all refuse.)
    const url = new URL(scratch.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    proxy.limit(2);
    try {
      url.port = String(proxy.port);
      const database = await openDatabase(loadConfig({ DATABASE_URL: url.toString(), DB_POOL_SIZE: '4' }));
      if (database.kind !== 'postgres') throw new Error('expected PostgreSQL');
      try {
        expect(await openPool(database.pool, 4)).toBe(2);
      } finally {
        await database.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it('is open before the server listens: a started server holds its whole pool before any request', async () => {
    // The queue's own pool stays out (QUEUE_IN_SERVER=false): only the request pool is counted.
    const server = await startCadence({ DATABASE_URL: scratch.url, DB_POOL_SIZE: '5', QUEUE_IN_SERVER: 'false' });
    try {
      expect(await backends()).toBe(5);
    } finally {
      await server.stop();
    }
  });
});
