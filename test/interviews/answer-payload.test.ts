// submitAnswer's payload is the rows its write stored (RETURNING), not a read after the commit:
// what it says equals what a read of the same rows says afterwards, it costs no statement beyond
// the answer's read and write, and a selection that reaches into the rows' relations (or a replay
// of an Idempotency-Key, test/interviews/idempotency.test.ts) still reads them by id. The same for
// completeSession's payload: the session and its feedback as the completion's statement saw them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp, STAR_ANSWER } from '../support/fixtures.js';

const FULL = `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) {
  answer { id seq role content createdAt }
  feedback { id }
  operation { id kind status error createdAt finishedAt }
  nextQuestion { id seq role content createdAt }
} }`;

interface Message {
  id: string;
  seq: number;
  role: string;
  content: string;
  createdAt: string;
}
interface Payload {
  submitAnswer: {
    answer: Message;
    feedback: { id: string } | null;
    operation: { id: string; kind: string; status: string; error: string | null; createdAt: string; finishedAt: string | null };
    nextQuestion: Message | null;
  };
}

describe('submitAnswer payload from the write', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The worker stays off, so the operation is still PENDING when it is read back.
    app = await startApp({ env: { QUEUE_IN_SERVER: 'false' } });
  });
  afterAll(() => app.close());

  it('says what a read of the same rows says afterwards, byte for byte', async () => {
    const { key } = await signUp(app);
    const { sessionId, questionId } = await createSession(app, key);
    const { submitAnswer } = ok(await app.request<Payload>(FULL, { key, variables: { input: { questionId, content: STAR_ANSWER } } }));
    const read = ok(
      await app.request<{ session: { messages: { edges: { node: Message }[] }; operations: Payload['submitAnswer']['operation'][] } }>(
        `query($id: ID!) { session(id: $id) {
          messages(first: 10) { edges { node { id seq role content createdAt } } }
          operations { id kind status error createdAt finishedAt }
        } }`,
        { key, variables: { id: sessionId } },
      ),
    ).session;
    const byId = new Map(read.messages.edges.map((e) => [e.node.id, e.node]));
    expect(JSON.stringify(submitAnswer.answer)).toBe(JSON.stringify(byId.get(submitAnswer.answer.id)));
    expect(submitAnswer.nextQuestion).not.toBeNull();
    expect(JSON.stringify(submitAnswer.nextQuestion)).toBe(JSON.stringify(byId.get(submitAnswer.nextQuestion!.id)));
    const operation = read.operations.find((o) => o.id === submitAnswer.operation.id);
    expect(JSON.stringify(submitAnswer.operation)).toBe(JSON.stringify(operation));
    expect(submitAnswer.operation).toMatchObject({ kind: 'ANSWER_FEEDBACK', status: 'PENDING', finishedAt: null });
    expect(submitAnswer.feedback).toBeNull();
  });

  it('runs the persisted SubmitAnswer in two statements: the read and the write', async () => {
    const { key } = await signUp(app);
    const { questionId } = await createSession(app, key);
    const document = readFileSync(new URL('../../schema/operations/SubmitAnswer.graphql', import.meta.url), 'utf8');
    await app.request('query { viewer { id } }', { key }); // the key is cached from now on
    const { result, statements } = await app.recordSql(() =>
      app.request<Payload>(document, { key, variables: { input: { questionId, content: STAR_ANSWER } } }),
    );
    ok(result);
    expect(statements.map((s) => /^\/\* [^*]+ \*\//.exec(s.sql)?.[0] ?? s.sql.slice(0, 40))).toEqual([
      '/* answer: read */',
      '/* answer: write */',
    ]);
  });

  it('reads the rows by id when the selection reaches into their relations', async () => {
    const { key } = await signUp(app);
    const { questionId } = await createSession(app, key);
    await app.request('query { viewer { id } }', { key }); // the key is cached from now on
    const { result, statements } = await app.recordSql(() =>
      app.request<{ submitAnswer: { answer: { id: string; seq: number; feedback: null }; nextQuestion: { seq: number; feedback: null } } }>(
        `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) {
          answer { id seq feedback { id } } nextQuestion { seq feedback { id } } } }`,
        { key, variables: { input: { questionId, content: STAR_ANSWER } } },
      ),
    );
    const { submitAnswer } = ok(result);
    expect(submitAnswer.answer).toMatchObject({ seq: 2, feedback: null });
    expect(submitAnswer.nextQuestion).toMatchObject({ seq: 3, feedback: null });
    // The answer's read and write, then the two messages read back with their feedback.
    expect(statements.length).toBeGreaterThan(2);
    expect(statements.slice(2).every((s) => s.sql.includes('session_messages'))).toBe(true);
  });
});

interface CompletedPayload {
  id: string;
  status: string;
  createdAt: string;
  startedAt: string;
  completedAt: string;
  feedback: { id: string; scope: string; score: number; summary: string; strengths: string[]; createdAt: string }[];
}
const COMPLETED_FIELDS = 'id status createdAt startedAt completedAt feedback { id scope score summary strengths createdAt }';

describe('completeSession payload from the write', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The worker runs: the answers' feedback exists when the session is completed.
    app = await startApp();
  });
  afterAll(() => app.close());

  it('says what a read of the session says afterwards, byte for byte, feedback included', async () => {
    const { key } = await signUp(app);
    const { sessionId } = await createSession(app, key, 3);
    const { completeSession } = ok(
      await app.request<{ completeSession: CompletedPayload }>(
        `mutation($input: SessionIdInput!) { completeSession(input: $input) { ${COMPLETED_FIELDS} } }`,
        { key, variables: { input: { sessionId } } },
      ),
    );
    expect(completeSession.status).toBe('COMPLETED');
    expect(completeSession.feedback).toHaveLength(3);
    // Read before the session's own feedback can be stored by the worker, or the lists differ by it.
    const read = ok(
      await app.request<{ session: CompletedPayload }>(`query($id: ID!) { session(id: $id) { ${COMPLETED_FIELDS} } }`, {
        key,
        variables: { id: sessionId },
      }),
    ).session;
    const answersOnly = { ...read, feedback: read.feedback.filter((f) => f.scope !== 'SESSION') };
    expect(JSON.stringify(completeSession)).toBe(JSON.stringify(answersOnly));
  });

  it('runs the persisted CompleteSession as its one statement', async () => {
    const { key } = await signUp(app);
    const { sessionId } = await createSession(app, key, 1);
    await app.request('query { viewer { id } }', { key }); // the key is cached from now on
    const document = readFileSync(new URL('../../schema/operations/CompleteSession.graphql', import.meta.url), 'utf8');
    const { result, statements } = await app.recordSql(() => app.request(document, { key, variables: { input: { sessionId } } }));
    ok(result);
    expect(statements.map((s) => /^\/\* [^*]+ \*\//.exec(s.sql)?.[0] ?? s.sql.slice(0, 40))).toEqual(['/* completion: write */']);
  });

  it('reads the session by id when the selection reaches further', async () => {
    const { key } = await signUp(app);
    const { sessionId } = await createSession(app, key, 1);
    const { completeSession } = ok(
      await app.request<{
        completeSession: { status: string; jobPosting: { title: string }; feedback: { message: { seq: number } | null }[] };
      }>(
        `mutation($input: SessionIdInput!) { completeSession(input: $input) { status jobPosting { title } feedback { message { seq } } } }`,
        { key, variables: { input: { sessionId } } },
      ),
    );
    expect(completeSession.status).toBe('COMPLETED');
    expect(completeSession.jobPosting.title).toEqual(expect.any(String));
    expect(completeSession.feedback.map((f) => f.message?.seq)).toEqual([2]);
  });
});
