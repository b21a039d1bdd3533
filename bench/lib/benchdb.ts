// The bench database: one PostgreSQL database seeded at the issue's size, created on first use and
// reused afterwards when its row counts and API keys still match (reseeding takes ~10 s, but
// the benchmark should measure the same data every time).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { applyMigrations } from '../../src/db/migrations.js';
import { seedScale, type SeededKey } from '../../src/db/seed/scale.js';
import { BenchError, DATA_DIR, log } from './cli.js';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/cadence_bench';

/** The size issue 3's benchmark prescribes (the 1× data set). */
export const SEED_SIZE = {
  users: 2000,
  sessionsPerUser: 10,
  messagesPerSession: 20,
  feedbackPerSession: 5,
} as const;

export type SeedSize = { readonly [K in keyof typeof SEED_SIZE]: number };

/** Data sets the load test can run on: 1× (the bench's) and 10× the users (issue 12). */
export const DATA_SCALES = ['1x', '10x'] as const;
export type DataScale = (typeof DATA_SCALES)[number];

export interface DataSet {
  scale: DataScale;
  size: SeedSize;
  /** Default database URL; each scale has its own database so neither reseeds the other. */
  defaultUrl: string;
  keysFile: string;
  metaFile: string;
}

export function dataSet(scale: DataScale): DataSet {
  if (scale === '1x') {
    return { scale, size: SEED_SIZE, defaultUrl: DEFAULT_DATABASE_URL, keysFile: KEYS_FILE, metaFile: META_FILE };
  }
  return {
    scale,
    size: { ...SEED_SIZE, users: SEED_SIZE.users * 10 },
    defaultUrl: 'postgresql://postgres@127.0.0.1:5432/cadence_bench_10x',
    keysFile: path.join(DATA_DIR, 'keys-10x.json'),
    metaFile: path.join(DATA_DIR, 'seed-10x.json'),
  };
}

export function expectedRows(size: SeedSize): Record<string, number> {
  return {
    users: size.users,
    interview_sessions: size.users * size.sessionsPerUser,
    session_messages: size.users * size.sessionsPerUser * size.messagesPerSession,
    feedback: size.users * size.sessionsPerUser * size.feedbackPerSession,
  };
}

export const EXPECTED_ROWS = expectedRows(SEED_SIZE);

export const KEYS_FILE = path.join(DATA_DIR, 'keys.json');
const META_FILE = path.join(DATA_DIR, 'seed.json');

interface SeedMeta {
  database: string;
  runId: string;
  /** ISO time the seed finished; every seeded session is older, anything newer came from a load test. */
  seededAt: string;
  size: SeedSize;
}

export interface BenchDatabase {
  url: string;
  name: string;
  keys: SeededKey[];
  /** What happened: reused as is, reused after removing load-test leftovers, or seeded now. */
  state: 'reused' | 'cleaned' | 'seeded';
  rows: Record<string, number>;
  /** When the seed finished: every seeded row is older. */
  seededAt: string;
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new BenchError(`unsupported database name in ${redact(url)}: use letters, digits and _`);
  return name;
}

export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** Connects once, with a short timeout, and turns the usual failures into one clear sentence. */
export async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const where = new URL(url);
    const hint =
      e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || /timeout/i.test(e.message)
        ? `\nStart it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` +
          `\n(or point --database-url / BENCH_DATABASE_URL at a reachable PostgreSQL)`
        : '';
    throw new BenchError(`PostgreSQL is not reachable at ${where.hostname}:${where.port || 5432} (${e.code ?? ''} ${e.message}).${hint}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Makes sure the bench database exists, is migrated and holds exactly the seeded data set, and
 * returns its API keys. Reuses an existing seed when its row counts and keys match; removes
 * sessions a load test left behind (anything created after the seed); reseeds otherwise.
 */
export async function ensureBenchDatabase(url: string, opts: { reseed?: boolean; data?: DataSet } = {}): Promise<BenchDatabase> {
  const data = opts.data ?? dataSet('1x');
  const name = databaseName(url);
  await checkReachable(adminUrl(url));
  const admin = new pg.Client({ connectionString: adminUrl(url), connectionTimeoutMillis: 3000 });
  await admin.connect();
  let exists: boolean;
  try {
    exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (exists && opts.reseed) {
      log(`bench db: --reseed: dropping ${name}`);
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      exists = false;
    }
    if (!exists) {
      log(`bench db: creating database ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.end().catch(() => {});
  }

  const { applied } = await applyMigrations({ kind: 'postgres', url });
  if (applied.length) log(`bench db: applied migrations ${applied.join(', ')}`);

  if (exists) {
    const reused = await tryReuse(url, name, data);
    if (reused) return reused;
    log(`bench db: ${name} does not hold the expected seed; reseeding it`);
    await resetSchema(url);
    await applyMigrations({ kind: 'postgres', url });
  }
  return seed(url, name, data);
}

async function tryReuse(url: string, name: string, data: DataSet): Promise<BenchDatabase | null> {
  const meta = await readJson<SeedMeta>(data.metaFile);
  const keys = await readJson<SeededKey[]>(data.keysFile);
  if (!meta || !keys || meta.database !== name || JSON.stringify(meta.size) !== JSON.stringify(data.size)) {
    log(`bench db: no matching seed record in ${path.relative(process.cwd(), data.metaFile)}`);
    return null;
  }
  if (keys.length !== data.size.users) return null;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Load tests add sessions (with messages, feedback, operations) and delete them when done;
    // an interrupted one may leave some behind. Seeded sessions are all older than the seed.
    const leftovers = await client.query('DELETE FROM interview_sessions WHERE created_at >= $1', [meta.seededAt]);
    const cleaned = (leftovers.rowCount ?? 0) > 0;
    if (cleaned) log(`bench db: removed ${leftovers.rowCount} sessions created after the seed (load-test leftovers)`);
    // Every load test deletes what it created, leaving dead rows; where autovacuum is off (as on
    // the CI machines) they pile up from run to run and the next run's scans wade through them.
    await client.query('VACUUM ANALYZE interview_sessions, session_messages, feedback, operations');
    const rows = await countRows(client);
    const mismatch = Object.entries(expectedRows(data.size)).filter(([table, n]) => rows[table] !== n);
    if (mismatch.length) {
      log(`bench db: row counts differ: ${mismatch.map(([t, n]) => `${t} ${rows[t]} (want ${n})`).join(', ')}`);
      return null;
    }
    const hashes = keys.map((k) => hashApiKey(k.key));
    const live = await client.query<{ n: string }>('SELECT count(*) AS n FROM api_keys WHERE hash = ANY($1) AND revoked_at IS NULL', [
      hashes,
    ]);
    if (Number(live.rows[0]!.n) !== keys.length) {
      log('bench db: the stored API keys do not match the database');
      return null;
    }
    log(`bench db: reusing ${name} (${formatRows(rows)})`);
    return { url, name, keys, state: cleaned ? 'cleaned' : 'reused', rows, seededAt: meta.seededAt };
  } finally {
    await client.end().catch(() => {});
  }
}

async function resetSchema(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  } finally {
    await client.end().catch(() => {});
  }
}

async function seed(url: string, name: string, data: DataSet): Promise<BenchDatabase> {
  await mkdir(DATA_DIR, { recursive: true, mode: 0o700 });
  const size = data.size;
  log(
    `bench db: seeding ${name} (${data.scale}): ${size.users} users × ${size.sessionsPerUser} sessions × ${size.messagesPerSession} messages`,
  );
  let last = 0;
  const t0 = Date.now();
  const tableStart = new Map<string, number>();
  const result = await seedScale({
    databaseUrl: url,
    ...size,
    keysOut: data.keysFile,
    onProgress: ({ table, done, total }) => {
      const now = Date.now();
      if (!tableStart.has(table)) tableStart.set(table, now);
      // Every 5 s for the big data set: the rate and an estimate of what is left.
      if (now - last > (data.scale === '1x' ? 1000 : 5000) || done === total) {
        last = now;
        const s = (now - tableStart.get(table)!) / 1000;
        const rate = s > 0 ? done / s : 0;
        const eta = rate > 0 && done < total ? `, ~${Math.round((total - done) / rate)} s left` : '';
        log(`  ${table} ${done}/${total} (${Math.round((now - t0) / 1000)} s${rate ? `, ${Math.round(rate)}/s` : ''}${eta})`);
      }
    },
  });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let rows: Record<string, number>;
  try {
    // Visibility map for index-only scans, fresh statistics: the first round should not differ from the last.
    await client.query('VACUUM ANALYZE');
    rows = await countRows(client);
  } finally {
    await client.end().catch(() => {});
  }
  const meta: SeedMeta = { database: name, runId: result.runId, seededAt: new Date().toISOString(), size };
  await writeFile(data.metaFile, `${JSON.stringify(meta, null, 1)}\n`);
  const keys = (await readJson<SeededKey[]>(data.keysFile)) ?? [];
  log(`bench db: seeded in ${(result.ms / 1000).toFixed(1)} s (${formatRows(rows)})`);
  return { url, name, keys, state: 'seeded', rows, seededAt: meta.seededAt };
}

async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const res = await client.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM users) AS users,
            (SELECT count(*) FROM interview_sessions) AS interview_sessions,
            (SELECT count(*) FROM session_messages) AS session_messages,
            (SELECT count(*) FROM feedback) AS feedback`,
  );
  return Object.fromEntries(Object.entries(res.rows[0]!).map(([k, v]) => [k, Number(v)]));
}

function formatRows(rows: Record<string, number>): string {
  return Object.entries(rows)
    .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
    .join(', ');
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Keys for the keys file of a server the bench did not seed (`--keys-file`). */
export async function readKeysFile(file: string): Promise<SeededKey[]> {
  const keys = await readJson<SeededKey[]>(file);
  if (!Array.isArray(keys) || keys.length === 0 || typeof keys[0]?.key !== 'string') {
    throw new BenchError(`no API keys in ${file} (expected [{ "userId", "email", "key" }], as written by the seed)`);
  }
  return keys;
}
