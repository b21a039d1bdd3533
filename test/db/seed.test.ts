// The seeds against real databases: the demo on in-memory PGlite, the bulk seed on a scratch PostgreSQL database.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { authenticate } from '../../src/auth/api-keys.js';
import { INTERVIEW_LENGTH } from '../../src/coach/index.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, useDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrations.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { DEMO_EMAIL, DEMO_KEY_NAME, FALLBACK_ANSWERS, issueDemoKey, seedDemo } from '../../src/db/seed/demo.js';
import { seedScale, SeedOptionError, validateScaleOptions, type ScaleSeedResult, type SeededKey } from '../../src/db/seed/scale.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('demo seed on embedded PGlite', () => {
  let database: Database;
  let userId: string;

  beforeAll(async () => {
    database = await openDatabase(loadConfig({ NODE_ENV: 'test', PGLITE_DIR: 'memory://' }));
    if (database.kind !== 'pglite') throw new Error('expected PGlite');
    await applyMigrations({ kind: 'pglite', client: database.pglite });
    const result = await seedDemo(database.prisma);
    expect(result.created).toBe(true);
    userId = result.userId;
  });
  afterAll(async () => {
    await database?.close();
  });

  test('creates the demo candidate with three job postings, two resumes and six sessions', async () => {
    const user = await database.prisma.user.findUniqueOrThrow({
      where: { email: DEMO_EMAIL },
      include: { jobPostings: true, resumes: true, sessions: true },
    });
    expect(user.id).toBe(userId);
    expect(user.name).toBe('Demo Candidate');
    expect(user.jobPostings).toHaveLength(3);
    expect(new Set(user.jobPostings.map((p) => p.title)).size).toBe(3);
    for (const posting of user.jobPostings) {
      expect(posting.skills.length).toBeGreaterThanOrEqual(3);
      expect(posting.description.length).toBeGreaterThan(1_000);
    }
    expect(user.resumes).toHaveLength(2);
    expect(user.sessions).toHaveLength(6);
  });

  test('gives every session messages numbered from 1 that alternate between interviewer and candidate', async () => {
    const sessions = await database.prisma.interviewSession.findMany({
      where: { userId },
      include: { messages: { orderBy: { seq: 'asc' } } },
    });
    for (const session of sessions) {
      expect(session.messages.length).toBeGreaterThan(0);
      session.messages.forEach((message, i) => {
        expect(message.seq).toBe(i + 1);
        expect(message.role).toBe(i % 2 === 0 ? 'INTERVIEWER' : 'CANDIDATE');
        expect(message.content.trim()).not.toBe('');
        if (i > 0) expect(message.createdAt.getTime()).toBeGreaterThan(session.messages[i - 1]!.createdAt.getTime());
      });
    }
  });

  test("gives every answer the coach's feedback and a succeeded feedback operation", async () => {
    const answers = await database.prisma.sessionMessage.findMany({
      where: { session: { userId }, role: 'CANDIDATE' },
      include: { feedback: true, operations: true },
    });
    expect(answers.length).toBeGreaterThanOrEqual(20);
    for (const answer of answers) {
      expect(answer.feedback).not.toBeNull();
      expect(answer.feedback!.sessionId).toBe(answer.sessionId);
      expect(answer.feedback!.score).toBeGreaterThanOrEqual(0);
      expect(answer.feedback!.score).toBeLessThanOrEqual(100);
      expect(answer.feedback!.summary).not.toBe('');
      expect(answer.operations).toEqual([
        expect.objectContaining({ kind: 'ANSWER_FEEDBACK', status: 'SUCCEEDED', attempts: 1, sessionId: answer.sessionId }),
      ]);
      expect(answer.operations[0]!.startedAt).toBeInstanceOf(Date);
      expect(answer.operations[0]!.finishedAt).toBeInstanceOf(Date);
    }
    // Strong and weak answers both: the demo shows the range of feedback.
    const scores = answers.map((a) => a.feedback!.score);
    expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThanOrEqual(30);
  });

  test('completes some sessions with session feedback and leaves others awaiting an answer', async () => {
    const sessions = await database.prisma.interviewSession.findMany({
      where: { userId },
      include: { messages: { orderBy: { seq: 'asc' } }, feedback: true, operations: true },
    });
    const completed = sessions.filter((s) => s.status === 'COMPLETED');
    const active = sessions.filter((s) => s.status === 'ACTIVE');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(active.length).toBeGreaterThanOrEqual(1);
    for (const session of completed) {
      expect(session.completedAt).toBeInstanceOf(Date);
      expect(session.messages).toHaveLength(2 * INTERVIEW_LENGTH);
      const sessionFeedback = session.feedback.filter((f) => f.messageId === null);
      expect(sessionFeedback).toHaveLength(1);
      expect(
        session.operations.filter((o) => o.kind === 'SESSION_FEEDBACK' && o.status === 'SUCCEEDED' && o.messageId === null),
      ).toHaveLength(1);
    }
    for (const session of active) {
      expect(session.completedAt).toBeNull();
      expect(session.messages.at(-1)!.role).toBe('INTERVIEWER');
      expect(session.messages.length).toBeLessThan(2 * INTERVIEW_LENGTH);
      expect(session.feedback.filter((f) => f.messageId === null)).toHaveLength(0);
      expect(session.operations.some((o) => o.kind === 'SESSION_FEEDBACK')).toBe(false);
    }
  });

  test('spreads the sessions over the past weeks, the newest one still in progress', async () => {
    const sessions = await database.prisma.interviewSession.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } });
    const times = sessions.map((s) => s.createdAt.getTime());
    expect(new Set(times).size).toBe(sessions.length);
    expect(times[0]! - times.at(-1)!).toBeGreaterThan(14 * 86_400_000);
    expect(times[0]!).toBeLessThanOrEqual(Date.now());
    expect(sessions[0]!.status).toBe('ACTIVE');
  });

  test('answers the questions the coach asked rather than falling back to generic answers', async () => {
    // The scripted answers were written for the questions the coach plans for the demo's session ids. If this fails,
    // the coach's question bank changed: update the answers in src/db/seed/demo.ts to fit the new questions.
    const sessions = await database.prisma.interviewSession.findMany({
      where: { userId },
      include: { messages: { orderBy: { seq: 'asc' } } },
    });
    const answers = sessions.flatMap((s) => s.messages.filter((m) => m.role === 'CANDIDATE').map((m) => m.content));
    expect(answers.filter((a) => Object.values(FALLBACK_ANSWERS).includes(a as never))).toEqual([]);
    expect(new Set(answers).size).toBe(answers.length);
  });

  test('returns the existing demo user and adds nothing when run again', async () => {
    const count = async () =>
      Promise.all([
        database.prisma.user.count(),
        database.prisma.interviewSession.count(),
        database.prisma.sessionMessage.count(),
        database.prisma.feedback.count(),
        database.prisma.operation.count(),
      ]);
    const before = await count();
    await expect(seedDemo(database.prisma)).resolves.toEqual({ userId, created: false });
    expect(await count()).toEqual(before);
  });

  test('issues a fresh demo key and revokes the one issued before it', async () => {
    const first = await issueDemoKey(database.prisma, userId);
    const second = await issueDemoKey(database.prisma, userId);
    expect(second).not.toBe(first);
    const keys = await database.prisma.apiKey.findMany({ where: { userId, name: DEMO_KEY_NAME } });
    const byHash = new Map(keys.map((k) => [k.hash, k]));
    expect(byHash.get(sha256(first))?.revokedAt).toBeInstanceOf(Date);
    expect(byHash.get(sha256(second))?.revokedAt).toBeNull();
    expect(keys.filter((k) => k.revokedAt === null)).toHaveLength(1);
  });
});

describe('scale seed on PostgreSQL', () => {
  let scratch: ScratchDatabase | undefined;
  let url: string;
  let client: pg.Client;
  let database: Database | undefined;
  let dir: string;
  let keysFile: string;
  let result: ScaleSeedResult;
  const size = { users: 20, sessionsPerUser: 3, messagesPerSession: 6, feedbackPerSession: 2 };

  beforeAll(async () => {
    scratch = await createScratchDatabase('cadence_seed_test');
    url = scratch.url;
    dir = await mkdtemp(path.join(tmpdir(), 'cadence-seed-'));
    keysFile = path.join(dir, 'keys.json');
    result = await seedScale({ databaseUrl: url, ...size, keysOut: keysFile, concurrency: 3 });
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await scratch?.drop();
  });

  const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);

  test('creates exactly the requested number of rows in every table', async () => {
    const expected = {
      users: 20,
      api_keys: 20,
      job_postings: 20,
      resumes: 20,
      interview_sessions: 60,
      session_messages: 360,
      feedback: 120,
    };
    for (const [table, n] of Object.entries(expected)) {
      expect(await count(`SELECT count(*) AS n FROM ${table}`), table).toBe(n);
    }
    expect(result).toMatchObject({
      users: 20,
      apiKeys: 20,
      jobPostings: 20,
      resumes: 20,
      sessions: 60,
      messages: 360,
      feedback: 120,
    });
  });

  test('links every row to rows of the same user and session', async () => {
    // Sessions use their own user's posting and resume.
    expect(
      await count(`SELECT count(*) AS n FROM interview_sessions s
                   JOIN job_postings p ON p.id = s.job_posting_id JOIN resumes r ON r.id = s.resume_id
                   WHERE p.user_id <> s.user_id OR r.user_id <> s.user_id`),
    ).toBe(0);
    // Feedback is on an answer of its own session.
    expect(
      await count(`SELECT count(*) AS n FROM feedback f JOIN session_messages m ON m.id = f.message_id
                   WHERE m.session_id = f.session_id AND m.role = 'CANDIDATE'`),
    ).toBe(120);
    expect(await count(`SELECT count(*) AS n FROM feedback WHERE score NOT BETWEEN 0 AND 100 OR summary = ''`)).toBe(0);
    // Every user has their key, posting and resume.
    expect(
      await count(`SELECT count(*) AS n FROM users u WHERE
                   (SELECT count(*) FROM api_keys k WHERE k.user_id = u.id) <> 1 OR
                   (SELECT count(*) FROM job_postings p WHERE p.user_id = u.id) <> 1 OR
                   (SELECT count(*) FROM resumes r WHERE r.user_id = u.id) <> 1 OR
                   (SELECT count(*) FROM interview_sessions s WHERE s.user_id = u.id) <> 3`),
    ).toBe(0);
  });

  test('numbers each transcript 1..N with interviewer and candidate alternating', async () => {
    const { rows } = await client.query<{ session_id: string; seqs: number[]; roles: string[] }>(
      `SELECT session_id, array_agg(seq ORDER BY seq) AS seqs, array_agg(role::text ORDER BY seq) AS roles
       FROM session_messages GROUP BY session_id`,
    );
    expect(rows).toHaveLength(60);
    for (const row of rows) {
      expect(row.seqs).toEqual([1, 2, 3, 4, 5, 6]);
      expect(row.roles).toEqual(['INTERVIEWER', 'CANDIDATE', 'INTERVIEWER', 'CANDIDATE', 'INTERVIEWER', 'CANDIDATE']);
    }
  });

  test('mixes active and completed sessions, only completed ones having a completion time', async () => {
    const { rows } = await client.query<{ status: string; n: string; with_completion: string }>(
      `SELECT status::text, count(*) AS n, count(completed_at) AS with_completion FROM interview_sessions GROUP BY status`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.status, { n: Number(r.n), completed: Number(r.with_completion) }]));
    expect(by.COMPLETED!.n).toBeGreaterThan(0);
    expect(by.ACTIVE!.n).toBeGreaterThan(0);
    expect(by.COMPLETED!.completed).toBe(by.COMPLETED!.n);
    expect(by.ACTIVE!.completed).toBe(0);
    expect(await count(`SELECT count(DISTINCT date_trunc('day', created_at)) AS n FROM interview_sessions`)).toBeGreaterThan(10);
  });

  test('writes keys whose hashes are stored and which authenticate as their user', async () => {
    const info = await stat(keysFile);
    expect(info.mode & 0o077).toBe(0);
    const keys = JSON.parse(await readFile(keysFile, 'utf8')) as SeededKey[];
    expect(keys).toHaveLength(20);
    const { rows } = await client.query<{ user_id: string; hash: string; email: string }>(
      'SELECT k.user_id, k.hash, u.email FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.revoked_at IS NULL',
    );
    const stored = new Map(rows.map((r) => [r.hash, r]));
    for (const entry of keys) {
      expect(entry.email).toMatch(new RegExp(`^seed-${result.runId}-\\d+@example\\.test$`));
      expect(stored.get(sha256(entry.key))).toEqual({ user_id: entry.userId, hash: sha256(entry.key), email: entry.email });
    }
    database = await openDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url }));
    useDatabase(database);
    const viewer = await authenticate(`Bearer ${keys[7]!.key}`);
    expect(viewer?.userId).toBe(keys[7]!.userId);
  });

  test('seeds a second run into the same database without colliding', async () => {
    const again = await seedScale({ databaseUrl: url, users: 2, sessionsPerUser: 1, messagesPerSession: 2 });
    expect(again.runId).not.toBe(result.runId);
    expect(again).toMatchObject({ users: 2, sessions: 1 * 2, messages: 4, feedback: 2 });
    expect(await count('SELECT count(*) AS n FROM users')).toBe(22);
  });

  test('refuses more feedback per session than a session has answers', () => {
    expect(() =>
      validateScaleOptions({ databaseUrl: url, users: 1, sessionsPerUser: 1, messagesPerSession: 6, feedbackPerSession: 4 }),
    ).toThrow(SeedOptionError);
    expect(() => validateScaleOptions({ databaseUrl: url, users: 0, sessionsPerUser: 1, messagesPerSession: 6 })).toThrow(/users/);
  });
});

describe('db:seed command line', () => {
  const run = promisify(execFile);
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const cli = async (args: string[], env: Record<string, string | undefined> = {}) => {
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    try {
      const { stdout, stderr } = await run(tsx, [path.join(root, 'src/cli/db-seed.ts'), ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: '', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  test('rejects a flag value that is not a positive integer with exit status 2 and no stack trace', async () => {
    const { code, stderr } = await cli(['--users', '12x']);
    expect(code).toBe(2);
    expect(stderr).toContain('--users must be a positive integer, got "12x"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('asks for DATABASE_URL when bulk seeding without one', async () => {
    const { code, stderr } = await cli(['--users', '3']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/DATABASE_URL/);
  });
});
