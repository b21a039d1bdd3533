// DATABASE_REPLICA_URLS at start-up: a list of PostgreSQL URLs, only beside a primary.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const PRIMARY = 'postgresql://postgres@127.0.0.1:5432/cadence';

function messageOf(env: Record<string, string>): string | null {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return null;
}

describe('DATABASE_REPLICA_URLS', () => {
  it('splits a comma-separated list, ignoring spaces and empty entries', () => {
    const config = loadConfig({
      DATABASE_URL: PRIMARY,
      DATABASE_REPLICA_URLS: ' postgresql://r1:5432/cadence, postgres://r2/cadence ,',
    });
    expect(config.DATABASE_REPLICA_URLS).toEqual(['postgresql://r1:5432/cadence', 'postgres://r2/cadence']);
    expect(config.REPLICA_STICKY_MS).toBe(5_000);
    expect(config.REPLICA_RETRY_MS).toBe(5_000);
  });

  it('is unset (no replicas) by default', () => {
    expect(loadConfig({ DATABASE_URL: PRIMARY }).DATABASE_REPLICA_URLS).toBeUndefined();
  });

  it('refuses an entry that is not a PostgreSQL URL, naming the variable', () => {
    const message = messageOf({ DATABASE_URL: PRIMARY, DATABASE_REPLICA_URLS: 'postgresql://r1/cadence,mysql://r2/cadence' });
    expect(message).toContain('DATABASE_REPLICA_URLS');
    expect(message).toContain('postgres:// or postgresql://');
    expect(message).not.toContain('mysql://r2');
  });

  it('refuses replicas without a primary', () => {
    expect(messageOf({ DATABASE_REPLICA_URLS: 'postgresql://r1/cadence' })).toContain('DATABASE_REPLICA_URLS: needs DATABASE_URL');
  });

  it('refuses a negative sticky window', () => {
    expect(messageOf({ DATABASE_URL: PRIMARY, REPLICA_STICKY_MS: '-1' })).toContain('REPLICA_STICKY_MS');
  });
});
