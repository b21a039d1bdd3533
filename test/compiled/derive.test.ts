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
import { deriveRoots } from '../../src/compiled/derive-roots.js';
import { db } from '../../src/db/client.js';
import { CUSTOM_FIELDS } from '../../src/compiled/mapping.js';
import { PlanRegistry } from '../../src/compiled/registry.js';
import { loadManifest } from '../../src/policy/persisted.js';
import { parseId } from '../../src/schema/ids.js';
import { schema } from '../../src/schema/index.js';

describe("Cadence's schema", () => {
  const registry = new PlanRegistry(schema, loadManifest().values());

  it('derives every field of every Prisma type, so no operation falls back for an unknown field', () => {
    // Only the Relay interface fields are left to graphql-js.
    expect(registry.report.unknownFields).toEqual({ 'Query.node': 'not an object type', 'Query.nodes': 'not an object type' });
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

  it("derives the root fields, their owner column, filters and order from the resolvers' own Prisma calls", () => {
    const newestFirst = [
      { column: 'created_at', direction: 'DESC' },
      { column: 'id', direction: 'DESC' },
    ];
    // The table this replaced was written by hand; it is the same, plus jobPosting and resume.
    expect(registry.roots).toEqual({
      sessions: {
        kind: 'rootConnection',
        type: 'InterviewSession',
        ownerColumn: 'user_id',
        filters: { status: { column: 'status', pgType: '"SessionStatus"' } },
        orderBy: newestFirst,
      },
      session: { kind: 'rootNode', type: 'InterviewSession', ownerColumn: 'user_id', idArg: 'id' },
      jobPostings: { kind: 'rootConnection', type: 'JobPosting', ownerColumn: 'user_id', filters: {}, orderBy: newestFirst },
      jobPosting: { kind: 'rootNode', type: 'JobPosting', ownerColumn: 'user_id', idArg: 'id' },
      resumes: { kind: 'rootConnection', type: 'Resume', ownerColumn: 'user_id', filters: {}, orderBy: newestFirst },
      resume: { kind: 'rootNode', type: 'Resume', ownerColumn: 'user_id', idArg: 'id' },
      viewer: { kind: 'rootViewer', type: 'User' },
    });
  });
});

describe('a schema the derivation must not guess about', () => {
  const builder = new SchemaBuilder<{ PrismaTypes: PrismaTypes; DefaultFieldNullability: false; Context: { viewer: { userId: string } } }>({
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
  builder.prismaObject('User', { fields: (t) => ({ name: t.exposeString('name') }) });
  const newest = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
  builder.queryType({
    fields: (t) => ({
      ok: t.boolean({ resolve: () => true }),
      postings: t.prismaConnection({
        type: 'JobPosting',
        cursor: 'id',
        resolve: (query, _root, _args, ctx) =>
          db().jobPosting.findMany({ ...query, where: { userId: ctx.viewer.userId }, orderBy: newest }),
      }),
      everybodysPostings: t.prismaConnection({
        type: 'JobPosting',
        cursor: 'id',
        resolve: (query) => db().jobPosting.findMany({ ...query, orderBy: newest }),
      }),
      activeSessions: t.prismaConnection({
        type: 'InterviewSession',
        cursor: 'id',
        resolve: (query, _root, _args, ctx) =>
          db().interviewSession.findMany({ ...query, where: { userId: ctx.viewer.userId, status: 'ACTIVE' }, orderBy: newest }),
      }),
      postingsByTitle: t.prismaConnection({
        type: 'JobPosting',
        cursor: 'id',
        resolve: (query, _root, _args, ctx) =>
          db().jobPosting.findMany({ ...query, where: { userId: ctx.viewer.userId }, orderBy: { title: 'asc' } }),
      }),
      sessionsByState: t.prismaConnection({
        type: 'InterviewSession',
        cursor: 'id',
        args: { state: t.arg({ type: Status, required: false }) },
        resolve: (query, _root, args, ctx) =>
          db().interviewSession.findMany({
            ...query,
            where: { userId: ctx.viewer.userId, ...(args.state ? { status: args.state } : {}) },
            orderBy: newest,
          }),
      }),
      mySession: t.prismaField({
        type: 'InterviewSession',
        nullable: true,
        args: { id: t.arg.id() },
        resolve: (query, _root, args, ctx) =>
          db().interviewSession.findFirst({ ...query, where: { id: String(args.id).length ? 'x' : 'x', userId: ctx.viewer.userId } }),
      }),
      anySession: t.prismaField({
        type: 'InterviewSession',
        nullable: true,
        args: { id: t.arg.id() },
        resolve: (query, _root, args) =>
          db().interviewSession.findUnique({ ...query, where: { id: parseId(String(args.id), 'InterviewSession') } }),
      }),
      ownSession: t.prismaField({
        type: 'InterviewSession',
        nullable: true,
        args: { id: t.arg.id() },
        resolve: (query, _root, args, ctx) =>
          db().interviewSession.findFirst({
            ...query,
            where: { id: parseId(String(args.id), 'InterviewSession'), userId: ctx.viewer.userId },
          }),
      }),
      me: t.prismaField({
        type: 'User',
        resolve: (query, _root, _args, ctx) => db().user.findUniqueOrThrow({ ...query, where: { id: ctx.viewer.userId } }),
      }),
      twoLookups: t.prismaField({
        type: 'User',
        resolve: (query, _root, _args, ctx) => {
          void db().apiKey.findMany({ where: { userId: ctx.viewer.userId } });
          return db().user.findUniqueOrThrow({ ...query, where: { id: ctx.viewer.userId } });
        },
      }),
    }),
  });
  const odd = builder.toSchema();
  const { types, skipped } = deriveTypes(odd, DATA_MODEL, CUSTOM_FIELDS);
  const roots = deriveRoots(odd, DATA_MODEL);

  it("derives the roots that are plainly the viewer's rows, and only those", () => {
    expect(roots.roots).toEqual({
      postings: {
        kind: 'rootConnection',
        type: 'JobPosting',
        ownerColumn: 'user_id',
        filters: {},
        orderBy: [
          { column: 'created_at', direction: 'DESC' },
          { column: 'id', direction: 'DESC' },
        ],
      },
      ownSession: { kind: 'rootNode', type: 'InterviewSession', ownerColumn: 'user_id', idArg: 'id' },
      me: { kind: 'rootViewer', type: 'User' },
    });
    expect(roots.skipped).toEqual({
      'Query.ok': 'not an object type',
      'Query.node': 'not an object type',
      'Query.nodes': 'not an object type',
      'Query.everybodysPostings': "its where (empty) is not the viewer's rows alone",
      'Query.activeSessions': "its where (userId, status) is not the viewer's rows alone",
      'Query.postingsByTitle': 'an order that does not end with the primary key',
      'Query.sessionsByState': 'the enum of state',
      'Query.mySession': 'it does not look the row up by the id argument',
      'Query.anySession': "its where (id) is not the viewer's rows alone",
      'Query.twoLookups': 'its resolver made 2 database calls at once, not one',
    });
  });

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
