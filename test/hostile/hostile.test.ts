// Hostile input, by the categories of RELIABILITY.md ("Query shape", "Identity"). Every case asserts
// the status, the `extensions.code`, the SQL statements it caused (none when the request is refused
// before execution, which is before the API-key lookup), that no row was written, and that the
// server still answers a normal request afterwards.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, RevokeApiKeyDocument, ViewerDocument } from '../../schema/generated/graphql.js';
import { CSRF_HEADER } from '../../src/policy/index.js';
import { LIMITS } from '../../src/policy/limits.js';
import { callOperation, mustCall, persistedId } from '../../src/policy/operations.js';
import { deepQuery, REJECTED_SAMPLES } from '../../src/policy/samples.js';
import type { TestApp } from '../support/app.js';
import { createPostingAndResume, createSession, signUp } from '../support/fixtures.js';
import { isolatedDatabase, raw, rowCounts, startOn, UNKNOWN_KEY, type IsolatedDatabase, type RawResponse } from './support.js';

interface World {
  dev: TestApp;
  prod: TestApp;
  alice: { key: string; sessionId: string; postingId: string; resumeId: string };
  bob: { key: string; sessionId: string; postingId: string; resumeId: string };
  adminKey: string;
  revokedAdminKey: string;
  revokedKey: string;
}

interface HostileCase {
  category: 'Query shape' | 'Identity';
  name: string;
  /** Which server: development mode (default) or production mode. */
  on?: 'dev' | 'prod';
  send(w: World): Promise<RawResponse>;
  status: number;
  /** `extensions.code` of the first error; null when the answer has no GraphQL body (e.g. 415). */
  code: string | null;
  /** SQL statements the request may cause. @default 0 */
  sql?: number;
  /** The case succeeds and writes (e.g. hostile text stored verbatim). @default false */
  writes?: boolean;
  check?(response: RawResponse, w: World): void;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** A JSON POST as a legacy client sends it (Accept: application/json): rejections must still be 4xx. */
function post(app: TestApp, body: unknown, options: { key?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...JSON_HEADERS, ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  return raw(app, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const q = (query: string, variables: Record<string, unknown> = {}) => ({ query, variables });
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

const SESSIONS = 'query S($first: Int, $after: String) { sessions(first: $first, after: $after) { edges { node { id } } } }';
const POSTING_INPUT = { title: 'Engineer', company: 'Acme', description: 'Build things.', skills: ['SQL'] };
const CREATE_POSTING = 'mutation P($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id title } }';

const CASES: HostileCase[] = [
  // ---- Query shape: the shared samples (also the flood benchmark's), sent with an unknown key: a
  // request that got as far as authentication would show its one lookup and a 401.
  ...REJECTED_SAMPLES.map(
    (sample): HostileCase => ({
      category: 'Query shape',
      name: `${sample.name}: ${sample.description}`,
      send: (w) => post(w.dev, sample.body, { key: UNKNOWN_KEY }),
      status: sample.status,
      code: sample.code,
    }),
  ),
  {
    category: 'Query shape',
    name: 'depth through fragments',
    send: (w) =>
      post(
        w.dev,
        q(
          'query D { session(id: "x") { ...A } } fragment A on InterviewSession { messages(first: 1) { ...B } } ' +
            'fragment B on InterviewSessionMessagesConnection { edges { node { ...C } } } ' +
            'fragment C on SessionMessage { feedback { message { feedback { message { feedback { id } } } } } }',
        ),
        { key: UNKNOWN_KEY },
      ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.extensions?.limit).toEqual({ name: 'depth', max: LIMITS.depth }),
  },
  {
    category: 'Query shape',
    name: 'aliases through a fragment spread twice',
    send: (w) =>
      post(
        w.dev,
        q(`query A { viewer { ...F ...F } } fragment F on User { ${Array.from({ length: 10 }, (_, i) => `n${i}: name`).join(' ')} }`),
        { key: UNKNOWN_KEY },
      ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.extensions?.limit).toEqual({ name: 'aliases', max: LIMITS.aliases }),
  },
  {
    category: 'Query shape',
    name: 'fragment cycle',
    send: (w) =>
      post(w.dev, q('query C { viewer { ...A } } fragment A on User { id ...B } fragment B on User { name ...A }'), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    category: 'Query shape',
    name: 'the same field selected 250 times',
    send: (w) => post(w.dev, q(`query Dup { viewer { ${'id '.repeat(250)}} }`), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.extensions?.limit).toEqual({ name: 'breadth', max: LIMITS.breadth }),
  },
  {
    category: 'Query shape',
    name: 'the same directive twice on one field',
    send: (w) => post(w.dev, q('query Dir { viewer { id @include(if: true) @include(if: true) } }'), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    category: 'Query shape',
    name: 'four root fields in one mutation (limit 3), writing nothing',
    send: (w) =>
      post(
        w.dev,
        q(
          `mutation Many { ${[1, 2, 3, 4].map((i) => `s${i}: signUp(input: { email: "m${i}@example.test", name: "M" }) { key }`).join(' ')} }`,
        ),
      ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.extensions?.limit).toEqual({ name: 'mutationRootFields', max: LIMITS.mutationRootFields }),
  },
  {
    category: 'Query shape',
    name: 'first: 101 as a literal',
    send: (w) => post(w.dev, q('query S { sessions(first: 101) { edges { node { id } } } }'), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Query shape',
    name: 'last: 0',
    send: (w) => post(w.dev, q('query S { sessions(last: 0) { edges { node { id } } } }'), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Query shape',
    name: 'first: 500 from a variable default',
    send: (w) => post(w.dev, q('query S($f: Int = 500) { sessions(first: $f) { edges { node { id } } } }'), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Query shape',
    name: 'first of the wrong type',
    send: (w) => post(w.dev, q(SESSIONS, { first: 'ten' }), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Query shape',
    name: 'a forged cursor',
    send: (w) => post(w.dev, q(SESSIONS, { first: 5, after: Buffer.from('GPC:S:1 OR 1=1').toString('base64') }), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Query shape',
    name: 'a batched array (batching is off)',
    send: (w) => post(w.dev, [q('{ viewer { id } }'), q('{ viewer { id } }')], { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    category: 'Query shape',
    name: 'malformed JSON',
    send: (w) => post(w.dev, '{"query": "{ viewer { id } }"', { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    category: 'Query shape',
    name: 'an empty body',
    send: (w) => post(w.dev, '', { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    category: 'Query shape',
    name: 'neither a query nor a documentId',
    send: (w) => post(w.dev, { variables: {} }, { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    category: 'Query shape',
    name: 'variables that are not an object',
    send: (w) => post(w.dev, { query: '{ viewer { id } }', variables: [1, 2] }, { key: UNKNOWN_KEY }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    category: 'Query shape',
    name: 'a syntax error',
    send: (w) => post(w.dev, q('{ viewer { id '), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    category: 'Query shape',
    name: 'an unknown field (development keeps the suggestion)',
    send: (w) => post(w.dev, q('{ viewer { nme } }'), { key: UNKNOWN_KEY }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.message).toContain('Did you mean'),
  },
  {
    category: 'Query shape',
    name: 'a wrong content type',
    send: (w) => raw(w.dev, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<query/>' }),
    status: 415,
    code: null,
  },
  {
    category: 'Query shape',
    name: 'a CSRF-style form POST (no preflight)',
    send: (w) =>
      raw(w.dev, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${UNKNOWN_KEY}` },
        body: `query=${encodeURIComponent('mutation { createApiKey(input: { name: "x" }) { key } }')}`,
      }),
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    category: 'Query shape',
    name: 'a CSRF-style text/plain POST',
    send: (w) => raw(w.dev, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(q('{ viewer { id } }')) }),
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    category: 'Query shape',
    name: 'a GET query without the CSRF header',
    send: (w) => raw(w.dev, { method: 'GET', url: `http://cadence.test/graphql?query=${encodeURIComponent('{ viewer { id } }')}` }),
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    category: 'Query shape',
    name: 'a GET mutation',
    send: (w) =>
      raw(w.dev, {
        method: 'GET',
        headers: { [CSRF_HEADER]: '1', authorization: `Bearer ${UNKNOWN_KEY}` },
        url: `http://cadence.test/graphql?query=${encodeURIComponent('mutation { createApiKey(input: { name: "x" }) { key } }')}`,
      }),
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    category: 'Query shape',
    name: 'an oversized body streamed without Content-Length',
    send: (w) => {
      const chunk = new TextEncoder().encode(' '.repeat(10_000));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 20) {
            controller.close();
            return;
          }
          sent += 1;
          controller.enqueue(chunk);
        },
      });
      return raw(w.dev, { method: 'POST', headers: JSON_HEADERS, body, duplex: 'half' } as RequestInit);
    },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    category: 'Query shape',
    name: 'introspection in production',
    on: 'prod',
    send: (w) => post(w.prod, q('{ __schema { types { name } } }'), { key: w.adminKey }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    category: 'Query shape',
    name: 'no field suggestion in production',
    on: 'prod',
    send: (w) => post(w.prod, q('{ viewer { nme } }'), { key: w.adminKey }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.message).not.toMatch(/Did you mean|name/),
  },
  {
    category: 'Query shape',
    name: 'no enum value suggestion in production',
    on: 'prod',
    send: (w) => post(w.prod, q('{ sessions(status: ACTIV) { edges { node { id } } } }'), { key: w.adminKey }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    check: (r) => expect(r.body?.errors?.[0]?.message).not.toMatch(/Did you mean|ACTIVE/),
  },
  {
    category: 'Query shape',
    name: 'an arbitrary document in production',
    on: 'prod',
    send: (w) => post(w.prod, q('{ viewer { id } }'), { key: w.alice.key }),
    status: 400,
    code: 'PERSISTED_QUERY_NOT_IN_LIST',
  },
  {
    category: 'Query shape',
    name: 'an unknown persisted id',
    on: 'prod',
    send: (w) => post(w.prod, { documentId: 'f'.repeat(64), variables: {} }, { key: w.alice.key }),
    status: 400,
    code: 'PERSISTED_QUERY_NOT_IN_LIST',
  },
  {
    category: 'Query shape',
    name: 'an unknown APQ hash in production',
    on: 'prod',
    send: (w) => post(w.prod, { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }, { key: w.alice.key }),
    status: 400,
    code: 'PERSISTED_QUERY_NOT_IN_LIST',
  },
  {
    category: 'Query shape',
    name: 'an admin document over the depth limit in production (limits apply to admins too)',
    on: 'prod',
    send: (w) => post(w.prod, q(deepQuery(LIMITS.depth + 1)), { key: w.adminKey }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },

  // ---- Identity
  {
    category: 'Identity',
    name: 'no key',
    send: (w) => post(w.dev, q('{ viewer { id } }')),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    category: 'Identity',
    name: 'a malformed Authorization header',
    send: (w) => post(w.dev, q('{ viewer { id } }'), { headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    category: 'Identity',
    name: 'a malformed key',
    send: (w) => post(w.dev, q('{ viewer { id } }'), { key: 'cad_short' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    category: 'Identity',
    name: 'an unknown key (one lookup)',
    send: (w) => post(w.dev, q('{ viewer { id } }'), { key: UNKNOWN_KEY }),
    status: 401,
    code: 'UNAUTHENTICATED',
    sql: 1,
  },
  {
    category: 'Identity',
    name: 'a revoked key',
    send: (w) => post(w.dev, q('{ viewer { id } }'), { key: w.revokedKey }),
    status: 401,
    code: 'UNAUTHENTICATED',
    sql: 1,
  },
  {
    category: 'Identity',
    name: "another user's session by id",
    send: (w) => post(w.dev, q('query($id: ID!) { session(id: $id) { id } }', { id: w.bob.sessionId }), { key: w.alice.key }),
    status: 200,
    code: 'NOT_FOUND',
    sql: 1,
    check: (r) => expect(r.body?.data).toEqual({ session: null }),
  },
  {
    category: 'Identity',
    name: "another user's session through node",
    send: (w) => post(w.dev, q('query($id: ID!) { node(id: $id) { id } }', { id: w.bob.sessionId }), { key: w.alice.key }),
    status: 200,
    code: null,
    sql: 1,
    check: (r) => expect(r.body).toEqual({ data: { node: null } }),
  },
  {
    category: 'Identity',
    name: "another user's objects through nodes",
    send: (w) =>
      post(w.dev, q('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [w.bob.sessionId, w.bob.postingId, w.bob.resumeId] }), {
        key: w.alice.key,
      }),
    status: 200,
    code: null,
    sql: 3,
    check: (r) => expect(r.body).toEqual({ data: { nodes: [null, null, null] } }),
  },
  {
    category: 'Identity',
    name: "starting a session on another user's posting",
    send: (w) =>
      post(
        w.dev,
        q('mutation($input: CreateSessionInput!) { createSession(input: $input) { id } }', {
          input: { jobPostingId: w.bob.postingId, resumeId: w.alice.resumeId },
        }),
        {
          key: w.alice.key,
        },
      ),
    status: 200,
    code: 'NOT_FOUND',
    sql: 2,
  },
  {
    category: 'Identity',
    name: "answering another user's session",
    send: (w) =>
      post(
        w.dev,
        q('mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } } }', {
          input: { sessionId: w.bob.sessionId, content: 'mine now' },
        }),
        {
          key: w.alice.key,
        },
      ),
    status: 200,
    code: 'NOT_FOUND',
    // The decision is taken under the session's row lock, inside the write's transaction: the
    // locking read finds nothing, and the transaction rolls back.
    sql: 2,
  },
  {
    category: 'Identity',
    name: "deleting another user's session",
    send: (w) =>
      post(
        w.dev,
        q('mutation($input: SessionIdInput!) { deleteSession(input: $input) { deletedSessionId } }', {
          input: { sessionId: w.bob.sessionId },
        }),
        {
          key: w.alice.key,
        },
      ),
    status: 200,
    code: 'NOT_FOUND',
    sql: 3,
  },
  {
    category: 'Identity',
    name: 'a malformed id',
    send: (w) => post(w.dev, q('query($id: ID!) { session(id: $id) { id } }', { id: "' OR 1=1 --" }), { key: w.alice.key }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'an id of another type',
    send: (w) => post(w.dev, q('query($id: ID!) { session(id: $id) { id } }', { id: w.alice.postingId }), { key: w.alice.key }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'a uuid that does not exist',
    send: (w) =>
      post(
        w.dev,
        q('query($id: ID!) { session(id: $id) { id } }', { id: gid('InterviewSession', '00000000-0000-4000-8000-000000000000') }),
        { key: w.alice.key },
      ),
    status: 200,
    code: 'NOT_FOUND',
    sql: 1,
  },
  {
    category: 'Identity',
    name: 'a NUL byte in a string',
    send: (w) => post(w.dev, q(CREATE_POSTING, { input: { ...POSTING_INPUT, title: 'Eng\u0000ineer' } }), { key: w.alice.key }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'control characters in a string',
    send: (w) => post(w.dev, q(CREATE_POSTING, { input: { ...POSTING_INPUT, company: 'Acme\u001b[31m' } }), { key: w.alice.key }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'a string over its cap',
    send: (w) => post(w.dev, q(CREATE_POSTING, { input: { ...POSTING_INPUT, description: 'x'.repeat(20_001) } }), { key: w.alice.key }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'a list over its cap',
    send: (w) =>
      post(w.dev, q(CREATE_POSTING, { input: { ...POSTING_INPUT, skills: Array.from({ length: 51 }, (_, i) => `s${i}`) } }), {
        key: w.alice.key,
      }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'a blank string',
    send: (w) => post(w.dev, q(CREATE_POSTING, { input: { ...POSTING_INPUT, title: ' \t\n ' } }), { key: w.alice.key }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    category: 'Identity',
    name: 'SQL and markup in a string are stored as text',
    send: (w) =>
      post(w.dev, q(CREATE_POSTING, { input: { ...POSTING_INPUT, title: `Robert'); DROP TABLE users; -- <script>alert(1)</script> ‮` } }), {
        key: w.alice.key,
      }),
    status: 200,
    code: null,
    sql: 1,
    writes: true,
    check: (r) =>
      expect((r.body?.data as { createJobPosting: { title: string } } | undefined)?.createJobPosting.title).toBe(
        `Robert'); DROP TABLE users; -- <script>alert(1)</script> ‮`,
      ),
  },
];

let db: IsolatedDatabase;
let world: World;

beforeAll(async () => {
  db = await isolatedDatabase('hostile');
  const dev = await startOn(db.url);
  const alice = await signUp(dev, 'Alice');
  const bob = await signUp(dev, 'Bob');
  const aliceSession = await createSession(dev, alice.key, 1);
  const bobSession = await createSession(dev, bob.key, 1);
  const admin = await signUp(dev, 'Admin');
  const extra = await mustCall(dev.yoga, CreateApiKeyDocument, { input: { name: 'to revoke' } }, { key: alice.key });
  await mustCall(dev.yoga, RevokeApiKeyDocument, { id: extra.createApiKey.apiKey.id }, { key: alice.key });
  // A second admin key, revoked: being listed as admin must not outlive the key itself.
  const revokedAdmin = await mustCall(dev.yoga, CreateApiKeyDocument, { input: { name: 'old admin' } }, { key: admin.key });
  await mustCall(dev.yoga, RevokeApiKeyDocument, { id: revokedAdmin.createApiKey.apiKey.id }, { key: admin.key });
  const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
  const prod = await startOn(db.url, {
    NODE_ENV: 'production',
    ADMIN_API_KEY_HASHES: [admin.key, revokedAdmin.createApiKey.key].map(sha256).join(','),
  });
  world = {
    dev,
    prod,
    alice: { key: alice.key, ...aliceSession },
    bob: { key: bob.key, ...bobSession },
    adminKey: admin.key,
    revokedAdminKey: revokedAdmin.createApiKey.key,
    revokedKey: extra.createApiKey.key,
  };
  // Warm the key caches, so a case's statements are its own and not a first lookup.
  for (const app of [dev, prod]) await mustCall(app.yoga, ViewerDocument, {}, { key: alice.key });
}, 120_000);

afterAll(async () => {
  await world?.dev.close();
  await world?.prod.close();
  await db?.drop();
});

describe.each(['Query shape', 'Identity'] as const)('%s', (category) => {
  for (const c of CASES.filter((x) => x.category === category)) {
    it(`answers ${c.name} with ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
      const app = c.on === 'prod' ? world.prod : world.dev;
      const before = await rowCounts(app);
      const { result, statements } = await app.recordSql(() => c.send(world));
      expect(result.status, result.text.slice(0, 500)).toBe(c.status);
      const code = result.body?.errors?.[0]?.extensions?.code ?? null;
      expect(code, result.text.slice(0, 500)).toBe(c.code);
      expect(result.status).toBeLessThan(500);
      expect(statements.length, statements.map((s) => s.sql).join('\n')).toBeLessThanOrEqual(c.sql ?? 0);
      if (!c.writes) expect(await rowCounts(app)).toEqual(before);
      c.check?.(result, world);
      // Healthy afterwards: the frontend's own operation still answers, by persisted id.
      const viewer = await callOperation(app.yoga, ViewerDocument, {}, { key: world.alice.key });
      expect(viewer.status).toBe(200);
      expect(viewer.body.errors).toBeUndefined();
    });
  }
});

describe('identity across users', () => {
  it('answers the same document sent by two users at once with each one’s own data', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const who = i % 2 === 0 ? world.alice : world.bob;
        return callOperation(world.dev.yoga, ViewerDocument, {}, { key: who.key }).then((r) => ({ who, r }));
      }),
    );
    const ids = new Map<string, Set<string>>();
    for (const { who, r } of results) {
      expect(r.status).toBe(200);
      const set = ids.get(who.key) ?? new Set<string>();
      set.add(r.body.data!.viewer.id);
      ids.set(who.key, set);
    }
    expect([...ids.values()].map((s) => s.size)).toEqual([1, 1]);
    expect(new Set([...ids.values()].flatMap((s) => [...s])).size).toBe(2);
  });

  it('lets an admin key send any document in production, and only while the key is live', async () => {
    const ok = await post(world.prod, q('{ viewer { name } }'), { key: world.adminKey });
    expect(ok.status).toBe(200);
    expect(ok.body?.data).toEqual({ viewer: { name: 'Admin' } });
    const revoked = await post(world.prod, q('{ viewer { name } }'), { key: world.revokedAdminKey });
    expect(revoked.status).toBe(401);
    expect(revoked.body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A persisted operation needs no admin key.
    const persisted = await post(world.prod, { documentId: persistedId(ViewerDocument), variables: {} }, { key: world.bob.key });
    expect(persisted.status).toBe(200);
  });

  it('keeps the posting and resume of a refused session start unchanged', async () => {
    // A belt-and-braces check on the two ownership paths of createSession together.
    const mine = await createPostingAndResume(world.dev, world.alice.key);
    const response = await post(
      world.dev,
      q('mutation($input: CreateSessionInput!) { createSession(input: $input) { id } }', {
        input: { jobPostingId: mine.postingId, resumeId: world.bob.resumeId },
      }),
      { key: world.alice.key },
    );
    expect(response.body?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
