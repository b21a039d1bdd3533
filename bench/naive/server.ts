// The naive build: Cadence's schema (schema/schema.graphql, the same SDL) served by graphql-yoga
// with plain graphql-js resolvers that call Prisma once per parent row. For a page of 20 sessions:
// the API-key lookup, the page, then per session its job posting, its messages and its feedback,
// each with a query of its own (1 + 1 + 3 × 20 statements). Every column is read (no `select`).
// It exists only as the benchmark's baseline and implements what SessionsList needs.
//
// Env: DATABASE_URL (required), PORT (4000), HOST (127.0.0.1), DB_POOL_SIZE (20),
// DB_STATEMENT_TIMEOUT_MS (5000). Serves POST /graphql and GET /health (Yoga's).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import pg from 'pg';
import { PrismaClient } from '../../prisma/generated/client/client.js';
import { PROJECT_ROOT } from '../lib/cli.js';

const HELP = `Usage: node --import tsx bench/naive/server.ts

The benchmark's naive baseline: Cadence's SDL on graphql-yoga with graphql-js resolvers that call
Prisma per parent row (each session's job posting, messages and feedback with a query of their
own). Implements the sessions list only (Query.sessions with its nested fields).
Env: DATABASE_URL (required), PORT (default 4000), HOST (default 127.0.0.1), DB_POOL_SIZE (20),
DB_STATEMENT_TIMEOUT_MS (5000). Started by \`npm run bench\`.`;

const KEY_PATTERN = /^cad_[A-Za-z0-9_-]{43}$/;

type Prisma = PrismaClient;
interface Ctx {
  prisma: Prisma;
  userId: string;
}
interface SessionRow {
  id: string;
  jobPostingId: string;
}

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
const cursorOf = (id: string) => Buffer.from(`GPC:S:${id}`, 'utf8').toString('base64');
const idOf = (cursor: string) =>
  Buffer.from(cursor, 'base64')
    .toString('utf8')
    .replace(/^GPC:S:/, '');

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

function pageSize(first: number | null | undefined): number {
  const n = first ?? 20;
  if (n < 1 || n > 100)
    throw new GraphQLError('"first" must be between 1 and 100', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  return n;
}

const resolvers = {
  DateTime: new GraphQLScalarType({
    name: 'DateTime',
    serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  }),
  Node: { __resolveType: () => null },
  Query: {
    sessions: async (
      _: unknown,
      args: { first?: number | null; after?: string | null; status?: 'ACTIVE' | 'COMPLETED' | null },
      ctx: Ctx,
    ) => {
      const first = pageSize(args.first);
      const rows = await ctx.prisma.interviewSession.findMany({
        where: { userId: ctx.userId, ...(args.status ? { status: args.status } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
        ...(args.after ? { cursor: { id: idOf(args.after) }, skip: 1 } : {}),
      });
      const page = rows.slice(0, first);
      const edges = page.map((node) => ({ cursor: cursorOf(node.id), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: false,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        totalCount: () => ctx.prisma.interviewSession.count({ where: { userId: ctx.userId } }),
      };
    },
  },
  InterviewSession: {
    id: (s: SessionRow) => globalId('InterviewSession', s.id),
    // One query per session for each relation: the N+1 this build exists to show.
    jobPosting: (s: SessionRow, _: unknown, ctx: Ctx) => ctx.prisma.jobPosting.findFirstOrThrow({ where: { id: s.jobPostingId } }),
    messages: async (s: SessionRow, args: { first?: number | null }, ctx: Ctx) => {
      const first = pageSize(args.first);
      const rows = await ctx.prisma.sessionMessage.findMany({ where: { sessionId: s.id }, orderBy: { seq: 'asc' }, take: first + 1 });
      const edges = rows.slice(0, first).map((node) => ({ cursor: cursorOf(node.id), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: false,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
    feedback: (s: SessionRow, _: unknown, ctx: Ctx) =>
      ctx.prisma.feedback.findMany({ where: { sessionId: s.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  },
  JobPosting: { id: (r: { id: string }) => globalId('JobPosting', r.id) },
  SessionMessage: { id: (r: { id: string }) => globalId('SessionMessage', r.id) },
  Feedback: {
    id: (r: { id: string }) => globalId('Feedback', r.id),
    scope: (r: { messageId: string | null }) => (r.messageId ? 'ANSWER' : 'SESSION'),
  },
};

function main(): void {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is required');
    process.exit(2);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.DB_POOL_SIZE ?? 20),
    connectionTimeoutMillis: Number(process.env.DB_ACQUIRE_TIMEOUT_MS ?? 2000),
    idleTimeoutMillis: 10_000,
    statement_timeout: Number(process.env.DB_STATEMENT_TIMEOUT_MS ?? 5000),
    application_name: 'cadence-bench-naive',
  });
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });

  const typeDefs = readFileSync(path.join(PROJECT_ROOT, 'schema', 'schema.graphql'), 'utf8');
  const yoga = createYoga<Record<string, unknown>, Ctx>({
    schema: createSchema<Record<string, unknown> & Ctx>({ typeDefs, resolvers }),
    graphiql: false,
    landingPage: false,
    logging: 'warn',
    batching: false,
    context: async ({ request }): Promise<Ctx> => {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get('authorization') ?? '');
      if (!match || !KEY_PATTERN.test(match[1]!)) throw unauthenticated('Invalid API key');
      const hash = createHash('sha256').update(match[1]!).digest('hex');
      const key = await prisma.apiKey.findUnique({ where: { hash } });
      if (!key || key.revokedAt) throw unauthenticated('Invalid or revoked API key');
      return { prisma, userId: key.userId };
    },
  });
  const server = http.createServer(yoga);
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? '127.0.0.1');
  const stop = () =>
    server.close(
      () =>
        void prisma
          .$disconnect()
          .then(() => pool.end())
          .finally(() => process.exit(0)),
    );
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) console.log(HELP);
else main();
