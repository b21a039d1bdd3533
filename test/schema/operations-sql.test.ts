// SQL statements per operation of schema/operations, at page sizes 1, 20 and 100: a count that
// grows with the page size is an N+1. The expected figures are the README's table.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createPostingAndResume, feedbackSettled, ok, signUp, STAR_ANSWER } from '../support/fixtures.js';

const operation = (name: string) => readFileSync(new URL(`../../schema/operations/${name}.graphql`, import.meta.url), 'utf8');

let app: TestApp;
let key: string;
let sessionId: string;

beforeAll(async () => {
  // Page size 100 of the nested operations costs more than the default QUERY_COST_LIMIT (1,000)
  // lets through; this suite measures resolution, not policy, so it lifts the limit.
  app = await startApp({ env: { QUERY_COST_LIMIT: '10000' } });
  ({ key } = await signUp(app));
  const { postingId, resumeId } = await createPostingAndResume(app, key);
  // 100 sessions, the newest with a full interview (answers, feedback, operations).
  let questionId: string | null = null;
  for (let i = 0; i < 100; i++) {
    const created = ok(
      await app.request<{ createSession: { id: string; messages: { edges: { node: { id: string } }[] } } }>(operation('CreateSession'), {
        key,
        variables: { input: { jobPostingId: postingId, resumeId } },
      }),
    );
    sessionId = created.createSession.id;
    questionId = created.createSession.messages.edges[0]!.node.id;
  }
  for (let i = 0; i < 5 && questionId; i++) {
    const answered: { submitAnswer: { nextQuestion: { id: string } | null } } = ok(
      await app.request(operation('SubmitAnswer'), { key, variables: { input: { questionId, content: STAR_ANSWER } } }),
    );
    questionId = answered.submitAnswer.nextQuestion?.id ?? null;
  }
  await feedbackSettled(app, sessionId);
  for (let i = 0; i < 4; i++) {
    ok(
      await app.request(operation('CreateJobPosting'), {
        key,
        variables: { input: { title: `T${i}`, company: 'C', description: 'D', skills: ['sql'] } },
      }),
    );
  }
});
afterAll(() => app.close());

async function countSql(query: string, variables: Record<string, unknown>) {
  const { result, statements } = await app.recordSql(() => app.request(query, { key, variables }));
  ok(result);
  return statements.length;
}

// The key is warm in the API-key cache, as for nearly every request; a cold key adds one lookup.
describe.each([
  ['SessionsList', {}, 1],
  ['SessionMessages', { id: () => sessionId }, 1],
  ['JobPostings', {}, 1],
  ['Resumes', {}, 1],
] as const)('%s', (name, vars, expected) => {
  it(`runs ${expected} SQL statement(s) at page sizes 1, 20 and 100`, async () => {
    const fixed = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v()]));
    const counts = [];
    for (const first of [1, 20, 100]) counts.push(await countSql(operation(name), { ...fixed, first }));
    expect(counts).toEqual([expected, expected, expected]);
  });
});

describe.each([
  ['Viewer', () => ({}), 1],
  ['SessionDetail', () => ({ id: sessionId }), 2],
  ['SessionFeedback', () => ({ id: sessionId }), 2],
] as const)('%s', (name, vars, expected) => {
  it(`runs ${expected} SQL statement(s)`, async () => {
    expect(await countSql(operation(name), vars())).toBe(expected);
  });
});

describe('nesting and aliases', () => {
  it('keeps the sessions list constant with every relation nested and aggregates selected', async () => {
    const query = /* GraphQL */ `query Nested($first: Int!) { sessions(first: $first) { totalCount edges { node {
      id messageCount averageScore jobPosting { title skills } resume { title }
      messages(first: 10) { totalCount edges { node { seq content feedback { score strengths } } } }
      feedback { score message { seq } } operations { kind status } } } } }`;
    const counts = [];
    for (const first of [1, 20, 100]) counts.push(await countSql(query, { first }));
    expect(new Set(counts).size).toBe(1);
    // The list, its totalCount, and the averageScore batch.
    expect(counts[0]).toBe(3);
  });

  it('keeps the count constant for aliased selections of one relation with different arguments', async () => {
    const query = /* GraphQL */ `query Aliased($first: Int!) { sessions(first: $first) { edges { node {
      id
      opening: messages(first: 1) { edges { node { content } } }
      transcript: messages(first: 10) { edges { node { seq role } } }
    } } } }`;
    const counts = [];
    for (const first of [1, 20, 100]) counts.push(await countSql(query, { first }));
    expect(new Set(counts).size).toBe(1);
    // The list folds one alias; plugin-prisma loads the other for all sessions in one batch.
    expect(counts[0]).toBe(2);
  });
});

describe('large text', () => {
  it('is read only when the query selects it', async () => {
    const lean = `{ sessions(first: 5) { edges { node { id jobPosting { title } resume { title } messages(first: 5) { edges { node { seq role } } } } } } }`;
    const { statements } = await app.recordSql(() => app.request(lean, { key }));
    const sql = statements.map((s) => s.sql).join('\n');
    expect(sql).not.toMatch(/"description"|"content"/);
    const rich = `{ sessions(first: 5) { edges { node { jobPosting { description } resume { content } messages(first: 5) { edges { node { content } } } } } } }`;
    const { statements: richStatements } = await app.recordSql(() => app.request(rich, { key }));
    const richSql = richStatements.map((s) => s.sql).join('\n');
    expect(richSql).toMatch(/"description"/);
    expect(richSql).toMatch(/"content"/);
  });
});
