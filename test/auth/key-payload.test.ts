// signUp, createApiKey and revokeApiKey answer from the rows their one statement stored
// (src/auth/key-statements.ts): the payload equals a read of the same rows afterwards, byte for
// byte; each persisted operation is that one statement; a selection that reaches into relations
// still reads by id; revoking twice keeps the first revocation's time; a taken email is CONFLICT
// and writes nothing. Runs on PostgreSQL and on PGlite (Prisma's raw API returns its types too).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

const operation = (name: string) => readFileSync(new URL(`../../schema/operations/${name}.graphql`, import.meta.url), 'utf8');
const label = (sql: string) => /^\/\* [^*]+ \*\//.exec(sql.trim())?.[0] ?? sql.slice(0, 40);

interface Key {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revoked: boolean;
  revokedAt: string | null;
}
const KEY_FIELDS = 'id name prefix createdAt revoked revokedAt';

describe('key writes answer from their RETURNING', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.close());

  const viewer = async (key: string) =>
    ok(
      await app.request<{ viewer: { id: string; name: string; email: string; createdAt: string; apiKeys: Key[] } }>(
        `{ viewer { id name email createdAt apiKeys { ${KEY_FIELDS} } } }`,
        { key },
      ),
    ).viewer;

  it('signUp: the user and key it answers are what a read says afterwards', async () => {
    const email = `payload-${randomUUID()}@example.test`;
    const { signUp: created } = ok(
      await app.request<{ signUp: { key: string; user: { id: string; name: string; email: string; createdAt: string }; apiKey: Key } }>(
        `mutation($input: SignUpInput!) { signUp(input: $input) { key user { id name email createdAt } apiKey { ${KEY_FIELDS} } } }`,
        { variables: { input: { email, name: 'Payload Person' } } },
      ),
    );
    const read = await viewer(created.key);
    const { apiKeys, ...user } = read;
    expect(JSON.stringify(created.user)).toBe(JSON.stringify(user));
    expect(apiKeys).toHaveLength(1);
    expect(JSON.stringify(created.apiKey)).toBe(JSON.stringify(apiKeys[0]));
    expect(created.apiKey).toMatchObject({ name: 'default', revoked: false, revokedAt: null, prefix: created.key.slice(0, 12) });
  });

  it('signUp with a taken email is CONFLICT and adds no user and no key', async () => {
    const email = `taken-${randomUUID()}@example.test`;
    const input = { email, name: 'First' };
    ok(await app.request(`mutation($input: SignUpInput!) { signUp(input: $input) { key } }`, { variables: { input } }));
    const again = await app.request(`mutation($input: SignUpInput!) { signUp(input: $input) { key } }`, {
      variables: { input: { email: email.toUpperCase(), name: 'Second' } },
    });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await app.prisma.user.count({ where: { email } })).toBe(1);
    const user = await app.prisma.user.findUniqueOrThrow({ where: { email } });
    expect(await app.prisma.apiKey.count({ where: { userId: user.id } })).toBe(1);
  });

  it.each([2, 8, 20])('%i concurrent signUps with one email (any case): one account with one key, the rest CONFLICT', async (n) => {
    const email = `race-${randomUUID()}@example.test`;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        app.request<{ signUp: { key: string } }>(`mutation($input: SignUpInput!) { signUp(input: $input) { key } }`, {
          variables: { input: { email: i % 2 ? email.toUpperCase() : email, name: `Racer ${i}` } },
        }),
      ),
    );
    const won = answers.filter((a) => a.status === 200 && !a.body.errors);
    expect(won).toHaveLength(1);
    for (const a of answers.filter((x) => x !== won[0])) expect(a.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const users = await app.prisma.user.findMany({ where: { email }, select: { id: true } });
    expect(users).toHaveLength(1);
    expect(await app.prisma.apiKey.count({ where: { userId: users[0]!.id } })).toBe(1);
    // The winner's key is the one stored, and it works.
    expect((await viewer(won[0]!.body.data!.signUp.key)).email).toBe(email);
  });

  it('concurrent revocations of one key all answer it revoked, with one revocation time', async () => {
    const { key } = await signUp(app);
    const created = ok(
      await app.request<{ createApiKey: { apiKey: { id: string } } }>(
        `mutation { createApiKey(input: { name: "contested" }) { apiKey { id } } }`,
        { key },
      ),
    ).createApiKey.apiKey;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.request<{ revokeApiKey: Key }>(`mutation($id: ID!) { revokeApiKey(id: $id) { ${KEY_FIELDS} } }`, {
          key,
          variables: { id: created.id },
        }),
      ),
    );
    const revoked = answers.map((a) => ok(a).revokeApiKey);
    expect(new Set(revoked.map((r) => r.revokedAt)).size).toBe(1);
    expect(revoked.every((r) => r.revoked)).toBe(true);
  });

  it('createApiKey and revokeApiKey: their payloads are what a read says afterwards; a second revocation keeps the first time', async () => {
    const { key } = await signUp(app);
    const { createApiKey } = ok(
      await app.request<{ createApiKey: { key: string; apiKey: Key } }>(
        `mutation { createApiKey(input: { name: "second" }) { key apiKey { ${KEY_FIELDS} } } }`,
        { key },
      ),
    );
    let listed = (await viewer(key)).apiKeys.find((k) => k.id === createApiKey.apiKey.id);
    expect(JSON.stringify(createApiKey.apiKey)).toBe(JSON.stringify(listed));

    const revoke = `mutation($id: ID!) { revokeApiKey(id: $id) { ${KEY_FIELDS} } }`;
    const first = ok(await app.request<{ revokeApiKey: Key }>(revoke, { key, variables: { id: createApiKey.apiKey.id } })).revokeApiKey;
    listed = (await viewer(key)).apiKeys.find((k) => k.id === createApiKey.apiKey.id);
    expect(JSON.stringify(first)).toBe(JSON.stringify(listed));
    expect(first).toMatchObject({ revoked: true, revokedAt: expect.any(String) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = ok(await app.request<{ revokeApiKey: Key }>(revoke, { key, variables: { id: createApiKey.apiKey.id } })).revokeApiKey;
    expect(second).toEqual(first);
  });

  it("revokeApiKey of a key that is not the viewer's is NOT_FOUND and revokes nothing", async () => {
    const owner = await signUp(app);
    const stranger = await signUp(app);
    const [ownKey] = (await viewer(owner.key)).apiKeys;
    const r = await app.request(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, {
      key: stranger.key,
      variables: { id: ownKey!.id },
    });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await viewer(owner.key)).apiKeys[0]).toMatchObject({ revoked: false, revokedAt: null });
  });

  it('runs each persisted operation as its one statement', async () => {
    const signUpRun = await app.recordSql(() =>
      app.request<{ signUp: { key: string } }>(operation('SignUp'), {
        variables: { input: { email: `count-${randomUUID()}@example.test`, name: 'Counted' } },
      }),
    );
    const { key } = ok(signUpRun.result).signUp;
    expect(signUpRun.statements.map((s) => label(s.sql))).toEqual(['/* signUp: write */']);

    await app.request('query { viewer { id } }', { key }); // the key is cached from now on
    const createRun = await app.recordSql(() =>
      app.request<{ createApiKey: { apiKey: { id: string } } }>(operation('CreateApiKey'), {
        key,
        variables: { input: { name: 'counted' } },
      }),
    );
    const { id } = ok(createRun.result).createApiKey.apiKey;
    expect(createRun.statements.map((s) => label(s.sql))).toEqual(['/* createApiKey: write */']);

    const revokeRun = await app.recordSql(() => app.request(operation('RevokeApiKey'), { key, variables: { id } }));
    ok(revokeRun.result);
    expect(revokeRun.statements.map((s) => label(s.sql))).toEqual(['/* revokeApiKey: write */']);
  });

  it('reads the rows by id when the selection reaches into their relations', async () => {
    const { key } = await signUp(app);
    await app.request('query { viewer { id } }', { key });
    const { result, statements } = await app.recordSql(() =>
      app.request<{ createApiKey: { apiKey: { id: string }; user: { apiKeys: { id: string }[] } } }>(
        `mutation { createApiKey(input: { name: "nested" }) { apiKey { id } user { apiKeys { id } } } }`,
        { key },
      ),
    );
    const { createApiKey } = ok(result);
    expect(createApiKey.user.apiKeys.map((k) => k.id)).toContain(createApiKey.apiKey.id);
    expect(statements.length).toBeGreaterThan(1);
  });
});
