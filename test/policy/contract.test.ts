// The frontend contract: the files codegen.ts generates are current, the persisted manifest is the
// frontend's operations, and no breaking schema change lands unannounced.
import { lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../../schema/generated/graphql.js';
import { checkBreakingChanges, schemaChanges } from '../../src/policy/breaking.js';
import { renderGenerated, staleFiles } from '../../src/policy/codegen.js';
import { operationFiles } from '../../src/policy/gates.js';
import { persistedId, type Operation } from '../../src/policy/operations.js';
import { loadManifest } from '../../src/policy/persisted.js';
import { schema } from '../../src/schema/index.js';

const current = printSchema(lexicographicSortSchema(schema));

describe('the generated files', () => {
  it('are what codegen.ts makes of the code (run `npm run codegen` after a schema or operation change)', async () => {
    const files = await renderGenerated();
    expect(files.map((f) => f.path)).toContain('schema/schema.graphql');
    expect(files.map((f) => f.path)).toContain('schema/generated/persisted-documents.json');
    expect(staleFiles(files)).toEqual([]);
  });

  it('persist exactly the operations of schema/operations, by the hash their typed documents carry', () => {
    const typed = Object.entries(documents)
      .filter(([name]) => name.endsWith('Document'))
      .map(([, doc]) => persistedId(doc as Operation<unknown, never>));
    const manifest = loadManifest();
    expect([...manifest.keys()].sort()).toEqual(typed.sort());
    expect(manifest.size).toBe(operationFiles().size);
  });
});

describe('breaking changes', () => {
  it('are all announced, across the committed history and the working tree', async () => {
    const unannounced = (await checkBreakingChanges(current)).filter((c) => c.level === 'BREAKING' && !c.announced);
    expect(unannounced).toEqual([]);
  });

  it('are found in a removed field until announced in schema/breaking-changes.json', async () => {
    const without = current.replace(/\n {2}messageCount: Int!/, '');
    expect(without).not.toBe(current);
    const versions = [
      { label: 'before', sdl: current },
      { label: 'after', sdl: without },
    ];
    const found = await schemaChanges(versions, []);
    expect(found).toEqual([
      expect.objectContaining({ level: 'BREAKING', type: 'FIELD_REMOVED', path: 'InterviewSession.messageCount', announced: false }),
    ]);
    const announced = await schemaChanges(versions, [{ type: 'FIELD_REMOVED', path: 'InterviewSession.messageCount', reason: 'test' }]);
    expect(announced[0]?.announced).toBe(true);
  });

  it('leave an added field alone', async () => {
    const added = current.replace('  messageCount: Int!', '  messageCount: Int!\n  newField: Int');
    expect(
      await schemaChanges(
        [
          { label: 'a', sdl: current },
          { label: 'b', sdl: added },
        ],
        [],
      ),
    ).toEqual([]);
  });
});
