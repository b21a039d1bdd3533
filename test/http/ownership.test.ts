// Every object belongs to its owner: another user's id answers exactly like an id that does not exist.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { parseId } from '../../src/schema/ids.js';
import { createSession, ok, signUp } from '../support/fixtures.js';

let app: TestApp;
let owner: { key: string };
let stranger: { key: string };
let ids: Record<string, string>;

beforeAll(async () => {
  app = await startApp();
  owner = await signUp(app, 'Owner');
  stranger = await signUp(app, 'Stranger');
  const { sessionId, postingId, resumeId } = await createSession(app, owner.key, 1);
  const detail = ok(
    await app.request<{
      session: { messages: { edges: { node: { id: string } }[] }; feedback: { id: string }[]; operations: { id: string }[] };
      viewer: { id: string; apiKeys: { id: string }[] };
    }>(
      `query($id: ID!) { session(id: $id) { messages { edges { node { id } } } feedback { id } operations { id } } viewer { id apiKeys { id } } }`,
      { key: owner.key, variables: { id: sessionId } },
    ),
  );
  ids = {
    InterviewSession: sessionId,
    JobPosting: postingId,
    Resume: resumeId,
    SessionMessage: detail.session.messages.edges[0]!.node.id,
    Feedback: detail.session.feedback[0]!.id,
    Operation: detail.session.operations[0]!.id,
    User: detail.viewer.id,
    ApiKey: detail.viewer.apiKeys[0]!.id,
  };
});
afterAll(async () => {
  await app.close();
});

const missing = (type: string) => Buffer.from(`${type}:${randomUUID()}`).toString('base64url');

/** Sends the same operation with the owner's id and with a missing id, as the stranger. */
async function expectSameAsMissing(query: string, type: string, vars: (id: string) => Record<string, unknown>) {
  const foreign = await app.request(query, { key: stranger.key, variables: vars(ids[type]!) });
  const absent = await app.request(query, { key: stranger.key, variables: vars(missing(type)) });
  expect(foreign.status).toBe(absent.status);
  expect(foreign.body).toEqual(absent.body);
  return foreign;
}

describe("another user's objects", () => {
  it.each([
    ['session', 'InterviewSession'],
    ['jobPosting', 'JobPosting'],
    ['resume', 'Resume'],
  ])('%s(id) answers NOT_FOUND exactly as for a missing id', async (field, type) => {
    const r = await expectSameAsMissing(`query($id: ID!) { ${field}(id: $id) { id } }`, type, (id) => ({ id }));
    expect(r.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it.each(['InterviewSession', 'JobPosting', 'Resume', 'SessionMessage', 'Feedback', 'Operation', 'User', 'ApiKey'])(
    'node(id) of a %s answers null exactly as for a missing id',
    async (type) => {
      const r = await expectSameAsMissing(`query($id: ID!) { node(id: $id) { id } }`, type, (id) => ({ id }));
      expect(r.body).toEqual({ data: { node: null } });
      // The owner does see it: the test would be empty if node never resolved anything.
      const own = ok(
        await app.request<{ node: { id: string } }>(`query($id: ID!) { node(id: $id) { id } }`, {
          key: owner.key,
          variables: { id: ids[type] },
        }),
      );
      expect(own.node.id).toBe(ids[type]);
    },
  );

  it('nodes(ids) mixes nothing of another user in', async () => {
    const r = ok(
      await app.request<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
        key: stranger.key,
        variables: { ids: Object.values(ids) },
      }),
    );
    expect(r.nodes).toEqual(Object.values(ids).map(() => null));
  });

  it.each([
    ['submitAnswer', `mutation($id: ID!) { submitAnswer(input: { sessionId: $id, content: "mine now" }) { answer { id } } }`],
    ['completeSession', `mutation($id: ID!) { completeSession(input: { sessionId: $id }) { id } }`],
    ['deleteSession', `mutation($id: ID!) { deleteSession(input: { sessionId: $id }) { deletedSessionId } }`],
  ])("%s on another user's session answers NOT_FOUND and changes nothing", async (_name, query) => {
    // Counted in the owner's session only: other suites write messages to the shared database.
    const messages = () => app.prisma.sessionMessage.count({ where: { sessionId: parseId(ids.InterviewSession!, 'InterviewSession') } });
    const before = await messages();
    const r = await expectSameAsMissing(query, 'InterviewSession', (id) => ({ id }));
    expect(r.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await messages()).toBe(before);
    const still = ok(
      await app.request<{ session: { status: string } }>(`query($id: ID!) { session(id: $id) { status } }`, {
        key: owner.key,
        variables: { id: ids.InterviewSession },
      }),
    );
    expect(still.session.status).toBe('ACTIVE');
  });

  it("createSession with another user's posting or resume answers NOT_FOUND", async () => {
    const mine = await createSession(app, stranger.key);
    for (const [type, input] of [
      ['JobPosting', (id: string) => ({ jobPostingId: id, resumeId: mine.resumeId })],
      ['Resume', (id: string) => ({ jobPostingId: mine.postingId, resumeId: id })],
    ] as const) {
      const r = await expectSameAsMissing(`mutation($input: CreateSessionInput!) { createSession(input: $input) { id } }`, type, (id) => ({
        input: input(id),
      }));
      expect(r.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });

  it("revokeApiKey on another user's key answers NOT_FOUND and the key keeps working", async () => {
    const r = await expectSameAsMissing(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, 'ApiKey', (id) => ({ id }));
    expect(r.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    ok(await app.request(`{ viewer { id } }`, { key: owner.key }));
  });

  it("lists show only the viewer's own objects", async () => {
    const r = ok(
      await app.request<{
        sessions: { edges: { node: { id: string } }[] };
        jobPostings: { edges: { node: { id: string } }[] };
        resumes: { edges: { node: { id: string } }[] };
      }>(`{ sessions { edges { node { id } } } jobPostings { edges { node { id } } } resumes { edges { node { id } } } }`, {
        key: stranger.key,
      }),
    );
    const seen = [...r.sessions.edges, ...r.jobPostings.edges, ...r.resumes.edges].map((e) => e.node.id);
    expect(seen).not.toContain(ids.InterviewSession);
    expect(seen).not.toContain(ids.JobPosting);
    expect(seen).not.toContain(ids.Resume);
  });
});
