// A write that committed and then failed to answer on a database fault (503/504) must not keep that
// failure as its answer: the key's outcomes stay, its hold is released, and a retry runs again from
// the outcomes (replaying the write, not repeating it). Any other answer is kept for replays.
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUnavailable, timedOut } from '../../src/errors.js';
import { IdempotencyStore } from '../../src/idempotency/store.js';
import { parseId } from '../../src/schema/ids.js';
import { startApp, type TestApp } from '../support/app.js';
import { signUp } from '../support/fixtures.js';

let app: TestApp;
let userId: string;
const store = new IdempotencyStore({ ttlMs: 60_000, holdMs: 60_000 });

beforeAll(async () => {
  app = await startApp();
  userId = parseId((await signUp(app)).userId, 'User');
});
afterAll(() => app.close());

/** A pg error as the driver raises it when PostgreSQL ends the connection. */
function terminated(): Error {
  return Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
}

const failures: [string, () => GraphQLError][] = [
  ['a raw pg fault in a field', () => new GraphQLError('x', { path: ['submitAnswer', 'nextQuestion'], originalError: terminated() })],
  ['SERVICE_UNAVAILABLE', () => serviceUnavailable()],
  ['TIMEOUT', () => timedOut()],
];

describe('settle after a database fault', () => {
  for (const [name, error] of failures) {
    it(`keeps the outcomes and lets a retry run again (${name})`, async () => {
      const key = `settle-${name}`;
      const taken = await store.take(userId, key, 'hash');
      if (taken.kind !== 'run') throw new Error(`took ${taken.kind}`);
      const outcome = { kind: 'createJobPosting', value: { id: 'p1' } };
      await app.prisma
        .$executeRaw`UPDATE idempotency_keys SET outcomes = ${JSON.stringify([outcome])}::jsonb WHERE id = ${taken.scope.recordId}::uuid`;
      taken.scope.wrote = true;
      await store.settle(taken.scope, { data: null, errors: [error()] }, true);

      const retry = await store.take(userId, key, 'hash');
      expect(retry.kind).toBe('run');
      expect(retry.kind === 'run' && retry.scope.recorded).toEqual([outcome]);
    });
  }

  it('keeps any other answer for replays', async () => {
    const taken = await store.take(userId, 'settle-ok', 'hash');
    if (taken.kind !== 'run') throw new Error(`took ${taken.kind}`);
    taken.scope.wrote = true;
    await store.settle(taken.scope, { data: { createJobPosting: { id: 'p1' } } }, true);
    expect(await store.take(userId, 'settle-ok', 'hash')).toEqual({
      kind: 'replay',
      response: { data: { createJobPosting: { id: 'p1' } } },
    });
  });

  it('answers a committed write even when storing its answer fails; a repeat replays the write', async () => {
    const short = await startApp({ env: { IDEMPOTENCY_HOLD_MS: '200' } });
    const marker = `settle-store-fails-${randomUUID()}`;
    // Refuses only the UPDATE that stores this key's answer (settle), after the write committed.
    await short.prisma.$executeRawUnsafe(`CREATE FUNCTION test_refuse_settle() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.response IS NOT NULL AND NEW.key = '${marker}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    await short.prisma.$executeRawUnsafe(
      'CREATE TRIGGER test_refuse_settle BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION test_refuse_settle()',
    );
    try {
      const { key } = await signUp(short);
      const send = () =>
        short.request<{ createJobPosting: { id: string; title: string } }>(
          'mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id title } }',
          {
            key,
            headers: { 'idempotency-key': marker },
            variables: { input: { title: marker, company: 'Acme', description: 'x', skills: [] } },
          },
        );
      const first = await send();
      expect(first.status).toBe(200);
      expect(first.body.errors).toBeUndefined();
      expect(short.logLines.some((l) => String(l.msg).startsWith('idempotency: could not store the answer'))).toBe(true);
      await short.prisma.$executeRawUnsafe('DROP TRIGGER test_refuse_settle ON idempotency_keys');
      await new Promise((resolve) => setTimeout(resolve, 300)); // the hold expires
      const repeat = await send();
      expect(repeat.status).toBe(200);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect(repeat.body.data?.createJobPosting.id).toBe(first.body.data?.createJobPosting.id);
      expect(await short.prisma.jobPosting.count({ where: { title: marker } })).toBe(1);
    } finally {
      await short.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS test_refuse_settle ON idempotency_keys');
      await short.prisma.$executeRawUnsafe('DROP FUNCTION IF EXISTS test_refuse_settle()');
      await short.close();
    }
  });
});
