// Secure by default: every root field declares who may call it, checked by walking the schema.
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

interface PothosExtensions {
  pothosOptions?: { authScopes?: unknown };
}

describe('the schema', () => {
  it('declares an auth policy on every query and mutation field', () => {
    const roots = [schema.getQueryType(), schema.getMutationType()].filter((t) => t !== null && t !== undefined);
    const fields = roots.flatMap((type) => Object.values(type.getFields()).map((f) => ({ name: `${type.name}.${f.name}`, f })));
    expect(fields.length).toBeGreaterThan(10);
    const missing = fields.filter(({ f }) => !(f.extensions as PothosExtensions).pothosOptions?.authScopes).map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('lets only signUp run without a key', () => {
    const publicFields = [schema.getQueryType()!, schema.getMutationType()!].flatMap((type) =>
      Object.values(type.getFields())
        .filter((f) => {
          const scopes = (f.extensions as PothosExtensions).pothosOptions?.authScopes as Record<string, unknown> | undefined;
          return scopes?.public === true;
        })
        .map((f) => `${type.name}.${f.name}`),
    );
    expect(publicFields).toEqual(['Mutation.signUp']);
  });
});
