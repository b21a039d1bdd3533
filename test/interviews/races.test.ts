// Every pair of mutations that touch one session, raced many times, on a freshly started server
// and on a warm one. Each run ends in exactly one valid state (checked on the rows, after the
// background feedback work has settled), and every loser gets CONFLICT or NOT_FOUND, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseId } from '../../src/schema/ids.js';
import { startApp, type GqlResponse, type TestApp } from '../support/app.js';
import { createSession, feedbackSettled, signUp } from '../support/fixtures.js';

const RUNS = 50;

let app: TestApp;
let key: string;

beforeAll(async () => {
  app = await startApp();
  ({ key } = await signUp(app));
});
afterAll(() => app.close());

const SUBMIT = `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } nextQuestion { id } } }`;
const COMPLETE = `mutation($input: SessionIdInput!) { completeSession(input: $input) { id status } }`;
const DELETE = `mutation($input: SessionIdInput!) { deleteSession(input: $input) { deletedSessionId } }`;

type Outcome = 'OK' | string;

function outcome(response: GqlResponse): Outcome {
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
  const code = response.body.errors?.[0]?.extensions?.code;
  if (code === undefined) return 'OK';
  expect(['CONFLICT', 'NOT_FOUND'], JSON.stringify(response.body.errors)).toContain(code);
  return code;
}

/** Starts `a` and `b` with a random stagger of 0-4 ms between them, in a random order. */
async function race(a: () => Promise<GqlResponse>, b: () => Promise<GqlResponse>): Promise<[Outcome, Outcome]> {
  const stagger = Math.floor(Math.random() * 5);
  const later = <T>(fn: () => Promise<T>) => new Promise<T>((resolve, reject) => setTimeout(() => fn().then(resolve, reject), stagger));
  const [ra, rb] = Math.random() < 0.5 ? await Promise.all([a(), later(b)]) : await Promise.all([later(a), b()]);
  return [outcome(ra), outcome(rb)];
}

const answer =
  (questionId: string, content = 'My answer, with a measured result.') =>
  () =>
    app.request(SUBMIT, { key, variables: { input: { questionId, content } } });
const answerBySession = (sessionId: string, content: string) => () =>
  app.request(SUBMIT, { key, variables: { input: { sessionId, content } } });
const complete = (sessionId: string) => () => app.request(COMPLETE, { key, variables: { input: { sessionId } } });
const remove = (sessionId: string) => () => app.request(DELETE, { key, variables: { input: { sessionId } } });

/** The rows of one session obey every invariant of an interview. Returns what it found. */
async function checkSession(globalId: string) {
  await feedbackSettled(app, globalId).catch(() => {}); // A deleted session has nothing to settle.
  const id = parseId(globalId, 'InterviewSession');
  const session = await app.prisma.interviewSession.findUnique({ where: { id } });
  const messages = await app.prisma.sessionMessage.findMany({ where: { sessionId: id }, orderBy: { seq: 'asc' } });
  const operations = await app.prisma.operation.findMany({ where: { sessionId: id } });
  const feedback = await app.prisma.feedback.findMany({ where: { sessionId: id } });
  if (!session) {
    expect([messages.length, operations.length, feedback.length]).toEqual([0, 0, 0]);
    return { exists: false as const, answers: 0 };
  }
  // Contiguous, alternating, starting with a question: every answer directly follows its question.
  messages.forEach((m, i) => {
    expect(m.seq).toBe(i + 1);
    expect(m.role).toBe(i % 2 === 0 ? 'INTERVIEWER' : 'CANDIDATE');
  });
  const answers = messages.filter((m) => m.role === 'CANDIDATE');
  for (const a of answers) {
    expect(operations.filter((o) => o.messageId === a.id && o.kind === 'ANSWER_FEEDBACK')).toHaveLength(1);
    expect(feedback.filter((f) => f.messageId === a.id)).toHaveLength(1);
  }
  const summaries = operations.filter((o) => o.kind === 'SESSION_FEEDBACK');
  const sessionFeedback = feedback.filter((f) => f.messageId === null);
  expect(operations.every((o) => o.status === 'SUCCEEDED')).toBe(true);
  if (session.status === 'COMPLETED') {
    expect(session.completedAt).not.toBeNull();
    expect(summaries).toHaveLength(1);
    expect(sessionFeedback).toHaveLength(1);
    // The summary was made from the answers the session holds, never "no answers" beside answers.
    if (answers.length > 0) expect(sessionFeedback[0]!.summary).not.toMatch(/No answers were given/);
    for (const a of answers) expect(a.createdAt.getTime()).toBeLessThanOrEqual(session.completedAt!.getTime());
  } else {
    expect(session.completedAt).toBeNull();
    expect(summaries).toHaveLength(0);
    expect(sessionFeedback).toHaveLength(0);
  }
  return { exists: true as const, status: session.status, answers: answers.length };
}

describe.each(['fresh', 'warm'])('session mutations raced on a %s server', (phase) => {
  beforeAll(async () => {
    if (phase === 'fresh') {
      await app.close();
      app = await startApp();
      ({ key } = await signUp(app));
    }
  });

  it(`answers to one question: exactly one of 20 wins (${RUNS / 5} runs)`, async () => {
    for (let run = 0; run < RUNS / 5; run++) {
      const { sessionId, questionId } = await createSession(app, key, run % 3);
      const results = await Promise.all(Array.from({ length: 20 }, () => answer(questionId!)()));
      const outcomes = results.map(outcome);
      expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'CONFLICT')).toHaveLength(19);
      expect((await checkSession(sessionId)).answers).toBe((run % 3) + 1);
    }
  });

  it(`the same answer by session id alone, 10 at once: exactly one is stored (${RUNS / 5} runs)`, async () => {
    for (let run = 0; run < RUNS / 5; run++) {
      const { sessionId } = await createSession(app, key, 1);
      const results = await Promise.all(Array.from({ length: 10 }, () => answerBySession(sessionId, `Same text ${run}`)()));
      expect(results.map(outcome).filter((o) => o === 'OK')).toHaveLength(1);
      expect((await checkSession(sessionId)).answers).toBe(2);
    }
  });

  it(`submitAnswer against completeSession (${RUNS} runs)`, async () => {
    const seen = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const { sessionId, questionId } = await createSession(app, key, run % 2);
      const [a, c] = await race(answer(questionId!), complete(sessionId));
      seen.add(`${a}/${c}`);
      expect(c).toBe('OK');
      const state = await checkSession(sessionId);
      expect(state.status).toBe('COMPLETED');
      expect(state.answers).toBe((run % 2) + (a === 'OK' ? 1 : 0));
    }
    // Both orders happened (the stagger and order are random): the race was real.
    expect([...seen].sort()).toEqual(['CONFLICT/OK', 'OK/OK']);
  });

  it(`submitAnswer against deleteSession (${RUNS} runs)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const { sessionId, questionId } = await createSession(app, key, run % 2);
      const [a, d] = await race(answer(questionId!), remove(sessionId));
      expect(d).toBe('OK');
      expect(['OK', 'NOT_FOUND']).toContain(a);
      expect((await checkSession(sessionId)).exists).toBe(false);
    }
  });

  it(`completeSession against deleteSession (${RUNS} runs)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const { sessionId } = await createSession(app, key, run % 2);
      const [c, d] = await race(complete(sessionId), remove(sessionId));
      expect(d).toBe('OK');
      expect(['OK', 'NOT_FOUND']).toContain(c);
      expect((await checkSession(sessionId)).exists).toBe(false);
    }
  });

  it(`completeSession twice, and deleteSession twice (${RUNS} runs each)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const { sessionId } = await createSession(app, key, run % 2);
      expect((await race(complete(sessionId), complete(sessionId))).sort()).toEqual(['CONFLICT', 'OK']);
      expect((await checkSession(sessionId)).status).toBe('COMPLETED');
      expect((await race(remove(sessionId), remove(sessionId))).sort()).toEqual(['NOT_FOUND', 'OK']);
      expect((await checkSession(sessionId)).exists).toBe(false);
    }
  });
});
