// Viewer's API key list is bounded: keys can be created (and revoked) without end, and every Viewer
// read used to list them all, so its cost and size grew with each one. It lists the newest
// LISTED_API_KEYS, newest first, in one statement whatever the number of keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTED_API_KEYS } from '../../src/schema/user.js';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

let app: TestApp;
let key: string;

beforeAll(async () => {
  app = await startApp();
  ({ key } = await signUp(app));
}, 60_000);
afterAll(() => app.close());

interface Keys {
  viewer: { apiKeys: { name: string; revoked: boolean }[] };
}
const VIEWER = 'query Viewer { viewer { apiKeys { name revoked } } }';

describe('Viewer.apiKeys', () => {
  it(`lists the newest ${LISTED_API_KEYS} keys, newest first, in one statement, however many there are`, async () => {
    const created = LISTED_API_KEYS + 5;
    for (let i = 0; i < created; i++) {
      ok(await app.request(`mutation { createApiKey(input: { name: "key ${i}" }) { key } }`, { key }));
    }
    const { result, statements } = await app.recordSql(() => app.request<Keys>(VIEWER, { key }));
    const keys = ok(result).viewer.apiKeys;
    expect(keys).toHaveLength(LISTED_API_KEYS);
    expect(keys[0]!.name).toBe(`key ${created - 1}`);
    expect(keys.at(-1)!.name).toBe(`key ${created - LISTED_API_KEYS}`);
    expect(statements).toHaveLength(1);
  });
});
