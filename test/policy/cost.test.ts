// The static cost model (src/policy/cost.ts) on the frontend's own operations and on shapes chosen
// to exercise each rule: multipliers from `first`, plain lists, root fields, fragments.
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../../schema/generated/graphql.js';
import { measureOperation } from '../../src/policy/cost.js';
import { LIMITS } from '../../src/policy/limits.js';
import { fragmentBomb } from '../../src/policy/samples.js';
import { schema } from '../../src/schema/index.js';

const cost = (query: string, variables: Record<string, unknown> = {}) => measureOperation(schema, parse(query), { variables })!.cost;

describe('the cost model', () => {
  it('multiplies list items down the tree by first, with the default page of 20', () => {
    const list = print(documents.SessionsListDocument);
    // sessions (root) 1 + 20 × (session 1 + 10 messages + 6 feedback)
    expect(measureOperation(schema, documents.SessionsListDocument, {})!.cost).toBe(1 + 20 * 17);
    expect(cost(list, { first: 50 })).toBe(1 + 50 * 17);
    expect(cost(list, { first: 100 })).toBeGreaterThan(LIMITS.cost);
  });

  it('charges a root field 1, a mutation field 10, a nested single object nothing', () => {
    expect(cost('{ viewer { id name } }')).toBe(1);
    expect(cost('query($id: ID!) { session(id: $id) { jobPosting { title } resume { title } } }')).toBe(1);
    expect(cost('mutation { createResume(input: { title: "t", content: "c" }) { id } }')).toBe(10);
  });

  it('sizes nodes(ids:) by its ids and the aggregates as a query each', () => {
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', 'b', 'c'] })).toBe(3);
    expect(cost('query($id: ID!) { session(id: $id) { messageCount averageScore } }')).toBe(3);
    expect(cost('{ sessions(first: 5) { totalCount } }')).toBe(2);
  });

  it('refuses the page sizes that would multiply into the thousands', () => {
    expect(cost('{ sessions(first: 100) { edges { node { messages(first: 100) { edges { node { id } } } } } } }')).toBe(
      1 + 100 * (1 + 100),
    );
  });

  it('expands fragments once each, however often they are spread', () => {
    const started = performance.now();
    const measure = measureOperation(schema, parse(fragmentBomb(60)))!;
    expect(performance.now() - started).toBeLessThan(100);
    expect(measure.breadth).toBeGreaterThan(2 ** 60);
  });

  it('ends on a fragment cycle (validation reports it)', () => {
    expect(measureOperation(schema, parse('{ viewer { ...A } } fragment A on User { id ...B } fragment B on User { ...A }'))!.breadth).toBe(
      2,
    );
  });

  it('counts depth as graphql-armor does for every frontend operation', () => {
    for (const [name, document] of Object.entries(documents)) {
      if (!name.endsWith('Document')) continue;
      const doc = document as typeof documents.ViewerDocument;
      let armorDepth = -1;
      validate(schema, doc, [
        maxDepthRule({ n: 100, flattenFragments: true, onAccept: [(_ctx, details: { n: number }) => (armorDepth = details.n)] }),
      ]);
      expect(measureOperation(schema, doc)!.depth, name).toBe(armorDepth);
    }
  });
});
