// A Cadence of its own for the hostile-input suites: a fresh PostgreSQL database (so "no rows
// written" can be checked while other test files write to the shared one), a development-mode
// server and a production-mode one over it, and helpers to send raw HTTP and count rows.
import pg from 'pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../src/db/migrations.js';
import { startApp, type TestApp } from '../support/app.js';

export interface IsolatedDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new database beside the test run's, migrated with the project's migrator. */
export async function isolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const base = new URL(inject('databaseUrl'));
  const name = `${base.pathname.slice(1)}_${label}`.slice(0, 63);
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  await applyMigrations({ kind: 'postgres', url: url.toString() });
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const TABLES = ['users', 'api_keys', 'job_postings', 'resumes', 'interview_sessions', 'session_messages', 'feedback', 'operations'];

/** Rows in every table, in one statement (run it outside recordSql). */
export async function rowCounts(app: TestApp): Promise<Record<string, number>> {
  const select = TABLES.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ');
  const [row] = await app.prisma.$queryRawUnsafe<Record<string, number>[]>(`SELECT ${select}`);
  return row!;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  body: {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
    extensions?: Record<string, unknown>;
  } | null;
}

/** Sends a raw request through Yoga's fetch (no JSON encoding, no default headers). */
export async function raw(app: TestApp, init: RequestInit & { url?: string }): Promise<RawResponse> {
  const response = await app.yoga.fetch(init.url ?? 'http://cadence.test/graphql', init);
  const text = await response.text();
  let body: RawResponse['body'] = null;
  try {
    body = JSON.parse(text) as RawResponse['body'];
  } catch {
    // Not JSON (e.g. an empty 415).
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A well-formed key that no one has: authenticating it would cost one lookup. */
export const UNKNOWN_KEY = `cad_${'A'.repeat(43)}`;

/**
 * A server on `url`. Verified keys stay in the key cache for the whole suite, so the statements a
 * case is allowed do not depend on how slow the machine is (a cold key adds one lookup).
 */
export async function startOn(url: string, env: Record<string, string> = {}): Promise<TestApp> {
  return startApp({ env: { DATABASE_URL: url, AUTH_CACHE_TTL_MS: '3600000', ...env } });
}
