// Seeds through the public API, the way a client would, so tests exercise the real mutations.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { parseId } from '../../src/schema/ids.js';
import type { GqlResponse, TestApp } from './app.js';

/** Data of a response that must have succeeded. */
export function ok<T>(response: GqlResponse<T>): T {
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  expect(response.status).toBe(200);
  return response.body.data as T;
}

export async function signUp(app: TestApp, name = 'Test User'): Promise<{ key: string; userId: string }> {
  const data = ok(
    await app.request<{ signUp: { key: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { key user { id } } }`,
      { variables: { input: { email: `user-${randomUUID()}@example.test`, name } } },
    ),
  );
  return { key: data.signUp.key, userId: data.signUp.user.id };
}

export async function createPostingAndResume(app: TestApp, key: string) {
  const posting = ok(
    await app.request<{ createJobPosting: { id: string } }>(
      `mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id } }`,
      {
        key,
        variables: {
          input: {
            title: 'Senior Backend Engineer',
            company: 'Acme',
            description: 'Build GraphQL APIs on PostgreSQL with TypeScript.',
            skills: ['TypeScript', 'PostgreSQL', 'GraphQL'],
          },
        },
      },
    ),
  ).createJobPosting;
  const resume = ok(
    await app.request<{ createResume: { id: string } }>(`mutation($input: CreateResumeInput!) { createResume(input: $input) { id } }`, {
      key,
      variables: { input: { title: 'My resume', content: 'Ten years of backend work.' } },
    }),
  ).createResume;
  return { postingId: posting.id, resumeId: resume.id };
}

export const STAR_ANSWER =
  'In my last role the checkout API was timing out under load (situation). I owned fixing it (task). ' +
  'I profiled the PostgreSQL queries, added a covering index and batched the GraphQL resolvers with DataLoader (action). ' +
  'As a result p95 latency fell from 900 ms to 120 ms and errors dropped by 95% (result).';

/** A session with `answers` questions answered (each answer naming its question), feedback settled. */
export async function createSession(app: TestApp, key: string, answers = 0) {
  const { postingId, resumeId } = await createPostingAndResume(app, key);
  const session = ok(
    await app.request<{ createSession: { id: string; messages: { edges: { node: { id: string } }[] } } }>(
      `mutation($input: CreateSessionInput!) { createSession(input: $input) { id messages(first: 1) { edges { node { id } } } } }`,
      { key, variables: { input: { jobPostingId: postingId, resumeId } } },
    ),
  ).createSession;
  let questionId: string | null = session.messages.edges[0]?.node.id ?? null;
  for (let i = 0; i < answers && questionId; i++) {
    const answered: { submitAnswer: { nextQuestion: { id: string } | null } } = ok(
      await app.request<{ submitAnswer: { nextQuestion: { id: string } | null } }>(
        `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { nextQuestion { id } } }`,
        { key, variables: { input: { questionId, content: STAR_ANSWER } } },
      ),
    );
    questionId = answered.submitAnswer.nextQuestion?.id ?? null;
  }
  if (answers > 0) await feedbackSettled(app, session.id);
  return { sessionId: session.id, postingId, resumeId, questionId };
}

/** Waits until the session's background feedback work is done (the in-process worker runs it). */
export async function feedbackSettled(app: TestApp, sessionGlobalId: string, timeoutMs = 20_000): Promise<void> {
  const sessionId = parseId(sessionGlobalId, 'InterviewSession');
  const end = Date.now() + timeoutMs;
  while ((await app.prisma.operation.count({ where: { sessionId, status: { in: ['PENDING', 'RUNNING'] } } })) > 0) {
    if (Date.now() > end) throw new Error(`feedback of session ${sessionGlobalId} still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
