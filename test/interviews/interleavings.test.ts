// An answer and a completion read first and write after, without a lock between the two
// (src/interviews/statements.ts). These tests put each other write there, deterministically: a
// second connection locks the session's row, the mutation reads and then waits for that lock in its
// write, and the second connection makes its change and commits. The mutation must then see the
// change (the error a client would have got had it come later), write nothing, and leave every row
// valid; with nothing changed it must succeed. Each case runs with and without an Idempotency-Key,
// whose path runs the same statements inside the transaction that records the outcome.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseId } from '../../src/schema/ids.js';
import { startApp, type GqlResponse, type TestApp } from '../support/app.js';
import { createSession, feedbackSettled, signUp } from '../support/fixtures.js';

const SUBMIT = `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id seq } nextQuestion { id seq } } }`;
const COMPLETE = `mutation($input: SessionIdInput!) { completeSession(input: $input) { id status } }`;
const CONTENT = 'The answer sent while another write held the session.';

let app: TestApp;
let key: string;
let other: pg.Client;
/** Reads pg_stat_activity: inside `other`'s transaction its snapshot would not change. */
let watcher: pg.Client;

beforeAll(async () => {
  app = await startApp();
  ({ key } = await signUp(app));
  other = new pg.Client({ connectionString: inject('databaseUrl') });
  watcher = new pg.Client({ connectionString: inject('databaseUrl') });
  await Promise.all([other.connect(), watcher.connect()]);
});
afterAll(async () => {
  await Promise.all([other.end(), watcher.end()]);
  await app.close();
});

/** A session with one answer given and its second question open. */
async function openSession() {
  const { sessionId: globalId, questionId } = await createSession(app, key, 1);
  const id = parseId(globalId, 'InterviewSession');
  const { rows } = await other.query<{ seq: number }>('SELECT max(seq)::int AS seq FROM session_messages WHERE session_id = $1', [id]);
  return { globalId, id, questionId: questionId!, lastSeq: rows[0]!.seq };
}

/** Until a statement whose text contains `marker` waits for a lock. */
async function waitForLockWait(marker: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const { rows } = await watcher.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND position($1 in query) > 0`,
      [marker],
    );
    if (rows[0]!.n > 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no statement containing "${marker}" waited for a lock`);
}

/**
 * Locks the session's row, starts `mutation`, waits until its write waits for the lock, runs
 * `change` in the locking transaction and commits it; returns the mutation's response.
 */
async function interleave(
  sessionId: string,
  marker: string,
  mutation: () => Promise<GqlResponse>,
  change: (c: pg.Client) => Promise<unknown>,
) {
  await other.query('BEGIN');
  try {
    await other.query('SELECT id FROM interview_sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    const pending = mutation();
    // A mutation that answers before it waits never reached its write: say what it answered.
    const early = pending.then((r) => {
      throw new Error(`answered before its write waited: ${JSON.stringify(r.body)}`);
    });
    early.catch(() => {});
    await Promise.race([waitForLockWait(marker), early]);
    await change(other);
    await other.query('COMMIT');
    return await pending;
  } catch (error) {
    await other.query('ROLLBACK');
    throw error;
  }
}

async function rowsOf(sessionId: string) {
  const messages = await other.query<{ seq: number; role: string; content: string }>(
    'SELECT seq, role::text AS role, content FROM session_messages WHERE session_id = $1 ORDER BY seq',
    [sessionId],
  );
  const operations = await other.query<{ kind: string; message_id: string | null }>(
    'SELECT kind::text AS kind, message_id::text FROM operations WHERE session_id = $1',
    [sessionId],
  );
  return { messages: messages.rows, operations: operations.rows };
}

/** The competing writes, made on the second connection inside its locking transaction. */
const completeFromOutside = (c: pg.Client, sessionId: string) =>
  c.query(`UPDATE interview_sessions SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [sessionId]);
const deleteFromOutside = (c: pg.Client, sessionId: string) => c.query('DELETE FROM interview_sessions WHERE id = $1', [sessionId]);

const codeOf = (r: GqlResponse) => r.body.errors?.[0]?.extensions?.code ?? 'OK';

describe.each([
  ['without an Idempotency-Key', () => ({})],
  ['with an Idempotency-Key', () => ({ 'idempotency-key': randomUUID() })],
])('%s', (_label, headers) => {
  const submit = (questionId: string) => () =>
    app.request(SUBMIT, { key, headers: headers(), variables: { input: { questionId, content: CONTENT } } });
  const complete = (globalId: string) => () =>
    app.request(COMPLETE, { key, headers: headers(), variables: { input: { sessionId: globalId } } });

  it('answers when the lock is released with nothing changed', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* answer: write */', submit(s.questionId), async () => {});
    expect(codeOf(response), JSON.stringify(response.body)).toBe('OK');
    const { messages, operations } = await rowsOf(s.id);
    expect(messages.slice(-2).map((m) => [m.seq, m.role])).toEqual([
      [s.lastSeq + 1, 'CANDIDATE'],
      [s.lastSeq + 2, 'INTERVIEWER'],
    ]);
    expect(messages.at(-2)!.content).toBe(CONTENT);
    expect(operations.filter((o) => o.kind === 'ANSWER_FEEDBACK')).toHaveLength(2);
    await feedbackSettled(app, s.globalId);
  });

  it('is CONFLICT, and writes nothing, when the question was answered while it waited', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* answer: write */', submit(s.questionId), (c) =>
      c.query(
        `INSERT INTO session_messages (id, session_id, seq, role, content) VALUES
           (gen_random_uuid(), $1, $2, 'CANDIDATE', 'the other answer'), (gen_random_uuid(), $1, $2 + 1, 'INTERVIEWER', 'the next question')`,
        [s.id, s.lastSeq + 1],
      ),
    );
    expect(codeOf(response)).toBe('CONFLICT');
    expect(response.body.errors?.[0]?.message).toBe('This question was answered already; answer the open question');
    const { messages, operations } = await rowsOf(s.id);
    expect(messages.map((m) => m.content)).not.toContain(CONTENT);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: s.lastSeq + 2 }, (_, i) => i + 1));
    expect(operations.filter((o) => o.kind === 'ANSWER_FEEDBACK')).toHaveLength(1);
    await feedbackSettled(app, s.globalId);
  });

  it('is CONFLICT, and writes nothing, when the session was completed while it waited', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* answer: write */', submit(s.questionId), (c) => completeFromOutside(c, s.id));
    expect(codeOf(response)).toBe('CONFLICT');
    expect(response.body.errors?.[0]?.message).toBe('This session is completed; it takes no more answers');
    const { messages } = await rowsOf(s.id);
    expect(messages).toHaveLength(s.lastSeq);
    await feedbackSettled(app, s.globalId);
  });

  it('is NOT_FOUND when the session was deleted while it waited', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* answer: write */', submit(s.questionId), (c) => deleteFromOutside(c, s.id));
    expect(codeOf(response)).toBe('NOT_FOUND');
    expect(await rowsOf(s.id)).toEqual({ messages: [], operations: [] });
  });

  it('completes when the lock is released with nothing changed', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* completion: write */', complete(s.globalId), async () => {});
    expect(codeOf(response), JSON.stringify(response.body)).toBe('OK');
    expect(response.body.data).toMatchObject({ completeSession: { status: 'COMPLETED' } });
    const { operations } = await rowsOf(s.id);
    expect(operations.filter((o) => o.kind === 'SESSION_FEEDBACK')).toHaveLength(1);
    await feedbackSettled(app, s.globalId);
  });

  it('is CONFLICT, with one completion, when the session was completed while it waited', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* completion: write */', complete(s.globalId), (c) => completeFromOutside(c, s.id));
    expect(codeOf(response)).toBe('CONFLICT');
    expect(response.body.errors?.[0]?.message).toBe('This session is completed already');
    const { operations } = await rowsOf(s.id);
    expect(operations.filter((o) => o.kind === 'SESSION_FEEDBACK')).toHaveLength(0);
    await feedbackSettled(app, s.globalId);
  });

  it('is NOT_FOUND when the session was deleted before the completion could apply', async () => {
    const s = await openSession();
    const response = await interleave(s.id, '/* completion: write */', complete(s.globalId), (c) => deleteFromOutside(c, s.id));
    expect(codeOf(response)).toBe('NOT_FOUND');
    expect(await rowsOf(s.id)).toEqual({ messages: [], operations: [] });
  });
});
