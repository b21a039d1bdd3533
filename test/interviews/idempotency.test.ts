// Idempotency-Key: a repeated mutation replays its first answer and writes nothing more; the same
// key with another request, or while the first runs, is CONFLICT; keys are per user and expire; a
// write whose answer was lost after COMMIT is replayed from the outcome its transaction recorded.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseId } from '../../src/schema/ids.js';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp } from '../support/fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { IDEMPOTENCY_HOLD_MS: '300' } });
});
afterAll(() => app.close());

const SUBMIT = `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id seq content } nextQuestion { id } operation { id } } }`;
const POSTING = `mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id title } }`;
const postingInput = (title: string) => ({ input: { title, company: 'Acme', description: 'APIs.', skills: ['SQL'] } });

const uid = (globalId: string) => parseId(globalId, 'User');
const withKey = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });
const answersOf = async (sessionId: string) =>
  app.prisma.sessionMessage.count({ where: { sessionId: parseId(sessionId, 'InterviewSession'), role: 'CANDIDATE' } });

describe('Idempotency-Key', () => {
  it('replays a repeated submitAnswer without writing again', async () => {
    const { key } = await signUp(app);
    const { sessionId, questionId } = await createSession(app, key);
    const send = () => app.request(SUBMIT, { key, headers: withKey('answer-1'), variables: { input: { questionId, content: 'Once.' } } });
    const first = await send();
    const second = await send();
    expect(first.body.errors).toBeUndefined();
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await answersOf(sessionId)).toBe(1);
  });

  it('keeps the key while a slow first attempt lives: a copy sent after the hold is told to retry, then replays', async () => {
    const { key } = await signUp(app);
    const { sessionId, questionId } = await createSession(app, key);
    const idem = randomUUID();
    const send = () => app.request(SUBMIT, { key, headers: withKey(idem), variables: { input: { questionId, content: 'Slow.' } } });
    // Another connection holds the session's row, so the first attempt's write waits well past
    // the 300 ms hold; the hold is renewed while it waits.
    const locker = new pg.Client({ connectionString: inject('databaseUrl') });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM interview_sessions WHERE id = $1 FOR UPDATE', [parseId(sessionId, 'InterviewSession')]);
      const first = send();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const copy = await send();
      expect(copy.body.errors?.[0]?.extensions?.reason).toBe('IDEMPOTENCY_KEY_IN_USE');
      await locker.query('COMMIT');
      const answered = await first;
      expect(answered.body.errors).toBeUndefined();
      const again = await send();
      expect(again.body).toEqual(answered.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await locker.end();
    }
    expect(await answersOf(sessionId)).toBe(1);
  });

  it('runs 20 concurrent copies once: the rest replay or are told to retry', async () => {
    const { key } = await signUp(app);
    for (let run = 0; run < 5; run++) {
      const { sessionId, questionId } = await createSession(app, key);
      const idem = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          app.request(SUBMIT, { key, headers: withKey(idem), variables: { input: { questionId, content: `Run ${run}.` } } }),
        ),
      );
      const succeeded = results.filter((r) => !r.body.errors);
      const busy = results.filter((r) => r.body.errors?.[0]?.extensions?.reason === 'IDEMPOTENCY_KEY_IN_USE');
      // Anything else is named in the failure (status and errors), not just counted.
      const other = results
        .filter((r) => !succeeded.includes(r) && !busy.includes(r))
        .map((r) => ({ status: r.status, errors: r.body.errors }));
      expect(other).toEqual([]);
      expect(succeeded.length + busy.length).toBe(20);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      // Every success is the one answer.
      for (const r of succeeded) expect(r.body).toEqual(succeeded[0]!.body);
      for (const r of busy) {
        expect(r.status).toBe(409);
        expect(r.headers.get('retry-after')).toBe('1');
      }
      expect(await answersOf(sessionId)).toBe(1);
    }
  });

  it('refuses the same key with a different request', async () => {
    const { key, userId } = await signUp(app);
    ok(await app.request(POSTING, { key, headers: withKey('k'), variables: postingInput('First') }));
    const other = await app.request(POSTING, { key, headers: withKey('k'), variables: postingInput('Second') });
    expect(other.status).toBe(409);
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await app.prisma.jobPosting.count({ where: { userId: uid(userId) } })).toBe(1);
  });

  it('treats variables with keys in another order as the same request', async () => {
    const { key } = await signUp(app);
    const a = await app.request(POSTING, {
      key,
      headers: withKey('order'),
      variables: { input: { title: 'T', company: 'C', description: 'D', skills: ['x'] } },
    });
    const b = await app.request(POSTING, {
      key,
      headers: withKey('order'),
      variables: { input: { skills: ['x'], description: 'D', company: 'C', title: 'T' } },
    });
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it("keeps each user's keys apart", async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    const a = ok<{ createJobPosting: { id: string } }>(
      await app.request(POSTING, { key: alice.key, headers: withKey('shared'), variables: postingInput('Mine') }),
    );
    const b = ok<{ createJobPosting: { id: string } }>(
      await app.request(POSTING, { key: bob.key, headers: withKey('shared'), variables: postingInput('Mine') }),
    );
    expect(b.createJobPosting.id).not.toBe(a.createJobPosting.id);
    expect(await app.prisma.jobPosting.count({ where: { userId: uid(bob.userId) } })).toBe(1);
  });

  it('replays from the recorded outcome when the answer was lost after COMMIT', async () => {
    const { key, userId } = await signUp(app);
    const first = ok<{ createJobPosting: { id: string } }>(
      await app.request(POSTING, { key, headers: withKey('lost'), variables: postingInput('Lost') }),
    );
    // As if the process died between COMMIT and keeping the answer: the outcome is there (it was
    // written by the write's own transaction), the answer and the hold are not.
    const record = await app.prisma.idempotencyKey.findFirstOrThrow({ where: { userId: uid(userId), key: 'lost' } });
    expect(record.outcomes).toEqual([{ kind: 'createJobPosting', value: { id: parseId(first.createJobPosting.id, 'JobPosting') } }]);
    await app.prisma.$executeRaw`UPDATE idempotency_keys SET response = NULL, locked_until = NULL WHERE id = ${record.id}::uuid`;
    const response = await app.request<{ createJobPosting: { id: string } }>(POSTING, {
      key,
      headers: withKey('lost'),
      variables: postingInput('Lost'),
    });
    const retry = ok<{ createJobPosting: { id: string } }>(response);
    expect(retry.createJobPosting.id).toBe(first.createJobPosting.id);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(await app.prisma.jobPosting.count({ where: { userId: uid(userId) } })).toBe(1);
  });

  it('lets a retry take over a key whose request died before writing', async () => {
    const { key, userId } = await signUp(app);
    ok(await app.request(POSTING, { key, headers: withKey('died'), variables: postingInput('Died') }));
    // A request that died holding the key and having written nothing.
    await app.prisma
      .$executeRaw`UPDATE idempotency_keys SET response = NULL, outcomes = '[]'::jsonb, locked_until = now() - interval '1 second' WHERE user_id = ${uid(userId)}::uuid AND key = 'died'`;
    await app.prisma.jobPosting.deleteMany({ where: { userId: uid(userId) } });
    ok(await app.request(POSTING, { key, headers: withKey('died'), variables: postingInput('Died') }));
    expect(await app.prisma.jobPosting.count({ where: { userId: uid(userId) } })).toBe(1);
  });

  it('never stores an answer that carries a secret', async () => {
    const { key, userId } = await signUp(app);
    const CREATE_KEY = `mutation { createApiKey(input: { name: "ci" }) { key apiKey { id } } }`;
    ok(await app.request(CREATE_KEY, { key, headers: withKey('secret') }));
    const again = await app.request(CREATE_KEY, { key, headers: withKey('secret') });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await app.prisma.apiKey.count({ where: { userId: uid(userId) } })).toBe(2); // the sign-up key and one more
    const stored = await app.prisma.idempotencyKey.findFirstOrThrow({ where: { userId: uid(userId), key: 'secret' } });
    expect(JSON.stringify(stored.response)).not.toMatch(/cad_|"key"/);
  });

  it.each([
    ['empty', '""'],
    ['too long', 'x'.repeat(256)],
    ['with a space', 'a b'],
    ['non-ASCII', 'clé'],
  ])('refuses a key that is %s with 400 BAD_USER_INPUT and writes nothing', async (_what, idem) => {
    const { key, userId } = await signUp(app);
    const r = await app.request(POSTING, { key, headers: withKey(idem), variables: postingInput('Bad key') });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await app.prisma.jobPosting.count({ where: { userId: uid(userId) } })).toBe(0);
  });

  it('forgets a key after IDEMPOTENCY_TTL_MS', async () => {
    const short = await startApp({ env: { IDEMPOTENCY_TTL_MS: '1000' } });
    try {
      const { key, userId } = await signUp(short);
      ok(await short.request(POSTING, { key, headers: withKey('ttl'), variables: postingInput('One') }));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      // Expired: the key is new again, so another request may use it.
      ok(await short.request(POSTING, { key, headers: withKey('ttl'), variables: postingInput('Two') }));
      expect(await short.prisma.jobPosting.count({ where: { userId: uid(userId) } })).toBe(2);
    } finally {
      await short.close();
    }
  });
});
