// Persisted operations, the cost extension, status codes for any Accept header, and the config
// switches of the policy (introspection, persisted-only, admin keys).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionsListDocument, ViewerDocument } from '../../schema/generated/graphql.js';
import { loadConfig } from '../../src/config.js';
import { isAdminKey, extractPersistedOperationId } from '../../src/plugins/use-persisted-operations.js';
import { callOperation, persistedId } from '../../src/policy/operations.js';
import { startApp, type TestApp } from '../support/app.js';
import { signUp } from '../support/fixtures.js';
import { createHash } from 'node:crypto';

let app: TestApp;
let key: string;
beforeAll(async () => {
  app = await startApp();
  ({ key } = await signUp(app));
});
afterAll(async () => {
  await app.close();
});

describe('persisted operations in development', () => {
  it('run by documentId, by APQ hash, and as text', async () => {
    const byId = await callOperation(app.yoga, ViewerDocument, {}, { key });
    const asText = await callOperation(app.yoga, ViewerDocument, {}, { key, persisted: false });
    expect(byId.body).toEqual(asText.body);
    expect(byId.status).toBe(200);
    const apq = await app.yoga.fetch('http://cadence.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: persistedId(ViewerDocument) } } }),
    });
    expect(apq.status).toBe(200);
    expect(await apq.json()).toEqual(byId.body);
  });

  it('run by GET with the CSRF header (a CDN can cache them)', async () => {
    const url = `http://cadence.test/graphql?documentId=${persistedId(ViewerDocument)}`;
    const response = await app.yoga.fetch(url, { headers: { 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { viewer: { id: string } } }).data.viewer.id).toBeTruthy();
  });

  it('answer an unknown id with 400 PERSISTED_QUERY_NOT_IN_LIST', async () => {
    const { result, statements } = await app.recordSql(async () =>
      app.yoga.fetch('http://cadence.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` }),
      }),
    );
    expect(result.status).toBe(400);
    expect(((await result.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
    expect(statements).toEqual([]);
  });
});

describe('the cost extension', () => {
  it('reports cost and depth when asked with x-cadence-cost: 1, and only then', async () => {
    const asked = await callOperation(app.yoga, SessionsListDocument, { first: 5 }, { key, headers: { 'x-cadence-cost': '1' } });
    expect(asked.body.extensions?.cost).toEqual({ requested: 1 + 5 * 17, limit: 1000, depth: 7, breadth: expect.any(Number) });
    const silent = await callOperation(app.yoga, SessionsListDocument, { first: 5 }, { key });
    expect(silent.body.extensions?.cost).toBeUndefined();
  });

  it('is in the error of a refused operation', async () => {
    const refused = await callOperation(app.yoga, SessionsListDocument, { first: 100 }, { key });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: { requested: 1701, limit: 1000 } });
  });
});

describe('rejections', () => {
  it.each(['application/json', 'application/graphql-response+json', '*/*'])('answer 400 to a client accepting %s', async (accept) => {
    const response = await app.request('{ viewer { nope } }', { key, headers: { accept } });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('the policy configuration', () => {
  it('turns introspection off and requires persisted operations in production, unless told otherwise', () => {
    const production = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/cadence' });
    expect(production).toMatchObject({ allowIntrospection: false, persistedOperationsOnly: true });
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ allowIntrospection: true, persistedOperationsOnly: false });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgresql://db/cadence',
        ALLOW_INTROSPECTION: 'true',
        PERSISTED_OPERATIONS_ONLY: 'false',
      }),
    ).toMatchObject({
      allowIntrospection: true,
      persistedOperationsOnly: false,
    });
  });

  it('reads admin keys as SHA-256 digests and refuses anything else', () => {
    const hash = createHash('sha256').update('cad_x').digest('hex');
    const config = loadConfig({ ADMIN_API_KEY_HASHES: ` ${hash.toUpperCase()} ,` });
    expect([...config.adminApiKeyHashes]).toEqual([hash]);
    expect(isAdminKey('Bearer cad_x', config.adminApiKeyHashes)).toBe(true);
    expect(isAdminKey('Bearer cad_y', config.adminApiKeyHashes)).toBe(false);
    expect(isAdminKey(null, config.adminApiKeyHashes)).toBe(false);
    expect(() => loadConfig({ ADMIN_API_KEY_HASHES: 'cad_plaintextkey' })).toThrow(/ADMIN_API_KEY_HASHES/);
  });

  it('takes a persisted id as documentId or APQ hash, with or without sha256:', () => {
    expect(extractPersistedOperationId({ documentId: 'sha256:abc' } as never)).toBe('abc');
    expect(extractPersistedOperationId({ extensions: { persistedQuery: { version: 1, sha256Hash: 'def' } } } as never)).toBe('def');
    expect(extractPersistedOperationId({ query: '{ a }' })).toBeNull();
  });
});
