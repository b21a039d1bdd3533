// Index use, proven on a database of realistic shape: every statement the frontend's read
// operations issue is EXPLAINed, and none may scan sessions, messages, feedback or keys
// sequentially. A session of 1,000 messages shows that messages(first: N) reads N+1 rows of it.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { sessionOptions } from '../../src/db/client.js';
import { seedScale, type SeededKey } from '../../src/db/seed/scale.js';
import { startApp, type TestApp } from '../support/app.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { ok } from '../support/fixtures.js';

const WATCHED = ['interview_sessions', 'session_messages', 'feedback', 'api_keys', 'job_postings', 'resumes'];
const operation = (name: string) => readFileSync(new URL(`../../schema/operations/${name}.graphql`, import.meta.url), 'utf8');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

let scratch: ScratchDatabase;
let url: string;
let client: pg.Client;
let app: TestApp;
let tmp: string;
let user: SeededKey;
let bigSessionId: string;

beforeAll(async () => {
  scratch = await createScratchDatabase('cadence_explain');
  url = scratch.url;
  tmp = await mkdtemp(path.join(tmpdir(), 'cadence-explain-'));
  const keysOut = path.join(tmp, 'keys.json');
  // 300 users × 10 sessions × 20 messages: 60,000 messages, 15,000 feedback rows.
  await seedScale({ databaseUrl: url, users: 300, sessionsPerUser: 10, messagesPerSession: 20, feedbackPerSession: 5, keysOut });
  user = (JSON.parse(readFileSync(keysOut, 'utf8')) as SeededKey[])[0]!;
  client = new pg.Client({ connectionString: url });
  await client.connect();
  // The user's newest session grows to 1,000 messages.
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM interview_sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [user.userId],
  );
  bigSessionId = rows[0]!.id;
  await client.query(
    `INSERT INTO session_messages (id, session_id, seq, role, content)
     SELECT gen_random_uuid(), $1, 20 + g, CASE WHEN g % 2 = 1 THEN 'INTERVIEWER'::"MessageRole" ELSE 'CANDIDATE'::"MessageRole" END, repeat('word ', 60)
     FROM generate_series(1, 980) AS g`,
    [bigSessionId],
  );
  await client.query('ANALYZE');
  await client.end();
  // EXPLAIN on a connection set up exactly like the server's own.
  client = new pg.Client({ connectionString: url, options: sessionOptions(loadConfig({ DATABASE_URL: url })) });
  await client.connect();
  app = await startApp({ env: { DATABASE_URL: url } });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await client?.end();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  await scratch?.drop();
});

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(sql: string, params: string, analyze = false): Promise<PlanNode> {
  const values = JSON.parse(params) as unknown[];
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) ${sql}`,
    values,
  );
  return rows[0]!['QUERY PLAN'][0].Plan;
}

async function statementsOf(name: string, variables: Record<string, unknown>) {
  const { result, statements } = await app.recordSql(() => app.request(operation(name), { key: user.key, variables }));
  ok(result);
  return statements;
}

describe('on a database of realistic size', () => {
  it.each([
    ['SessionsList', () => ({ first: 20 })],
    ['SessionsList', () => ({ first: 20, status: 'COMPLETED' })],
    ['SessionDetail', () => ({ id: globalId(bigSessionId) })],
    ['SessionMessages', () => ({ id: globalId(bigSessionId), first: 20 })],
    ['SessionFeedback', () => ({ id: globalId(bigSessionId) })],
    ['JobPostings', () => ({ first: 20 })],
    ['Resumes', () => ({ first: 20 })],
    ['Viewer', () => ({})],
  ])('%s uses indexes for every table it reads (%#)', async (name, vars) => {
    const statements = await statementsOf(name, vars());
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const plan = await explain(statement.sql, statement.params);
      const seqScans = nodes(plan)
        .filter((n) => n['Node Type'] === 'Seq Scan' && WATCHED.includes(n['Relation Name'] ?? ''))
        .map((n) => n['Relation Name']);
      expect(seqScans, statement.sql).toEqual([]);
    }
  });

  it('reads at most first + 1 messages of a 1,000-message session for messages(first: N)', async () => {
    // No totalCount here: counting is a separate, index-driven aggregate (checked above).
    const query = `query Page($id: ID!, $first: Int!) { session(id: $id) { messages(first: $first) { edges { node { id seq content } } } } }`;
    for (const first of [1, 10, 100]) {
      const { result, statements } = await app.recordSql(() =>
        app.request(query, { key: user.key, variables: { id: globalId(bigSessionId), first } }),
      );
      ok(result);
      const page = statements.find((s) => s.sql.includes('session_messages'))!;
      const plan = await explain(page.sql, page.params, true);
      const reads = nodes(plan).filter((n) => n['Relation Name'] === 'session_messages');
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        expect(read['Node Type']).toMatch(/Index/);
        // One extra row tells the connection whether there is a next page.
        expect((read['Actual Rows'] ?? 0) * (read['Actual Loops'] ?? 1)).toBeLessThanOrEqual(first + 1);
      }
    }
  });

  it('reads at most 11 messages per session for the sessions list preview, whatever the session length', async () => {
    const statements = await statementsOf('SessionsList', { first: 20 });
    const list = statements.find((s) => s.sql.includes('interview_sessions'))!;
    const plan = await explain(list.sql, list.params, true);
    const reads = nodes(plan).filter((n) => n['Relation Name'] === 'session_messages');
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(read['Node Type']).toMatch(/Index/);
      expect(read['Actual Rows'] ?? 0).toBeLessThanOrEqual(11);
    }
  });
});

function globalId(id: string): string {
  return Buffer.from(`InterviewSession:${id}`).toString('base64url');
}
