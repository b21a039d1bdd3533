// The compiler's table of types is derived from the schema's metadata (src/compiled/derive.ts):
// what it finds in Cadence's schema, and what it refuses in a schema written to trip it up.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { describe, expect, it } from 'vitest';
import type PrismaTypes from '../../prisma/generated/pothos-types.js';
import { getDatamodel } from '../../prisma/generated/pothos-types.js';
import { DATA_MODEL } from '../../prisma/generated/data-model.js';
import { deriveTypes } from '../../src/compiled/derive.js';
import { CUSTOM_FIELDS } from '../../src/compiled/mapping.js';
import { PlanRegistry } from '../../src/compiled/registry.js';
import { loadManifest } from '../../src/policy/persisted.js';
import { schema } from '../../src/schema/index.js';

describe("Cadence's schema", () => {
  const registry = new PlanRegistry(schema, loadManifest().values());

  it('derives every field of every Prisma type, so no operation falls back for an unknown field', () => {
    expect(registry.report.unknownFields).toEqual({});
    expect(Object.keys(registry.types).sort()).toEqual(
      ['ApiKey', 'Feedback', 'InterviewSession', 'JobPosting', 'Operation', 'Resume', 'SessionMessage', 'User'].sort(),
    );
  });

  it('reads tables and columns from @@map and @map, keys and orders from the relations', () => {
    const session = registry.types.InterviewSession!;
    expect(session.table).toBe('interview_sessions');
    expect(session.fields.completedAt).toEqual({ kind: 'column', column: 'completed_at', codec: 'dateTime', nullable: true });
    expect(session.fields.status).toEqual({ kind: 'column', column: 'status', codec: 'enum', nullable: false });
    expect(session.fields.id).toEqual({ kind: 'globalId', typename: 'InterviewSession' });
    expect(session.fields.jobPosting).toEqual({ kind: 'toOne', type: 'JobPosting', localKey: 'job_posting_id', targetKey: 'id' });
    expect(session.fields.messages).toEqual({
      kind: 'connection',
      type: 'SessionMessage',
      foreignKey: 'session_id',
      orderBy: [{ column: 'seq', direction: 'ASC' }],
    });
    expect(session.fields.feedback).toEqual({
      kind: 'toMany',
      type: 'Feedback',
      foreignKey: 'session_id',
      orderBy: [
        { column: 'created_at', direction: 'ASC' },
        { column: 'id', direction: 'ASC' },
      ],
    });
    expect(session.fields.messageCount).toEqual({ kind: 'count', table: 'session_messages', foreignKey: 'session_id' });
    // Declared (a loader), in SQL names derived from the relation.
    expect(session.fields.averageScore).toEqual({
      kind: 'average',
      table: 'feedback',
      foreignKey: 'session_id',
      column: 'score',
      filter: 'message_id IS NOT NULL',
    });
    // A bounded relation keeps its take; a back-relation through a unique key is a to-one.
    expect(registry.types.User!.fields.apiKeys).toMatchObject({ kind: 'toMany', type: 'ApiKey', foreignKey: 'user_id', limit: 50 });
    expect(registry.types.SessionMessage!.fields.feedback).toEqual({ kind: 'toOneBy', type: 'Feedback', foreignKey: 'message_id' });
    // `t.exposeString` and `resolve: (p) => p.title` are both plain columns.
    expect(registry.types.JobPosting!.fields.description).toMatchObject({ kind: 'column', column: 'description' });
    expect(registry.types.JobPosting!.fields.title).toMatchObject({ kind: 'column', column: 'title' });
  });
});

describe('a schema the derivation must not guess about', () => {
  const builder = new SchemaBuilder<{ PrismaTypes: PrismaTypes; DefaultFieldNullability: false }>({
    plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
    scopeAuth: { authScopes: () => ({}) },
    defaultFieldNullability: false,
    relay: {},
    // Never called: deriving reads the schema, it runs no query.
    prisma: { client: () => ({}) as never, dmmf: getDatamodel(), defaultConnectionSize: 20, maxConnectionSize: 100 },
  });
  const Status = builder.enumType('Status', {
    values: { ACTIVE: { value: 'ACTIVE' }, DONE: { value: 'COMPLETED' } } as const,
  });
  builder.prismaNode('InterviewSession', {
    id: { field: 'id' },
    fields: (t) => ({
      status: t.field({ type: Status, resolve: (s) => s.status }),
      late: t.boolean({ resolve: (s) => s.completedAt !== null }),
    }),
  });
  builder.prismaNode('JobPosting', {
    id: { field: 'id' },
    fields: (t) => ({
      title: t.exposeString('title'),
      titleAsInt: t.int({ resolve: (p) => p.title as unknown as number }),
      company: t.string({ resolve: (p) => p.company }),
      shout: t.string({ resolve: (p) => p.title.toUpperCase() }),
      later: t.string({ resolve: async (p) => p.title }),
      nullableDescription: t.string({ nullable: true, resolve: (p) => p.description }),
      activeSessions: t.relation('sessions', { query: { where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' } } }),
      unorderedSessions: t.relation('sessions'),
      sessionCount: t.relationCount('sessions'),
      activeCount: t.relationCount('sessions', { where: { status: 'ACTIVE' } }),
    }),
  });
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  const odd = builder.toSchema();
  const { types, skipped } = deriveTypes(odd, DATA_MODEL, CUSTOM_FIELDS);

  it('keeps plain columns, whichever way they are written', () => {
    expect(types.JobPosting!.fields.title).toEqual({ kind: 'column', column: 'title', codec: 'string', nullable: false });
    expect(types.JobPosting!.fields.company).toEqual({ kind: 'column', column: 'company', codec: 'string', nullable: false });
    // A nullable field over a required column is fine (graphql-js never sees the null).
    expect(types.JobPosting!.fields.nullableDescription).toEqual({
      kind: 'column',
      column: 'description',
      codec: 'string',
      nullable: true,
    });
    expect(types.JobPosting!.fields.sessionCount).toEqual({ kind: 'count', table: 'interview_sessions', foreignKey: 'job_posting_id' });
  });

  it('leaves out what it would have to guess, with the reason', () => {
    expect(skipped).toEqual({
      'InterviewSession.status': 'enum Status over status',
      'JobPosting.titleAsInt': 'Int over a String column',
      'InterviewSession.late': 'its resolver does not return a column',
      'JobPosting.shout': 'its resolver computes a value',
      'JobPosting.later': 'its resolver is asynchronous',
      'JobPosting.activeSessions': "the relation query's where",
      'JobPosting.unorderedSessions': 'a list without an order',
      'JobPosting.activeCount': 'a filtered or multiple count',
    });
    for (const name of Object.keys(skipped)) {
      const [type, field] = name.split('.') as [string, string];
      expect(types[type]!.fields[field]).toBeUndefined();
    }
  });
});
