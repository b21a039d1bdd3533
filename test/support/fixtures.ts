// Seeds through the public API, the way a client would, so tests exercise the real mutations.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
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
    await app.request<{ createResume: { id: string } }>(
      `mutation($input: CreateResumeInput!) { createResume(input: $input) { id } }`,
      { key, variables: { input: { title: 'My resume', content: 'Ten years of backend work.' } } },
    ),
  ).createResume;
  return { postingId: posting.id, resumeId: resume.id };
}

export const STAR_ANSWER =
  'In my last role the checkout API was timing out under load (situation). I owned fixing it (task). ' +
  'I profiled the PostgreSQL queries, added a covering index and batched the GraphQL resolvers with DataLoader (action). ' +
  'As a result p95 latency fell from 900 ms to 120 ms and errors dropped by 95% (result).';

/** A session with `answers` questions answered. */
export async function createSession(app: TestApp, key: string, answers = 0) {
  const { postingId, resumeId } = await createPostingAndResume(app, key);
  const session = ok(
    await app.request<{ createSession: { id: string } }>(
      `mutation($input: CreateSessionInput!) { createSession(input: $input) { id } }`,
      { key, variables: { input: { jobPostingId: postingId, resumeId } } },
    ),
  ).createSession;
  for (let i = 0; i < answers; i++) {
    ok(
      await app.request(
        `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } } }`,
        { key, variables: { input: { sessionId: session.id, content: STAR_ANSWER } } },
      ),
    );
  }
  return { sessionId: session.id, postingId, resumeId };
}
