// `npm run db:seed`: demo data (and a fresh demo API key), or bulk data for benchmarks and load tests.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { applyMigrations, type MigrationTarget } from '../db/migrations.js';
import { DEMO_EMAIL, issueDemoKey, seedDemo } from '../db/seed/demo.js';
import { seedScale, SeedOptionError, validateScaleOptions, type ScaleSeedResult } from '../db/seed/scale.js';

const HELP = `Usage:
  npm run db:seed
  npm run db:seed -- --users N [--sessions-per-user N] [--messages-per-session N]
                     [--feedback-per-session N] [--keys-out FILE] [--concurrency N]

Without flags: applies pending migrations, then loads the demo data (user ${DEMO_EMAIL} with
job postings, resumes and interview sessions, some completed, some in progress) unless it is
there already, and prints a fresh demo API key on stdout. Earlier demo keys are revoked: only a
hash of each key is stored, so a key can only be shown when it is made.

With --users: bulk data for benchmarks and load tests, into PostgreSQL only (DATABASE_URL).
Applies pending migrations, then adds N users, each with one API key, one job posting, one
resume and their sessions; every session has the given number of messages (questions and
answers alternating) and feedback on its first answers. Emails are seed-<run>-<n>@example.test,
so seeding twice into one database adds a second, independent set. Statistics are refreshed
(ANALYZE) at the end. On failure the run's partial rows are deleted.

Flags:
  --users N                  users to create (turns on bulk mode)
  --sessions-per-user N      interview sessions per user (default 10)
  --messages-per-session N   messages per session (default 20)
  --feedback-per-session N   feedback rows per session, 0 to half the messages (default: one
                             per answer, i.e. half the messages)
  --keys-out FILE            write the users' API keys as JSON [{ "userId", "email", "key" }]
                             (mode 600: the keys are secrets)
  --concurrency N            parallel database connections (default 4)
  -h, --help                 show this help

Environment:
  DATABASE_URL  postgres:// or postgresql:// URL. Required with --users. Without it the demo
                data goes into the embedded PGlite database.
  PGLITE_DIR    directory of the embedded database (default .data/pglite; memory:// for a
                throwaway one).

Examples:
  npm run db:seed
  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cadence npm run db:seed
  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench npm run db:seed -- \\
      --users 2000 --sessions-per-user 10 --messages-per-session 20 --feedback-per-session 5 \\
      --keys-out .data/bench-keys.json

Progress goes to stderr; the demo key (demo mode) or the summary (bulk mode) to stdout.
Exit status: 0 on success, 2 on a usage error, 1 on any other error.`;

/** A mistake in the command line: exit status 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

function parseCount(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got "${value}"`);
  }
  return n;
}

async function main(argv: string[]): Promise<void> {
  const flags = {
    users: { type: 'string' },
    'sessions-per-user': { type: 'string' },
    'messages-per-session': { type: 'string' },
    'feedback-per-session': { type: 'string' },
    'keys-out': { type: 'string' },
    concurrency: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof flags; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP);
    return;
  }

  const users = parseCount('users', values.users, 1);
  const sessionsPerUser = parseCount('sessions-per-user', values['sessions-per-user'], 1);
  const messagesPerSession = parseCount('messages-per-session', values['messages-per-session'], 1);
  const feedbackPerSession = parseCount('feedback-per-session', values['feedback-per-session'], 0);
  const concurrency = parseCount('concurrency', values.concurrency, 1);
  const keysOut = values['keys-out'];
  if (keysOut !== undefined && keysOut.trim() === '') throw new UsageError('--keys-out needs a file name');

  const config = loadConfig();
  if (users === undefined) {
    const stray = ['sessions-per-user', 'messages-per-session', 'feedback-per-session', 'keys-out', 'concurrency'].find(
      (f) => values[f as keyof typeof values] !== undefined,
    );
    if (stray) throw new UsageError(`--${stray} only applies to bulk seeding: add --users N`);
    await seedDemoData(config);
    return;
  }

  const databaseUrl = config.DATABASE_URL;
  if (databaseUrl === undefined) {
    throw new UsageError('bulk seeding (--users) needs PostgreSQL: set DATABASE_URL (the embedded database is too slow for it)');
  }
  const options = {
    databaseUrl,
    users,
    sessionsPerUser: sessionsPerUser ?? 10,
    messagesPerSession: messagesPerSession ?? 20,
    feedbackPerSession,
    keysOut,
    concurrency,
  };
  try {
    validateScaleOptions(options);
  } catch (err) {
    if (err instanceof SeedOptionError) throw new UsageError(toFlagNames(err.message));
    throw err;
  }

  await migrate({ kind: 'postgres', url: databaseUrl });
  const started = performance.now();
  const lastPrinted = new Map<string, number>();
  const result = await seedScale({
    ...options,
    onProgress: ({ table, done, total }) => {
      const now = performance.now();
      // At most one line a second per table, plus its last.
      if (done < total && now - (lastPrinted.get(table) ?? 0) < 1_000) return;
      lastPrinted.set(table, now);
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      console.error(`${table} ${done}/${total} (${pct}%) ${((now - started) / 1000).toFixed(1)}s`);
    },
  });
  console.log(summary(result, keysOut));
}

async function seedDemoData(config: ReturnType<typeof loadConfig>): Promise<void> {
  const database = await openDatabase(config);
  try {
    const where = database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `the embedded database (${config.PGLITE_DIR})`;
    await migrate(
      database.kind === 'postgres' ? { kind: 'postgres', url: config.DATABASE_URL! } : { kind: 'pglite', client: database.pglite },
    );
    const { userId, created } = await seedDemo(database.prisma);
    console.error(
      created ? `Demo data loaded into ${where}: ${DEMO_EMAIL}.` : `Demo data already present in ${where}: ${DEMO_EMAIL}, left as it is.`,
    );
    const key = await issueDemoKey(database.prisma, userId);
    console.error('Demo API key (send it as "Authorization: Bearer <key>"; earlier demo keys are now revoked):');
    console.log(key);
  } finally {
    await database.close();
  }
}

async function migrate(target: MigrationTarget): Promise<void> {
  const { applied } = await applyMigrations(target, { log: (m) => console.error(m) });
  console.error(applied.length === 0 ? 'Schema up to date.' : `Applied migrations: ${applied.join(', ')}`);
}

function summary(r: ScaleSeedResult, keysOut: string | undefined): string {
  const rows = r.users + r.apiKeys + r.jobPostings + r.resumes + r.sessions + r.messages + r.feedback;
  const seconds = r.ms / 1000;
  const fmt = (n: number) => n.toLocaleString('en-US');
  const lines = [
    `Seeded run ${r.runId} in ${seconds.toFixed(1)} s: ${fmt(rows)} rows, ${fmt(Math.round(rows / Math.max(seconds, 0.001)))} rows/s`,
    `  users ${fmt(r.users)}, api_keys ${fmt(r.apiKeys)}, job_postings ${fmt(r.jobPostings)}, resumes ${fmt(r.resumes)}`,
    `  interview_sessions ${fmt(r.sessions)}, session_messages ${fmt(r.messages)}, feedback ${fmt(r.feedback)}`,
    `  emails seed-${r.runId}-<1..${r.users}>@example.test`,
  ];
  lines.push(keysOut ? `  API keys written to ${keysOut}` : '  API keys stored as hashes only (use --keys-out FILE to keep them)');
  return lines.join('\n');
}

/** seedScale speaks in option names; the command line in flags. */
function toFlagNames(message: string): string {
  return message
    .replace(/\bfeedbackPerSession\b/g, '--feedback-per-session')
    .replace(/\bmessagesPerSession\b/g, '--messages-per-session')
    .replace(/\bsessionsPerUser\b/g, '--sessions-per-user')
    .replace(/\busers\b/g, '--users')
    .replace(/\bconcurrency\b/g, '--concurrency');
}

/** One line for any error: pg and Prisma errors included, with no stack trace. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0 && !err.message) return describe(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const message = err.message || String(code ?? err.name);
    return typeof code === 'string' && !message.includes(code) && /^[A-Z0-9_]+$/.test(code) ? `${message} (${code})` : message;
  }
  return String(err);
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || err instanceof ConfigError;
    console.error(`db:seed failed: ${describe(err)}`);
    if (usage && !(err instanceof ConfigError)) console.error('Run `npm run db:seed -- --help` for usage.');
    process.exitCode = usage ? 2 : 1;
  },
);
