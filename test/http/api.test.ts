// The API end to end, as a client uses it: account, postings, resumes, an interview, the lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createPostingAndResume, createSession, feedbackSettled, ok, signUp, STAR_ANSWER } from '../support/fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const SESSIONS_LIST = /* GraphQL */ `
  query SessionsList($first: Int, $after: String, $status: SessionStatus) {
    sessions(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id status createdAt messageCount averageScore
          jobPosting { id title company skills }
          resume { id title }
          messages(first: 10) { totalCount edges { node { id seq role content feedback { score } } } }
          feedback { id score scope strengths improvements summary }
          operations { kind status attempts }
        }
      }
    }
  }
`;

describe('an interview from sign-up to completion', () => {
  it('signs up and answers viewer with the new key, which is stored only as a hash', async () => {
    const { key } = await signUp(app, 'Ada');
    expect(key).toMatch(/^cad_[A-Za-z0-9_-]{43}$/);
    const data = ok(
      await app.request<{ viewer: { name: string; apiKeys: { prefix: string; revoked: boolean }[] } }>(
        `{ viewer { name apiKeys { prefix revoked } } }`,
        { key },
      ),
    );
    expect(data.viewer.name).toBe('Ada');
    expect(data.viewer.apiKeys).toEqual([{ prefix: key.slice(0, 12), revoked: false }]);
    const stored = await app.prisma.apiKey.findMany({ where: { prefix: key.slice(0, 12) } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.hash).not.toContain(key);
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('starts a session that opens with an interviewer question about the posting', async () => {
    const { key } = await signUp(app);
    const { postingId, resumeId } = await createPostingAndResume(app, key);
    const data = ok(
      await app.request<{
        createSession: {
          status: string;
          jobPosting: { id: string };
          messages: { edges: { node: { seq: number; role: string; content: string } }[] };
        };
      }>(
        `mutation($input: CreateSessionInput!) { createSession(input: $input) {
         status jobPosting { id } messages(first: 5) { edges { node { seq role content } } } } }`,
        { key, variables: { input: { jobPostingId: postingId, resumeId } } },
      ),
    );
    expect(data.createSession.status).toBe('ACTIVE');
    expect(data.createSession.jobPosting.id).toBe(postingId);
    const messages = data.createSession.messages.edges.map((e) => e.node);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ seq: 1, role: 'INTERVIEWER' });
    expect(messages[0]!.content.length).toBeGreaterThan(10);
  });

  it('stores an answer with the next question and an operation that produces its feedback', async () => {
    const { key } = await signUp(app);
    const { sessionId, questionId } = await createSession(app, key);
    const data = ok(
      await app.request<{
        submitAnswer: {
          answer: { seq: number; role: string; content: string };
          operation: { id: string; kind: string };
          nextQuestion: { seq: number; role: string } | null;
          session: { messageCount: number };
        };
      }>(
        `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) {
        answer { seq role content } operation { id kind } nextQuestion { seq role } session { messageCount } } }`,
        { key, variables: { input: { questionId, content: STAR_ANSWER } } },
      ),
    );
    const r = data.submitAnswer;
    expect(r.answer).toEqual({ seq: 2, role: 'CANDIDATE', content: STAR_ANSWER });
    expect(r.operation.kind).toBe('ANSWER_FEEDBACK');
    expect(r.nextQuestion).toEqual({ seq: 3, role: 'INTERVIEWER' });
    expect(r.session.messageCount).toBe(3);

    // The in-process worker produces the feedback.
    await feedbackSettled(app, sessionId);
    const after = ok(
      await app.request<{
        node: { status: string; attempts: number; error: string | null };
        session: { averageScore: number; messages: { edges: { node: { feedback: { score: number; scope: string } | null } }[] } };
      }>(
        `query($op: ID!, $s: ID!) { node(id: $op) { ... on Operation { status attempts error } }
        session(id: $s) { averageScore messages(first: 2) { edges { node { feedback { score scope } } } } } }`,
        { key, variables: { op: r.operation.id, s: sessionId } },
      ),
    );
    expect(after.node).toEqual({ status: 'SUCCEEDED', attempts: 1, error: null });
    const feedback = after.session.messages.edges[1]!.node.feedback!;
    expect(feedback.scope).toBe('ANSWER');
    expect(feedback.score).toBeGreaterThanOrEqual(0);
    expect(feedback.score).toBeLessThanOrEqual(100);
    expect(after.session.averageScore).toBe(feedback.score);
  });

  it('refuses a second answer to the same question and writes nothing of it', async () => {
    const { key } = await signUp(app);
    const { sessionId, questionId } = await createSession(app, key);
    const submit = () =>
      app.request(`mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } } }`, {
        key,
        variables: { input: { questionId, content: 'An answer.' } },
      });
    // Two answers racing for the one open question: exactly one wins.
    const results = await Promise.all([submit(), submit()]);
    const codes = results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    await feedbackSettled(app, sessionId);
    const counts = await app.prisma.sessionMessage.groupBy({ by: ['role'], where: { session: { id: decodeId(sessionId) } }, _count: true });
    expect(Object.fromEntries(counts.map((c) => [c.role, c._count]))).toEqual({ INTERVIEWER: 2, CANDIDATE: 1 });
    expect(await app.prisma.feedback.count({ where: { sessionId: decodeId(sessionId) } })).toBe(1);
  });

  it('ends the interview after its last question and completes with session feedback', async () => {
    const { key } = await signUp(app);
    const { sessionId, questionId } = await createSession(app, key);
    let open: string | null = questionId;
    let last = '';
    let answered = 0;
    while (open !== null && answered < 20) {
      last = open;
      const data: { submitAnswer: { nextQuestion: { id: string } | null } } = ok(
        await app.request<{ submitAnswer: { nextQuestion: { id: string } | null } }>(
          `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { nextQuestion { id } } }`,
          { key, variables: { input: { questionId: open, content: STAR_ANSWER } } },
        ),
      );
      open = data.submitAnswer.nextQuestion?.id ?? null;
      answered++;
    }
    expect(answered).toBe(5);
    for (const input of [
      { questionId: last, content: 'One more' },
      { sessionId, content: 'One more' },
    ]) {
      const extra = await app.request(`mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } } }`, {
        key,
        variables: { input },
      });
      expect(extra.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    }

    const done = ok(
      await app.request<{ completeSession: { status: string; completedAt: string; operations: { kind: string }[] } }>(
        `mutation($input: SessionIdInput!) { completeSession(input: $input) { status completedAt operations { kind } } }`,
        { key, variables: { input: { sessionId } } },
      ),
    );
    expect(done.completeSession.status).toBe('COMPLETED');
    expect(done.completeSession.completedAt).toBeTruthy();
    expect(done.completeSession.operations.filter((o) => o.kind === 'SESSION_FEEDBACK')).toHaveLength(1);
    await feedbackSettled(app, sessionId);
    const after = ok(
      await app.request<{ session: { feedback: { scope: string }[] } }>(`query($id: ID!) { session(id: $id) { feedback { scope } } }`, {
        key,
        variables: { id: sessionId },
      }),
    );
    expect(after.session.feedback.map((f) => f.scope)).toEqual([...Array(5).fill('ANSWER'), 'SESSION']);

    const again = await app.request(`mutation($input: SessionIdInput!) { completeSession(input: $input) { status } }`, {
      key,
      variables: { input: { sessionId } },
    });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('lists sessions newest first with nested messages and feedback, paged by cursor', async () => {
    const { key } = await signUp(app);
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await createSession(app, key, 1)).sessionId);
    type List = {
      sessions: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: {
          node: {
            id: string;
            messageCount: number;
            messages: { totalCount: number; edges: { node: { role: string; feedback: { score: number } | null } }[] };
            feedback: unknown[];
            jobPosting: { title: string };
          };
        }[];
      };
    };
    const first = ok(await app.request<List>(SESSIONS_LIST, { key, variables: { first: 2 } }));
    expect(first.sessions.totalCount).toBe(3);
    expect(first.sessions.edges.map((e) => e.node.id)).toEqual([created[2], created[1]]);
    expect(first.sessions.pageInfo.hasNextPage).toBe(true);
    const node = first.sessions.edges[0]!.node;
    expect(node.jobPosting.title).toBe('Senior Backend Engineer');
    expect(node.messageCount).toBe(3);
    expect(node.messages.totalCount).toBe(3);
    expect(node.messages.edges.map((e) => e.node.role)).toEqual(['INTERVIEWER', 'CANDIDATE', 'INTERVIEWER']);
    expect(node.messages.edges[1]!.node.feedback?.score).toEqual(expect.any(Number));
    expect(node.feedback).toHaveLength(1);

    const second = ok(await app.request<List>(SESSIONS_LIST, { key, variables: { first: 2, after: first.sessions.pageInfo.endCursor } }));
    expect(second.sessions.edges.map((e) => e.node.id)).toEqual([created[0]]);
    expect(second.sessions.pageInfo.hasNextPage).toBe(false);

    const completed = ok(await app.request<List>(SESSIONS_LIST, { key, variables: { status: 'COMPLETED' } }));
    expect(completed.sessions.edges).toEqual([]);
  });

  it('reads a session by id and through node, and deletes it with everything in it', async () => {
    const { key } = await signUp(app);
    const { sessionId } = await createSession(app, key, 2);
    const byId = ok(
      await app.request<{ session: { id: string; messageCount: number } }>(`query($id: ID!) { session(id: $id) { id messageCount } }`, {
        key,
        variables: { id: sessionId },
      }),
    );
    expect(byId.session).toEqual({ id: sessionId, messageCount: 5 });
    const byNode = ok(
      await app.request<{ node: { __typename: string; id: string } }>(
        `query($id: ID!) { node(id: $id) { __typename id ... on InterviewSession { status } } }`,
        { key, variables: { id: sessionId } },
      ),
    );
    expect(byNode.node).toMatchObject({ __typename: 'InterviewSession', id: sessionId, status: 'ACTIVE' });

    const deleted = ok(
      await app.request<{ deleteSession: { deletedSessionId: string } }>(
        `mutation($input: SessionIdInput!) { deleteSession(input: $input) { deletedSessionId } }`,
        { key, variables: { input: { sessionId } } },
      ),
    );
    expect(deleted.deleteSession.deletedSessionId).toBe(sessionId);
    const dbId = decodeId(sessionId);
    expect(await app.prisma.sessionMessage.count({ where: { sessionId: dbId } })).toBe(0);
    expect(await app.prisma.feedback.count({ where: { sessionId: dbId } })).toBe(0);
    expect(await app.prisma.operation.count({ where: { sessionId: dbId } })).toBe(0);
    const gone = await app.request(`query($id: ID!) { session(id: $id) { id } }`, { key, variables: { id: sessionId } });
    expect(gone.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists job postings and resumes and reads them by id', async () => {
    const { key } = await signUp(app);
    const { postingId, resumeId } = await createPostingAndResume(app, key);
    const data = ok(
      await app.request<{
        jobPostings: { edges: { node: { id: string; description: string } }[] };
        resumes: { edges: { node: { id: string } }[] };
        jobPosting: { skills: string[] };
        resume: { content: string };
      }>(
        `query($p: ID!, $r: ID!) { jobPostings(first: 5) { edges { node { id description } } } resumes { edges { node { id } } }
        jobPosting(id: $p) { skills } resume(id: $r) { content } }`,
        { key, variables: { p: postingId, r: resumeId } },
      ),
    );
    expect(data.jobPostings.edges.map((e) => e.node.id)).toEqual([postingId]);
    expect(data.resumes.edges.map((e) => e.node.id)).toEqual([resumeId]);
    expect(data.jobPosting.skills).toEqual(['TypeScript', 'PostgreSQL', 'GraphQL']);
    expect(data.resume.content).toBe('Ten years of backend work.');
  });
});

describe('authentication', () => {
  it('answers UNAUTHENTICATED with 401 when no key is sent', async () => {
    const r = await app.request(`{ viewer { id } }`);
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('answers UNAUTHENTICATED for an unknown, malformed or revoked key', async () => {
    const { key } = await signUp(app);
    const other = ok(
      await app.request<{ createApiKey: { key: string; apiKey: { id: string } } }>(
        `mutation { createApiKey(input: { name: "ci" }) { key apiKey { id } } }`,
        { key },
      ),
    );
    ok(
      await app.request(`mutation($id: ID!) { revokeApiKey(id: $id) { revoked } }`, {
        key,
        variables: { id: other.createApiKey.apiKey.id },
      }),
    );
    for (const headers of [
      { authorization: `Bearer ${other.createApiKey.key}` },
      { authorization: `Bearer cad_${'A'.repeat(43)}` },
      { authorization: 'Bearer not-a-key' },
      { authorization: 'Basic dXNlcjpwYXNz' },
    ]) {
      const r = await app.request(`{ viewer { id } }`, { headers });
      expect(r.status, headers.authorization).toBe(401);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(r.body.data ?? null).toBeNull();
    }
    // The key that did the revoking still works.
    ok(await app.request(`{ viewer { id } }`, { key }));
  });

  it('lets anyone sign up but not twice with one email', async () => {
    const input = { email: `dup-${Date.now()}@example.test`, name: 'Dup' };
    ok(await app.request(`mutation($input: SignUpInput!) { signUp(input: $input) { key } }`, { variables: { input } }));
    const again = await app.request(`mutation($input: SignUpInput!) { signUp(input: $input) { key } }`, {
      variables: { input: { ...input, email: input.email.toUpperCase() } },
    });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('bad input', () => {
  it('rejects malformed ids and ids of the wrong type with BAD_USER_INPUT before any SQL', async () => {
    const { key } = await signUp(app);
    const { postingId } = await createPostingAndResume(app, key);
    for (const id of ['', 'nope', "1' OR 1=1 --", Buffer.from('InterviewSession:42').toString('base64url'), postingId, 'x'.repeat(500)]) {
      const { result, statements } = await app.recordSql(() =>
        app.request(`query($id: ID!) { session(id: $id) { id } }`, { key, variables: { id } }),
      );
      expect(result.body.errors?.[0]?.extensions?.code, id).toBe('BAD_USER_INPUT');
      expect(result.status).toBe(400);
      // No SQL at all: the id is refused before any resolver reads, and the key is cached.
      expect(statements).toEqual([]);
    }
  });

  it('rejects page sizes outside 1..100 and foreign cursors before execution', async () => {
    const { key } = await signUp(app);
    for (const variables of [
      { first: 0 },
      { first: 101 },
      { first: -1 },
      { after: 'bogus' },
      { after: Buffer.from('GPC:S:1').toString('base64') },
    ]) {
      const r = await app.request(SESSIONS_LIST, { key, variables });
      expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(r.status).toBe(400);
    }
    const nested = await app.request(`{ sessions(first: 1) { edges { node { messages(first: 1000) { totalCount } } } } }`, { key });
    expect(nested.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects oversized, empty and NUL-laden strings and writes nothing', async () => {
    const { key, userId } = await signUp(app);
    // The user's own postings: other suites write postings to the shared database meanwhile.
    const postings = () => app.prisma.jobPosting.count({ where: { userId: decodeId(userId) } });
    const before = await postings();
    for (const input of [
      { title: 'x'.repeat(201), company: 'c', description: 'd', skills: [] },
      { title: '   ', company: 'c', description: 'd', skills: [] },
      { title: 'ok', company: 'c\u0000', description: 'd', skills: [] },
      { title: 'ok', company: 'c', description: 'd', skills: Array.from({ length: 51 }, (_, i) => `s${i}`) },
    ]) {
      const r = await app.request(`mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id } }`, {
        key,
        variables: { input },
      });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.status).toBe(400);
    }
    expect(await postings()).toBe(before);
  });

  it('keeps a safe X-Request-ID and replaces a forged one', async () => {
    const r = await app.request(`{ __typename }`, { headers: { 'x-request-id': 'test-request-0001' } });
    expect(r.headers.get('x-request-id')).toBe('test-request-0001');
    const forged = await app.request(`{ __typename }`, { headers: { 'x-request-id': '<script>alert(1)</script>' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

function decodeId(globalId: string): string {
  return Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;
}
