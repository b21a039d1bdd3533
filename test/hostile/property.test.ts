// Property: whatever document a client sends (generated from the schema, valid or broken on purpose,
// with any variables and any key), Cadence answers with a status below 500, a JSON body whose
// errors all carry a code from src/errors.ts, and no unhandled rejection. Seeded and bounded, so a
// failure replays exactly (fast-check prints the seed and the shrunk counterexample).
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { schema } from '../../src/schema/index.js';
import type { TestApp } from '../support/app.js';
import { createSession, signUp } from '../support/fixtures.js';
import { isolatedDatabase, raw, startOn, UNKNOWN_KEY, type IsolatedDatabase } from './support.js';

type Gen = fc.GeneratorValue;

const RUNS = 400;
const SEED = 20_251_125;
const MAX_DEPTH = 10;

let db: IsolatedDatabase;
let app: TestApp;
let key: string;
/** Real global ids of the test user's objects, so generated ids sometimes hit something. */
let realIds: string[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  db = await isolatedDatabase('property');
  app = await startOn(db.url);
  ({ key } = await signUp(app, 'Prop'));
  const { sessionId, postingId, resumeId } = await createSession(app, key, 1);
  realIds = [sessionId, postingId, resumeId];
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await app?.close();
  await db?.drop();
});

function pick<T>(g: Gen, items: readonly T[]): T {
  return items[g(fc.integer, { min: 0, max: items.length - 1 })]!;
}

function idValue(g: Gen, hostile: boolean): string {
  if (!hostile) return pick(g, realIds);
  return pick(g, [
    () => pick(g, realIds),
    () => Buffer.from(`InterviewSession:${g(fc.uuid)}`).toString('base64url'),
    () => g(fc.string, { maxLength: 30 }),
    () => 'x'.repeat(g(fc.integer, { min: 150, max: 400 })),
  ])();
}

/** A GraphQL literal for `type`, right or wrong. */
function literal(g: Gen, type: GraphQLInputType, hostile: boolean, depth = 0): string {
  if (hostile && g(fc.integer, { min: 0, max: 10 }) === 0) return pick(g, ['null', '"wrong"', '42', '[]', '{}', 'WRONG']);
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = g(fc.integer, { min: 0, max: 3 });
    return `[${Array.from({ length: items }, () => literal(g, nullable.ofType as GraphQLInputType, hostile, depth + 1)).join(', ')}]`;
  }
  if (isInputObjectType(nullable)) {
    if (depth > 3) return '{}';
    const fields = Object.values(nullable.getFields()).filter((f) => isNonNullType(f.type) || (hostile && g(fc.boolean)));
    return `{ ${fields.map((f) => `${f.name}: ${literal(g, f.type, hostile, depth + 1)}`).join(', ')} }`;
  }
  if (isEnumType(nullable)) return !hostile || g(fc.boolean) ? pick(g, nullable.getValues()).name : 'NOPE';
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
        return hostile
          ? String(g(() => fc.oneof(fc.integer({ min: -5, max: 150 }), fc.constant(2 ** 31), fc.constant(-(2 ** 31) - 1))))
          : String(g(fc.integer, { min: 1, max: 5 }));
      case 'Float':
        return String(g(fc.double, { noNaN: true, noDefaultInfinity: true }));
      case 'Boolean':
        return String(g(fc.boolean));
      case 'ID':
        return JSON.stringify(idValue(g, hostile));
      default:
        // Any text, control characters and lone surrogates included (JSON escapes are GraphQL escapes).
        return hostile
          ? JSON.stringify(g(fc.string, { unit: g(fc.boolean) ? 'binary' : 'grapheme', maxLength: 60 }))
          : JSON.stringify(`${g(fc.string, { unit: 'grapheme-ascii', maxLength: 20 })}x@example.test`);
    }
  }
  return 'null';
}

function argumentsOf(g: Gen, args: readonly GraphQLArgument[], hostile: boolean): string {
  // Cursors from nowhere and both first and last are for hostile runs only.
  const optional = (a: GraphQLArgument) => (hostile ? g(fc.boolean) : a.name === 'first' && g(fc.boolean));
  const chosen = args.filter((a) => isNonNullType(a.type) || optional(a));
  return chosen.length ? `(${chosen.map((a) => `${a.name}: ${literal(g, a.type, hostile)}`).join(', ')})` : '';
}

function selection(g: Gen, type: GraphQLNamedType, depth: number, hostile: boolean): string {
  if (isUnionType(type) || isInterfaceType(type)) {
    const possible = schema.getPossibleTypes(type);
    const target = pick(g, possible);
    return `__typename ... on ${target.name} { ${selection(g, target, depth + 1, hostile)} }`;
  }
  const fields = Object.values((type as GraphQLObjectType).getFields());
  const count = g(fc.integer, { min: 1, max: 4 });
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const field = pick(g, fields);
    // A field picked twice gets an alias: the same name with other arguments would not merge.
    const alias = g(fc.integer, { min: 0, max: 4 }) === 0 || parts.some((p) => p.startsWith(field.name)) ? `a${i}: ` : '';
    const named = getNamedType(field.type);
    const head = `${alias}${field.name}${argumentsOf(g, field.args, hostile)}`;
    if (isLeafType(named)) parts.push(head);
    else if (depth >= (hostile ? MAX_DEPTH : 5)) parts.push(`${head} { __typename }`);
    else parts.push(`${head} { ${selection(g, named, depth + 1, hostile)} }`);
  }
  return parts.join(' ');
}

/** A document from the schema; now and then broken by one edit. */
function document(g: Gen): string {
  // One run in three is hostile throughout (bad values, deep, broken text); the others are meant
  // to be valid, so that execution, not only parsing and validation, is exercised.
  const hostile = g(fc.integer, { min: 0, max: 2 }) === 0;
  const mutation = g(fc.integer, { min: 0, max: 4 }) === 0;
  const root = (mutation ? schema.getMutationType() : schema.getQueryType())!;
  const text = `${mutation ? 'mutation' : 'query'} P { ${selection(g, root, 1, hostile)} }`;
  if (!hostile || g(fc.boolean)) return text;
  const at = g(fc.integer, { min: 0, max: text.length });
  return pick(g, [
    () => text.slice(0, at) + text.slice(at + 1),
    () => text.slice(0, at) + pick(g, ['{', '}', '(', ')', '$', '@', '!', '...', '"', '#', ':', '\u0000']) + text.slice(at),
    () => text.slice(0, at),
    () => text + text,
  ])();
}

const KNOWN_CODES = new Set(Object.keys(ErrorCode));

describe('any document', () => {
  it('never gets a 5xx, an unknown error code or an unhandled rejection', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const query = document(g);
        const variables = g(fc.integer, { min: 0, max: 4 }) !== 0 ? {} : g(fc.jsonValue, { maxDepth: 2 });
        const who = pick(g, [key, key, key, key, null, UNKNOWN_KEY]);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          accept: pick(g, ['application/json', 'application/graphql-response+json']),
        };
        if (who) headers.authorization = `Bearer ${who}`;
        const response = await raw(app, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
        expect(response.status, `${query}\n${response.text.slice(0, 400)}`).toBeLessThan(500);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.body, response.text.slice(0, 400)).not.toBeNull();
        for (const error of response.body?.errors ?? []) {
          expect(KNOWN_CODES.has(String(error.extensions?.code)), `${query}\n${JSON.stringify(error)}`).toBe(true);
          expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Let any stray promise settle before counting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rejections).toEqual([]);
    // The generator must reach execution often, not only the parser and validator.
    console.info(`status counts over ${RUNS} generated documents: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 10);
    const health = await raw(app, { method: 'GET', url: 'http://cadence.test/health/live' });
    expect(health.status).toBe(200);
  });
});
