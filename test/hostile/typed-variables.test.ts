// No input a client can send gives a 500, every refusal has a stable code, and no value the client
// sent reaches a log line: wrongly typed variables of every operation the frontend sends,
// absurdly nested variables, ids of types that do not exist, and strings counted in code points.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { encodeGlobalId } from '../../src/schema/ids.js';
import { startApp, type GqlResponse, type TestApp } from '../support/app.js';
import { createSession, signUp } from '../support/fixtures.js';

let app: TestApp;
let key: string;
let sessionId: string;
const MARKER = 'zq-marker-7d1f';

beforeAll(async () => {
  app = await startApp({ env: { QUERY_COST_LIMIT: '100000' } });
  ({ key } = await signUp(app));
  ({ sessionId } = await createSession(app, key, 1));
});
afterAll(() => app.close());

const OPERATIONS_DIR = new URL('../../schema/operations/', import.meta.url);
const operations = readdirSync(OPERATIONS_DIR)
  .filter((f) => f.endsWith('.graphql'))
  .map((file) => {
    const text = readFileSync(new URL(file, OPERATIONS_DIR), 'utf8');
    const definition = parse(text).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    return {
      name: definition.name!.value,
      text,
      variables: (definition.variableDefinitions ?? []).map((v) => ({ name: v.variable.name.value, type: print(v.type) })),
    };
  });

function expectClientError(response: GqlResponse, what: string): void {
  const context = `${what}: ${JSON.stringify(response.body).slice(0, 400)}`;
  expect(response.status, context).toBeLessThan(500);
  for (const error of response.body.errors ?? []) {
    const code = error.extensions?.code;
    expect(code, context).toBeDefined();
    expect(Object.keys(ErrorCode), context).toContain(code);
    expect(code, context).not.toBe('INTERNAL_SERVER_ERROR');
  }
  if (response.status >= 400) expect(response.body.errors?.length, context).toBeGreaterThan(0);
}

function expectNoMarkerInLogs(from: number): void {
  const text = JSON.stringify(app.logLines.slice(from));
  expect(text).not.toContain(MARKER);
}

/** Wrong JSON values for a variable of any type, each carrying the marker where a value can. */
const wrongValues: [string, unknown][] = [
  ['true', true],
  ['false', false],
  ['an object', { [MARKER]: MARKER }],
  ['an empty object', {}],
  ['a float', 1.5],
  ['a huge number', 1e308],
  ['a negative number', -1],
  ['a string', MARKER],
  ['an empty string', ''],
  ['an array of null', [null]],
  ['an array with the marker', [MARKER, 1, { a: MARKER }]],
  ['null', null],
  ['a nested object', { input: { input: { input: MARKER } } }],
];

describe('variables of the wrong type', () => {
  for (const op of operations) {
    for (const variable of op.variables) {
      it(`${op.name} $${variable.name}: ${variable.type}: every wrong value is a 4xx with a code, never logged`, async () => {
        for (const [what, value] of wrongValues) {
          // Values its type accepts (null for a nullable variable, any string for a String) are not wrong.
          const fits = (value === null && !variable.type.endsWith('!')) || (typeof value === 'string' && /^String!?$/.test(variable.type));
          const before = app.logLines.length;
          const response = await app.request(op.text, { key, variables: { [variable.name]: value } });
          expectClientError(response, `${op.name} $${variable.name} ← ${what}`);
          if (!fits) expect(response.body.errors?.length, `${what} accepted`).toBeGreaterThan(0);
          expectNoMarkerInLogs(before);
        }
      });
    }
  }

  it('an input object with a missing field, an extra field, or an unknown enum value is 400 BAD_USER_INPUT', async () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['missing field', `mutation($input: CreateResumeInput!) { createResume(input: $input) { id } }`, { input: { title: 'x' } }],
      [
        'extra field',
        `mutation($input: CreateResumeInput!) { createResume(input: $input) { id } }`,
        { input: { title: 'x', content: 'y', [MARKER]: 1 } },
      ],
      [
        '[String!] with null',
        `mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id } }`,
        { input: { title: 't', company: 'c', description: 'd', skills: [null] } },
      ],
      ['Int ← 1.5', `query($first: Int) { sessions(first: $first) { totalCount } }`, { first: 1.5 }],
      ['unknown enum value', `query($s: SessionStatus) { sessions(first: 1, status: $s) { totalCount } }`, { s: MARKER }],
      ['null ID!', `query($id: ID!) { session(id: $id) { id } }`, { id: null }],
      ['missing ID!', `query($id: ID!) { session(id: $id) { id } }`, {}],
    ];
    for (const [what, query, variables] of cases) {
      const before = app.logLines.length;
      const response = await app.request(query, { key, variables });
      if (response.body.errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') continue; // e.g. no status argument
      expect(response.status, what).toBe(400);
      expect(response.body.errors?.[0]?.extensions?.code, what).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(response.body), what).not.toContain(MARKER);
      expectNoMarkerInLogs(before);
    }
  });

  it('property: any JSON for any variable of any operation is never a 5xx', async () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(
          null,
          true,
          false,
          0,
          -1,
          1.5,
          2 ** 31,
          '',
          MARKER,
          'QXBpS2V5OmZvbw',
          encodeGlobalId('Nope', '00000000-0000-4000-8000-000000000000'),
        ),
        fc.string(),
        fc.double(),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('input', 'id', 'title', 'content', 'questionId', 'sessionId', 'first', 'after', MARKER),
          tie('value'),
          { maxKeys: 4 },
        ),
      ),
    })).value;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.dictionary(fc.constantFrom('input', 'id', 'first', 'after', 'ids', MARKER), json, { maxKeys: 3 }),
        async (op, variables) => {
          const before = app.logLines.length;
          const response = await app.request(op.text, { key, variables });
          expectClientError(response, op.name);
          expectNoMarkerInLogs(before);
        },
      ),
      { numRuns: 300, seed: 20261203 },
    );
  });
});

describe('absurd variables', () => {
  it.each([
    ['arrays 20,000 deep', () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
    // 15,000 levels: 20,000 would pass the 100 KB body limit (413, tested elsewhere).
    ['objects 15,000 deep', () => `${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}`],
  ])('%s: 400 BAD_USER_INPUT, before authentication', async (_what, make) => {
    // JSON.stringify of such a value overflows the stack too: the body is written by hand.
    const variables = make();
    for (const auth of [key, 'not-a-key', null]) {
      const response = await app.yoga.fetch('http://cadence.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
        body: `{"query":"query($id: ID!) { session(id: $id) { id } }","variables":{"id":${variables}}}`,
      });
      const body = (await response.json()) as GqlResponse['body'];
      expect(response.status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('ids of types that do not exist', () => {
  const uuid = '00000000-0000-4000-8000-000000000000';
  const bogus = ['Foo', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'interviewSession', 'Query', 'Node', 'String'].map(
    (t) => [t, encodeGlobalId(t, uuid)],
  );

  it.each(bogus)('node(id) of type %s is null with no 5xx', async (_type, id) => {
    const response = await app.request(`query($id: ID!) { node(id: $id) { id } }`, { key, variables: { id } });
    expectClientError(response, String(id));
    expect(response.body.data?.node ?? null).toBeNull();
  });

  it('one bogus id in nodes leaves the others resolved', async () => {
    const ids = [sessionId, ...bogus.map(([, id]) => id), sessionId];
    const response = await app.request<{ nodes: ({ id: string } | null)[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      key,
      variables: { ids },
    });
    expectClientError(response, 'nodes');
    expect(response.body.data?.nodes).toHaveLength(ids.length);
    expect(response.body.data?.nodes[0]).toEqual({ id: sessionId });
    expect(response.body.data?.nodes.at(-1)).toEqual({ id: sessionId });
    for (const node of response.body.data!.nodes.slice(1, -1)) expect(node).toBeNull();
  });
});

describe('strings', () => {
  const RESUME = `mutation($input: CreateResumeInput!) { createResume(input: $input) { id content } }`;

  it('counts code points: 6,000 emoji are 6,000 characters, within the answer limit of 10,000', async () => {
    const { questionId } = await createSession(app, key);
    const content = '😀'.repeat(6_000);
    const response = await app.request<{ submitAnswer: { answer: { content: string } } }>(
      `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { content } } }`,
      { key, variables: { input: { questionId, content } } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.submitAnswer.answer.content).toBe(content);
  });

  it('150 emoji are a title within its 200-character limit', async () => {
    const response = await app.request(RESUME, { key, variables: { input: { title: '😀'.repeat(150), content: 'x' } } });
    expect(response.body.errors).toBeUndefined();
  });

  it('refuses more code points than the limit', async () => {
    const response = await app.request(RESUME, { key, variables: { input: { title: '😀'.repeat(201), content: 'x' } } });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a lone high surrogate', `before \ud83d after`],
    ['a lone low surrogate', `before \ude00 after`],
    ['a reversed pair', `\ude00\ud83d`],
  ])('refuses %s with 400 BAD_USER_INPUT and stores nothing', async (_what, title) => {
    const before = await app.prisma.resume.count();
    const response = await app.request(RESUME, { key, variables: { input: { title, content: 'x' } } });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await app.prisma.resume.count()).toBe(before);
  });
});
