// Node ids resolve synchronously (src/schema/sync-node-ids.ts): a promise per node would send every
// node object of a response through the executor's async path. And they still round-trip.
import { isInterfaceType, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { decodeGlobalId, encodeGlobalId } from '../../src/schema/ids.js';
import { NODE_TYPES } from '../../src/schema/node.js';

describe('Node ids', () => {
  const node = schema.getType('Node');
  if (!isInterfaceType(node)) throw new Error('the schema has no Node interface');
  const types = schema.getPossibleTypes(node);

  it('covers every Node type', () => {
    expect(types.map((t) => t.name).sort()).toEqual([
      'ApiKey',
      'Feedback',
      'InterviewSession',
      'JobPosting',
      'Operation',
      'Resume',
      'SessionMessage',
      'User',
    ]);
  });

  it.each(types.map((t) => [t.name, t] as const))('%s.id is a plain string computed in place', (name, type) => {
    const row = { id: '3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f' };
    const resolved = type.getFields().id!.resolve!(row, {}, {}, {} as GraphQLResolveInfo);
    expect(typeof resolved).toBe('string');
    expect(resolved).toBe(encodeGlobalId(name, row.id));
    expect(decodeGlobalId(resolved as string)).toEqual({ typename: name, id: row.id });
  });
});

describe('NODE_TYPES', () => {
  it('names exactly the types that implement Node', () => {
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('no Node interface');
    expect([...NODE_TYPES].sort()).toEqual(
      schema
        .getPossibleTypes(node)
        .map((t) => t.name)
        .sort(),
    );
  });
});
