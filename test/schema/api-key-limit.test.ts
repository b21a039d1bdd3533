// A user holds at most LIMITS.liveApiKeys unrevoked API keys: past that createApiKey answers
// CONFLICT (409) and writes nothing; revoking one makes room. Concurrent creations near the limit
// cannot overshoot it (they are serialised on the user's row), whatever the burst.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/schema/validate.js';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

let app: TestApp;

beforeAll(async () => {
  app = await startApp();
}, 60_000);
afterAll(() => app.close());

const CREATE = 'mutation($name: String!) { createApiKey(input: { name: $name }) { key apiKey { id } } }';

/** A user whose live keys number `live` (the sign-up key counts), and their key. */
async function userWithLiveKeys(live: number): Promise<{ key: string; userId: string }> {
  const { key, userId: globalId } = await signUp(app, 'Key collector');
  const userId = Buffer.from(globalId, 'base64url').toString().split(':')[1]!;
  await app.prisma.apiKey.createMany({
    data: Array.from({ length: live - 1 }, (_, i) => ({ userId, name: `filler ${i}`, prefix: `cad_f${i}`, hash: randomUUID() })),
  });
  // A revoked key does not count.
  await app.prisma.apiKey.create({ data: { userId, name: 'old', prefix: 'cad_old', hash: randomUUID(), revokedAt: new Date() } });
  return { key, userId };
}

const liveKeys = (userId: string) => app.prisma.apiKey.count({ where: { userId, revokedAt: null } });

describe('createApiKey past the live-key limit', () => {
  it(`answers CONFLICT (409) with the limit at ${LIMITS.liveApiKeys} live keys, writes nothing, and takes one after a revocation`, async () => {
    const { key, userId } = await userWithLiveKeys(LIMITS.liveApiKeys);
    const refused = await app.request(CREATE, { key, variables: { name: 'one too many' } });
    expect(refused.status).toBe(409);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', limit: LIMITS.liveApiKeys });
    expect(refused.body.errors?.[0]?.message).toMatch(/revoke one/);
    expect(await liveKeys(userId)).toBe(LIMITS.liveApiKeys);
    expect(await app.prisma.apiKey.count({ where: { userId, name: 'one too many' } })).toBe(0);

    const victim = await app.prisma.apiKey.findFirstOrThrow({ where: { userId, name: 'filler 0' } });
    const id = Buffer.from(`ApiKey:${victim.id}`).toString('base64url');
    ok(await app.request('mutation($id: ID!) { revokeApiKey(id: $id) { revoked } }', { key, variables: { id } }));
    ok(await app.request(CREATE, { key, variables: { name: 'room again' } }));
    expect(await liveKeys(userId)).toBe(LIMITS.liveApiKeys);
  });

  it.each([
    [1, 8],
    [2, 12],
    [3, 5],
    [0, 6],
  ])('with room for %i, a burst of %i concurrent creations makes exactly that many', async (room, burst) => {
    const { key, userId } = await userWithLiveKeys(LIMITS.liveApiKeys - room);
    const answers = await Promise.all(
      Array.from({ length: burst }, (_, i) => app.request(CREATE, { key, variables: { name: `burst ${i}` } })),
    );
    const created = answers.filter((a) => a.status === 200 && !a.body.errors);
    const refused = answers.filter((a) => a.status === 409);
    expect(created).toHaveLength(room);
    expect(refused).toHaveLength(burst - room);
    for (const a of refused) expect(a.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await liveKeys(userId)).toBe(LIMITS.liveApiKeys);
  });
});
