// The compiled statements use the indexes, on a database of realistic shape: every variant of
// every compiled plan (filters and cursors, present or not) is EXPLAINed with values and as the
// generic plan a prepared statement falls back to, and none may scan the watched tables
// sequentially. With ANALYZE, the page reads first + 1 sessions and at most 10 messages per session,
// whatever the transcript's length (one session here has 1,000 messages).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanRegistry } from '../../src/compiled/registry.js';
import { loadConfig } from '../../src/config.js';
import { sessionOptions } from '../../src/db/client.js';
import { seedScale, type SeededKey } from '../../src/db/seed/scale.js';
import { loadManifest } from '../../src/policy/persisted.js';
import { schema } from '../../src/schema/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { cursorFor } from './support.js';

const WATCHED = ['interview_sessions', 'session_messages', 'feedback', 'job_postings', 'resumes', 'api_keys', 'users', 'operations'];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

let scratch: ScratchDatabase;
let client: pg.Client;
let tmp: string;
let user: SeededKey;
let sessionIds: string[];
const registry = new PlanRegistry(schema, loadManifest().values());

beforeAll(async () => {
  scratch = await createScratchDatabase('cadence_compiled_explain');
  tmp = await mkdtemp(path.join(tmpdir(), 'cadence-compiled-explain-'));
  const keysOut = path.join(tmp, 'keys.json');
  // 200 users × 10 sessions × 20 messages: 40,000 messages, 10,000 feedback rows.
  await seedScale({ databaseUrl: scratch.url, users: 200, sessionsPerUser: 10, messagesPerSession: 20, feedbackPerSession: 5, keysOut });
  user = (JSON.parse(readFileSync(keysOut, 'utf8')) as SeededKey[])[0]!;
  client = new pg.Client({ connectionString: scratch.url, options: sessionOptions(loadConfig({ DATABASE_URL: scratch.url })) });
  await client.connect();
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM interview_sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
    [user.userId],
  );
  sessionIds = rows.map((r) => r.id);
  await client.query(
    `INSERT INTO session_messages (id, session_id, seq, role, content)
     SELECT gen_random_uuid(), $1, 20 + g, 'CANDIDATE'::"MessageRole", repeat('word ', 60) FROM generate_series(1, 980) AS g`,
    [sessionIds[0]],
  );
  // The seeder writes no async work records: two finished ones per session, as a used database has.
  await client.query(
    `INSERT INTO operations (id, session_id, kind, status, attempts, finished_at)
     SELECT gen_random_uuid(), s.id, k.kind::"OperationKind", 'SUCCEEDED', 1, now()
     FROM interview_sessions s CROSS JOIN (VALUES ('ANSWER_FEEDBACK'), ('SESSION_FEEDBACK')) AS k(kind)`,
  );
  await client.query('ANALYZE');
}, 120_000);

afterAll(async () => {
  await client?.end();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  await scratch?.drop();
});

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

async function explain(sql: string, params: unknown[], analyze: boolean): Promise<PlanNode> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) ${sql}`,
    params,
  );
  return rows[0]!['QUERY PLAN'][0].Plan;
}

/** The plan PostgreSQL uses once a prepared statement goes generic (parameters unknown). */
async function explainGeneric(sql: string, params: unknown[]): Promise<PlanNode> {
  await client.query(`PREPARE compiled_probe AS ${sql}`);
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    const placeholders = params.map((p) => `'${String(p).replace(/'/g, "''")}'`).join(', ');
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) EXECUTE compiled_probe(${placeholders})`,
    );
    return rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('RESET plan_cache_mode');
    await client.query('DEALLOCATE compiled_probe');
  }
}

describe('compiled statements', () => {
  const sessionsList = () => registry.plans().find((p) => p.operationName === 'SessionsList')!;

  it('covers every statement variant of SessionsList with the variable sets below', () => {
    const bound = variableSets().map((v) => sessionsList().bind(v, '00000000-0000-4000-8000-000000000000')!.sql);
    expect(new Set(bound)).toEqual(new Set(sessionsList().statements()));
  });

  it.each(variableSets().map((v) => [JSON.stringify(v), v] as const))(
    'SessionsList %s scans no watched table sequentially, custom or generic',
    async (_name, variables) => {
      const vars = { ...variables, ...(variables.after ? { after: cursorFor(sessionIds[3]!) } : {}) };
      const bound = sessionsList().bind(vars, user.userId)!;
      for (const plan of [await explain(bound.sql, bound.params, false), await explainGeneric(bound.sql, bound.params)]) {
        const seqScans = nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && WATCHED.includes(n['Relation Name'] ?? ''));
        expect(seqScans.map((n) => n['Relation Name'])).toEqual([]);
        const reads = nodes(plan)
          .filter((n) => n['Relation Name'] === 'interview_sessions')
          .map((n) => n['Node Type']);
        expect(reads.length, JSON.stringify(reads)).toBeGreaterThan(0);
        for (const read of reads) expect(read).toMatch(/Index|Bitmap Heap Scan/);
      }
    },
  );

  it('reads first + 1 sessions and at most 10 messages of each, even of a 1,000-message session', async () => {
    for (const first of [1, 5, 10]) {
      const bound = sessionsList().bind({ first }, user.userId)!;
      const plan = await explain(bound.sql, bound.params, true);
      const reads = nodes(plan).filter((n) => n['Relation Name'] === 'session_messages');
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        expect(read['Node Type']).toMatch(/Index/);
        expect(read['Actual Rows'] ?? 0).toBeLessThanOrEqual(10);
      }
      const sessions = nodes(plan).filter((n) => n['Relation Name'] === 'interview_sessions' && n['Actual Loops'] === 1);
      for (const read of sessions) expect(read['Actual Rows'] ?? 0).toBeLessThanOrEqual(first + 1);
    }
  });
});

describe('compiled SessionDetail', () => {
  it('reads sessions by primary key and everything else by index, at most 51 messages of 1,000', async () => {
    const plan = registry.plans().find((p) => p.operationName === 'SessionDetail')!;
    const id = Buffer.from(`InterviewSession:${sessionIds[0]}`).toString('base64url');
    const bound = plan.bind({ id }, user.userId)!;
    expect(plan.statements()).toEqual([bound.sql]);
    for (const analyzed of [await explain(bound.sql, bound.params, true), await explainGeneric(bound.sql, bound.params)]) {
      const all = nodes(analyzed);
      expect(
        all.filter((n) => n['Node Type'] === 'Seq Scan' && WATCHED.includes(n['Relation Name'] ?? '')).map((n) => n['Relation Name']),
      ).toEqual([]);
      for (const read of all.filter(
        (n) => n['Relation Name'] === 'session_messages' && n['Actual Rows'] !== undefined && !/Aggregate/.test(n['Node Type']),
      )) {
        // The page reads 51 rows; counting messages (messageCount) reads the index only.
        expect(read['Node Type']).toMatch(/Index/);
      }
    }
    const analyzed = await explain(bound.sql, bound.params, true);
    const pageReads = nodes(analyzed).filter((n) => n['Relation Name'] === 'session_messages' && n['Node Type'] === 'Index Scan');
    expect(pageReads.length).toBeGreaterThan(0);
    for (const read of pageReads) expect(read['Actual Rows'] ?? 0).toBeLessThanOrEqual(51);
  });
});

describe('every compiled plan', () => {
  const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');
  /** Variable sets per operation that reach every statement variant of its plan (checked below). */
  async function variablesOf(operation: string): Promise<Record<string, unknown>[]> {
    const one = async (sql: string) => (await client.query<{ id: string }>(sql, [user.userId])).rows[0]!.id;
    const session = globalId('InterviewSession', sessionIds[0]!);
    switch (operation) {
      case 'SessionsList':
        return variableSets();
      case 'SessionDetail':
      case 'SessionFeedback':
        return [{ id: session }];
      case 'SessionMessages': {
        const middle = (
          await client.query<{ id: string }>('SELECT id FROM session_messages WHERE session_id = $1 AND seq = 500', [sessionIds[0]])
        ).rows[0]!.id;
        return [
          { id: session, first: 20 },
          { id: session, first: 20, after: cursorFor(middle) },
        ];
      }
      case 'JobPostings':
      case 'Resumes': {
        const table = operation === 'JobPostings' ? 'job_postings' : 'resumes';
        const row = await one(`SELECT id FROM ${table} WHERE user_id = $1 LIMIT 1`);
        return [{ first: 20 }, { first: 20, after: cursorFor(row) }];
      }
      case 'Viewer':
        return [{}];
      default:
        throw new Error(`no variable sets for ${operation}: add them here`);
    }
  }

  it('scans no watched table sequentially in any variant, custom or generic', async () => {
    let checked = 0;
    for (const plan of registry.plans()) {
      const bound = await Promise.all((await variablesOf(plan.operationName!)).map(async (v) => plan.bind(v, user.userId)!));
      expect(new Set(bound.map((b) => b.sql)), plan.operationName!).toEqual(new Set(plan.statements()));
      for (const { sql, params } of bound) {
        for (const tree of [await explain(sql, params, false), await explainGeneric(sql, params)]) {
          const seqScans = nodes(tree).filter((n) => n['Node Type'] === 'Seq Scan' && WATCHED.includes(n['Relation Name'] ?? ''));
          expect(
            seqScans.map((n) => n['Relation Name']),
            plan.operationName!,
          ).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * 7);
  });

  it('SessionMessages reads first + 1 messages past the cursor of a 1,000-message transcript and counts them from the index', async () => {
    const plan = registry.plans().find((p) => p.operationName === 'SessionMessages')!;
    const [, paged] = await variablesOf('SessionMessages');
    for (const first of [1, 20, 100]) {
      const bound = plan.bind({ ...paged, first }, user.userId)!;
      const tree = await explain(bound.sql, bound.params, true);
      const scans = nodes(tree).filter((n) => n['Relation Name'] === 'session_messages');
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) {
        expect(scan['Node Type']).toMatch(/Index/);
        // The page (first + 1, and the cursor row skipped), the cursor's own lookup, the count (index only).
        if (scan['Node Type'] !== 'Index Only Scan') expect(scan['Actual Rows'] ?? 0).toBeLessThanOrEqual(first + 2);
      }
    }
  });
});

function variableSets(): { first: number; status?: string; after?: string }[] {
  const after = cursorFor('00000000-0000-4000-8000-000000000000');
  return [{ first: 20 }, { first: 20, status: 'COMPLETED' }, { first: 20, after }, { first: 20, status: 'ACTIVE', after }];
}
