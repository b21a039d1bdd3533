// Start-up configuration of the lifecycle (issue 8, "Also found"): production refuses the embedded
// database unless asked for and never loads demo data; HOST defaults by who can see the demo key;
// socket timeouts node:http would reject are refused with a message naming them.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runCadence } from './support/child.js';

const messageOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return null;
};

describe('production', () => {
  it('refuses to start without DATABASE_URL, naming the way to ask for the embedded database', () => {
    const message = messageOf({ NODE_ENV: 'production' });
    expect(message).toContain('DATABASE_URL: required when NODE_ENV=production');
    expect(message).toContain('CADENCE_EMBEDDED=1');
  });

  it('runs on the embedded database when asked for explicitly, without demo data, on all interfaces', () => {
    const config = loadConfig({ NODE_ENV: 'production', CADENCE_EMBEDDED: '1' });
    expect(config.embedded).toBe(true);
    expect(config.demo).toBe(false);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('never loads demo data, even when asked', () => {
    expect(messageOf({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/cadence', DEMO: 'true' })).toContain(
      'DEMO: demo data is never loaded when NODE_ENV=production',
    );
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/cadence' }).demo).toBe(false);
  });

  it('exits non-zero with the message when started as a process', async () => {
    const run = runCadence({ NODE_ENV: 'production' });
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toContain('DATABASE_URL: required when NODE_ENV=production');
    // Nothing was served and no key was printed.
    expect(run.lines.filter((l) => l.msg === 'Cadence is listening')).toEqual([]);
  }, 60_000);
});

describe('HOST', () => {
  it("defaults to 127.0.0.1 for the embedded demo (its key is in GraphiQL's page), 0.0.0.0 otherwise", () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ DEMO: 'false' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/cadence' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });
});

describe('socket limits', () => {
  it('has bounded defaults', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://db/cadence' });
    expect(config).toMatchObject({
      KEEP_ALIVE_TIMEOUT_MS: 5_000,
      HEADERS_TIMEOUT_MS: 10_000,
      REQUEST_TIMEOUT_MS: 10_000,
      NEW_CONNECTION_TIMEOUT_MS: 10_000,
      MAX_CONNECTIONS: 2_000,
      SHUTDOWN_GRACE_MS: 15_000,
    });
  });

  it('refuses a headers timeout longer than the request timeout, and non-numbers', () => {
    expect(messageOf({ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' })).toContain(
      'HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS',
    );
    expect(messageOf({ MAX_CONNECTIONS: 'many' })).toContain('MAX_CONNECTIONS');
    expect(messageOf({ SHUTDOWN_GRACE_MS: '-1' })).toContain('SHUTDOWN_GRACE_MS');
  });

  it('refuses a short operators token, under either name', () => {
    expect(messageOf({ ADMIN_TOKEN: 'short' })).toContain('ADMIN_TOKEN: must be at least 16 characters');
    expect(messageOf({ METRICS_TOKEN: 'short' })).toContain('METRICS_TOKEN: must be at least 16 characters');
  });

  it('takes METRICS_TOKEN as the deprecated name of ADMIN_TOKEN, and refuses the two set apart', () => {
    expect(loadConfig({ METRICS_TOKEN: 'metrics-token-0123456789' }).adminToken).toBe('metrics-token-0123456789');
    expect(loadConfig({ ADMIN_TOKEN: 'admin-token-0123456789ab' }).adminToken).toBe('admin-token-0123456789ab');
    const same = 'one-token-0123456789abcdef';
    expect(loadConfig({ ADMIN_TOKEN: same, METRICS_TOKEN: same }).adminToken).toBe(same);
    expect(messageOf({ ADMIN_TOKEN: 'admin-token-0123456789ab', METRICS_TOKEN: 'metrics-token-0123456789' })).toContain(
      'METRICS_TOKEN: deprecated name of ADMIN_TOKEN, and set to another value',
    );
  });
});
