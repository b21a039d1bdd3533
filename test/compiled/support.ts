// Shared by the compiled-execution tests: a compiled and a reference server on one database, data
// shaped to reach every branch of the SessionsList plan, and calls by persisted id.
import { randomUUID } from 'node:crypto';
import { getOperationAST, parse } from 'graphql';
import { loadManifest } from '../../src/policy/persisted.js';
import type { GqlResponse, TestApp } from '../support/app.js';
import { signUp } from '../support/fixtures.js';

/** The manifest's id of an operation (what the frontend sends). */
export function persistedIdOf(operationName: string): string {
  for (const [id, source] of loadManifest()) {
    if (getOperationAST(parse(source))?.name?.value === operationName) return id;
  }
  throw new Error(`${operationName} is not in schema/generated/persisted-documents.json: run \`npm run codegen\``);
}

export const SESSIONS_LIST = 'SessionsList';
export const SESSION_DETAIL = 'SessionDetail';
export const SESSION_MESSAGES = 'SessionMessages';
export const SESSION_FEEDBACK = 'SessionFeedback';
export const JOB_POSTINGS = 'JobPostings';
export const RESUMES = 'Resumes';
export const VIEWER = 'Viewer';

/** A global id (src/schema/ids.ts). */
export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

export async function callPersisted(
  app: TestApp,
  operationName: string,
  variables: Record<string, unknown>,
  key: string | null,
  headers: Record<string, string> = {},
): Promise<GqlResponse & { text: string }> {
  const response = await app.yoga.fetch('http://cadence.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ documentId: persistedIdOf(operationName), variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GqlResponse['body'], text };
}

export interface SeededUser {
  key: string;
  userId: string;
  sessionIds: string[];
  /** Message ids per session, in `seq` order. */
  messageIds: string[][];
  jobPostingIds: string[];
  resumeIds: string[];
}

const base = Date.parse('2026-01-01T00:00:00.000Z');
/** Text that JSON escapes: quotes, backslashes, control characters, non-BMP characters. */
const TRICKY = ['plain', 'with "quotes" and \\ backslash', 'line\nbreak\ttab\r', 'ctrl \u0001\u001f\u007f', 'unicode é ü 日本 🎉', ''];

/**
 * Users through the API (keys), their rows straight through Prisma: `sessions` per user, with
 * creation times that tie (the id breaks them), both statuses, sessions without messages or
 * feedback, one with 25 messages (past the 10-message preview), feedback times that tie; as many
 * job postings and resumes as sessions plus one (times that tie too), and API keys: the first
 * user has 55 (past the 50 listed), some revoked, created in the same millisecond.
 */
export async function seedUsers(app: TestApp, sessionsPerUser: number[]): Promise<SeededUser[]> {
  const users: SeededUser[] = [];
  for (const [u, count] of sessionsPerUser.entries()) {
    const { key, userId: globalUserId } = await signUp(app, `Compiled ${u}`);
    const userId = Buffer.from(globalUserId, 'base64url').toString().split(':')[1]!;
    const jobPostingIds: string[] = [];
    const resumeIds: string[] = [];
    for (let p = 0; p <= count; p++) {
      const createdAt = new Date(base + Math.floor(p / 3) * 60_000 + u);
      const posting = await app.prisma.jobPosting.create({
        data: {
          userId,
          title: TRICKY[(u + p) % TRICKY.length]!,
          company: `Company ${u}.${p}`,
          description: 'd',
          skills: p % 4 === 3 ? [] : ['SQL', TRICKY[p % TRICKY.length]!],
          createdAt,
        },
      });
      jobPostingIds.push(posting.id);
      const resume = await app.prisma.resume.create({ data: { userId, title: TRICKY[p % TRICKY.length]!, content: 'c', createdAt } });
      resumeIds.push(resume.id);
    }
    const keys = u === 0 ? 54 : u;
    const keyAt = new Date(base + u);
    for (let k = 0; k < keys; k++) {
      await app.prisma.apiKey.create({
        data: {
          userId,
          name: TRICKY[k % TRICKY.length]!,
          prefix: `cad_${u}_${k}`,
          hash: randomUUID(),
          createdAt: keyAt,
          revokedAt: k % 3 === 1 ? new Date(keyAt.getTime() + 5_000) : null,
        },
      });
    }
    const sessionIds: string[] = [];
    const sessionMessageIds: string[][] = [];
    for (let s = 0; s < count; s++) {
      const id = randomUUID();
      sessionIds.push(id);
      const completed = s % 3 === 0;
      // Sessions share creation times three by three, so the order (and the cursors) fall to the id.
      const createdAt = new Date(base + Math.floor(s / 3) * 60_000 + u);
      await app.prisma.interviewSession.create({
        data: {
          id,
          userId,
          jobPostingId: jobPostingIds[s % jobPostingIds.length]!,
          resumeId: resumeIds[(s * 2) % resumeIds.length]!,
          status: completed ? 'COMPLETED' : 'ACTIVE',
          createdAt,
          startedAt: createdAt,
          completedAt: completed ? new Date(createdAt.getTime() + 123_457) : null,
        },
      });
      // One long transcript (1,000 messages) for the second user, to page through.
      const messages = u === 1 && s === 5 ? 1_000 : s === 1 ? 25 : s % 4 === 2 ? 0 : 3;
      const messageIds = Array.from({ length: messages }, () => randomUUID());
      await app.prisma.sessionMessage.createMany({
        data: messageIds.map((messageId, i) => ({
          id: messageId,
          sessionId: id,
          seq: i + 1,
          role: i % 2 === 0 ? ('INTERVIEWER' as const) : ('CANDIDATE' as const),
          content: TRICKY[(s + i + 1) % TRICKY.length]!,
          createdAt,
        })),
      });
      sessionMessageIds.push(messageIds);
      // Async work records on even sessions: two created together (the id breaks the tie), one failed.
      // Never PENDING or RUNNING: the database is shared with the other suites, whose health
      // checks count the queue and whose workers would pick such work up.
      if (s % 2 === 0) {
        await app.prisma.operation.create({
          data: {
            sessionId: id,
            kind: 'ANSWER_FEEDBACK',
            status: 'FAILED',
            attempts: 3,
            error: TRICKY[s % TRICKY.length]!,
            createdAt,
            finishedAt: createdAt,
          },
        });
        await app.prisma.operation.create({ data: { sessionId: id, kind: 'SESSION_FEEDBACK', status: 'SUCCEEDED', createdAt } });
      }
      // No feedback on every fifth session; otherwise one per answer plus, when completed, one on the session.
      if (s % 5 === 4) continue;
      const feedbackAt = new Date(createdAt.getTime() + 1_000);
      for (const [i, messageId] of messageIds.filter((_, i) => i % 2 === 1).entries()) {
        // Scores vary within a session, so averageScore is not a whole number.
        await app.prisma.feedback.create({
          data: {
            sessionId: id,
            messageId,
            score: (s * 7 + u + i * 13) % 101,
            strengths: ['a'],
            improvements: ['b'],
            summary: TRICKY[s % TRICKY.length]!,
            createdAt: feedbackAt,
          },
        });
      }
      if (completed) {
        await app.prisma.feedback.create({
          data: { sessionId: id, score: 50, strengths: [], improvements: [], summary: 'session', createdAt: feedbackAt },
        });
      }
    }
    users.push({ key, userId, sessionIds, messageIds: sessionMessageIds, jobPostingIds, resumeIds });
  }
  return users;
}

/** plugin-prisma's cursor for a row id. */
export const cursorFor = (id: string) => Buffer.from(`GPC:S:${id}`).toString('base64');

/** The bodies compared after JSON normalisation (parse, then stringify: key order kept, spacing not). */
export const normalised = (body: unknown) => JSON.stringify(body);
