// The SQL of the two hot writes, answering and completing, each one statement.
//
// Why not Prisma's query builder in a transaction, as before: an answer was BEGIN, six statements
// and COMMIT, each a round trip that, on a busy server, waits for the event loop; at 500 req/s of
// the load test's mix the answer's p95 went from 17 ms to 127 ms (docs/scaling.md) while reads held.
// Now an answer is one read (what the checks and the coach need) and one write, and the write
// proves that what was read still holds, so no lock is held between the two:
// - the session's row is locked `FOR UPDATE` and must still be the viewer's and ACTIVE (under READ
//   COMMITTED a row changed meanwhile is re-checked after the lock is granted, and a deleted one is
//   skipped);
// - the answer takes `seq` last + 1 with `ON CONFLICT (session_id, seq) DO NOTHING`: if any message
//   was added since the read, that seq is taken, nothing is inserted, and the rest of the statement
//   (operation, next question) hangs off the answer's RETURNING, so it inserts nothing either.
// Times that order writes on one session (an answer's created_at, a completion's completed_at) are
// clock_timestamp(), taken once the row lock is held, not now(): now() is when the statement began,
// and a completion that began first but got the lock second would predate the answer it summarises.
// Each statement starts with a comment naming it, which pg_stat_activity shows (its text is cut at
// track_activity_query_size). A write that inserted nothing is re-run from the read, which then sees the other write and gives
// its CONFLICT or NOT_FOUND (src/interviews/interviews.ts). The statement is atomic by itself; under
// an Idempotency-Key it runs inside the transaction that records the outcome (src/idempotency/write.ts).
import { Prisma, type Feedback, type InterviewSession, type Operation, type SessionMessage } from '../../prisma/generated/client/client.js';
import type { Tx } from '../idempotency/write.js';

export interface AnswerContext {
  sessionId: string;
  status: 'ACTIVE' | 'COMPLETED';
  posting: { title: string; company: string; description: string; skills: string[] };
  resume: { title: string; content: string };
  /** Questions asked so far (the coach's index of the next one). */
  questionsAsked: number;
  /** The newest message and the one before it, if any. */
  last: { id: string; seq: number; role: 'INTERVIEWER' | 'CANDIDATE' } | null;
  previous: { role: 'INTERVIEWER' | 'CANDIDATE'; content: string } | null;
}

interface AnswerContextRow {
  session_id: string;
  status: 'ACTIVE' | 'COMPLETED';
  title: string;
  company: string;
  description: string;
  skills: string[];
  resume_title: string;
  resume_content: string;
  asked: number;
  last_id: string | null;
  last_seq: number | null;
  last_role: 'INTERVIEWER' | 'CANDIDATE' | null;
  prev_role: 'INTERVIEWER' | 'CANDIDATE' | null;
  prev_content: string | null;
}

/**
 * What an answer is checked against, read in one statement: the viewer's session (by its id, or
 * as the session of the interviewer's message `questionId`), its posting and resume, the questions
 * asked, and the last two messages. Null when there is no such session of this viewer.
 */
export async function readAnswerContext(
  tx: Tx,
  userId: string,
  target: { questionId: string } | { sessionId: string },
): Promise<AnswerContext | null> {
  // Two sources rather than one with an OR, so each text is a plain primary-key lookup.
  const source =
    'questionId' in target
      ? Prisma.sql`session_messages q JOIN interview_sessions s ON s.id = q.session_id AND s.user_id = ${userId}::uuid
          AND q.id = ${target.questionId}::uuid AND q.role = 'INTERVIEWER'`
      : Prisma.sql`interview_sessions s`;
  const sessionFilter =
    'questionId' in target ? Prisma.empty : Prisma.sql`WHERE s.id = ${target.sessionId}::uuid AND s.user_id = ${userId}::uuid`;
  const rows = await tx.$queryRaw<AnswerContextRow[]>`/* answer: read */
    SELECT s.id::text AS session_id, s.status::text AS status, p.title, p.company, p.description, p.skills,
      r.title AS resume_title, r.content AS resume_content,
      (SELECT count(*)::int FROM session_messages m WHERE m.session_id = s.id AND m.role = 'INTERVIEWER') AS asked,
      last.id::text AS last_id, last.seq AS last_seq, last.role::text AS last_role,
      prev.role::text AS prev_role, prev.content AS prev_content
    FROM ${source}
    JOIN job_postings p ON p.id = s.job_posting_id
    JOIN resumes r ON r.id = s.resume_id
    LEFT JOIN LATERAL (SELECT id, seq, role FROM session_messages m WHERE m.session_id = s.id ORDER BY seq DESC LIMIT 1) last ON true
    LEFT JOIN LATERAL (SELECT role, content FROM session_messages m WHERE m.session_id = s.id ORDER BY seq DESC OFFSET 1 LIMIT 1) prev ON true
    ${sessionFilter}`;
  const row = rows[0];
  if (!row) return null;
  return {
    sessionId: row.session_id,
    status: row.status,
    posting: { title: row.title, company: row.company, description: row.description, skills: row.skills },
    resume: { title: row.resume_title, content: row.resume_content },
    questionsAsked: row.asked,
    last:
      row.last_id !== null && row.last_seq !== null && row.last_role !== null
        ? { id: row.last_id, seq: row.last_seq, role: row.last_role }
        : null,
    previous: row.prev_role !== null && row.prev_content !== null ? { role: row.prev_role, content: row.prev_content } : null,
  };
}

export interface AnswerWrite {
  userId: string;
  sessionId: string;
  /** The seq of the question answered, as read: the answer takes the next one. */
  afterSeq: number;
  content: string;
  answerId: string;
  operationId: string;
  /** The next question and its id, or null when the interview is over. */
  next: { id: string; content: string } | null;
}

/** What an answer wrote, as the rows PostgreSQL stored: the mutation's payload without reading them back. */
export interface AnswerRows {
  answer: SessionMessage;
  operation: Operation;
  nextQuestion: SessionMessage | null;
}

interface AnswerRowsRow {
  a_seq: number;
  a_created_at: Date;
  o_status: Operation['status'];
  o_attempts: number;
  o_created_at: Date;
  o_updated_at: Date;
  o_run_after: Date;
  q_seq: number | null;
  q_created_at: Date | null;
}

/**
 * Inserts the answer, its feedback operation and the next question, if the session is still the
 * viewer's, ACTIVE, and has no message after `afterSeq`; returns what it stored, or null when it
 * inserted nothing. The rows come back from RETURNING, so they are what a read would see (times as
 * stored, at millisecond precision; the column defaults).
 */
export async function writeAnswer(tx: Tx, w: AnswerWrite): Promise<AnswerRows | null> {
  const rows = await tx.$queryRaw<AnswerRowsRow[]>`/* answer: write */
    WITH s AS (
      SELECT id FROM interview_sessions
      WHERE id = ${w.sessionId}::uuid AND user_id = ${w.userId}::uuid AND status = 'ACTIVE'
      FOR UPDATE
    ), answer AS (
      INSERT INTO session_messages (id, session_id, seq, role, content, created_at)
      SELECT ${w.answerId}::uuid, s.id, ${w.afterSeq}::int + 1, 'CANDIDATE'::"MessageRole", ${w.content}::text, clock_timestamp() FROM s
      ON CONFLICT (session_id, seq) DO NOTHING
      RETURNING id, session_id, seq, created_at
    ), operation AS (
      INSERT INTO operations (id, session_id, message_id, kind)
      SELECT ${w.operationId}::uuid, answer.session_id, answer.id, 'ANSWER_FEEDBACK'::"OperationKind" FROM answer
      RETURNING status, attempts, created_at, updated_at, run_after
    ), question AS (
      INSERT INTO session_messages (id, session_id, seq, role, content, created_at)
      SELECT ${w.next?.id ?? null}::uuid, answer.session_id, ${w.afterSeq}::int + 2, 'INTERVIEWER'::"MessageRole", ${w.next?.content ?? null}::text,
        clock_timestamp()
      FROM answer WHERE ${w.next?.id ?? null}::uuid IS NOT NULL
      RETURNING seq, created_at
    )
    SELECT a.seq AS a_seq, a.created_at AS a_created_at,
      o.status::text AS o_status, o.attempts AS o_attempts, o.created_at AS o_created_at, o.updated_at AS o_updated_at,
      o.run_after AS o_run_after, q.seq AS q_seq, q.created_at AS q_created_at
    FROM answer a CROSS JOIN operation o LEFT JOIN question q ON true`;
  const row = rows[0];
  if (!row) return null;
  return {
    answer: { id: w.answerId, sessionId: w.sessionId, seq: row.a_seq, role: 'CANDIDATE', content: w.content, createdAt: row.a_created_at },
    operation: {
      id: w.operationId,
      sessionId: w.sessionId,
      messageId: w.answerId,
      kind: 'ANSWER_FEEDBACK',
      status: row.o_status,
      attempts: row.o_attempts,
      error: null,
      createdAt: row.o_created_at,
      updatedAt: row.o_updated_at,
      startedAt: null,
      finishedAt: null,
      runAfter: row.o_run_after,
      lockedBy: null,
      lockedUntil: null,
      producedBy: null,
    },
    nextQuestion:
      w.next && row.q_seq !== null && row.q_created_at !== null
        ? {
            id: w.next.id,
            sessionId: w.sessionId,
            seq: row.q_seq,
            role: 'INTERVIEWER',
            content: w.next.content,
            createdAt: row.q_created_at,
          }
        : null,
  };
}

/** A completed session as the completion stored it, with its feedback at that moment (oldest first). */
export type CompletedSession = InterviewSession & { feedback: Feedback[] };

interface CompletionRow {
  job_posting_id: string;
  resume_id: string;
  created_at: Date;
  started_at: Date;
  completed_at: Date;
  /** json_agg of the feedback rows, oldest first (the order of InterviewSession.feedback). */
  feedback: {
    id: string;
    messageId: string | null;
    score: number;
    strengths: string[];
    improvements: string[];
    summary: string;
    createdAt: string;
  }[];
}

/**
 * Completes the viewer's ACTIVE session and inserts its feedback operation, and returns the
 * session's row and its feedback as they are then (the mutation's payload, without a read after).
 * Otherwise inserts nothing and says what the session is now: COMPLETED, or null (not the
 * viewer's, or gone).
 */
export async function writeCompletion(
  tx: Tx,
  userId: string,
  sessionId: string,
  operationId: string,
): Promise<{ completed: true; session: CompletedSession } | { completed: false; status: 'ACTIVE' | 'COMPLETED' | null }> {
  const rows = await tx.$queryRaw<CompletionRow[]>`/* completion: write */
    WITH s AS (
      UPDATE interview_sessions SET status = 'COMPLETED', completed_at = clock_timestamp()
      WHERE id = ${sessionId}::uuid AND user_id = ${userId}::uuid AND status = 'ACTIVE'
      RETURNING id, job_posting_id, resume_id, created_at, started_at, completed_at
    ), operation AS (
      INSERT INTO operations (id, session_id, kind) SELECT ${operationId}::uuid, s.id, 'SESSION_FEEDBACK'::"OperationKind" FROM s
    )
    SELECT s.job_posting_id::text AS job_posting_id, s.resume_id::text AS resume_id, s.created_at, s.started_at, s.completed_at,
      COALESCE((
        SELECT json_agg(json_build_object('id', f.id, 'messageId', f.message_id, 'score', f.score, 'strengths', f.strengths,
          'improvements', f.improvements, 'summary', f.summary, 'createdAt', f.created_at) ORDER BY f.created_at, f.id)
        FROM feedback f WHERE f.session_id = s.id), '[]'::json) AS feedback
    FROM s`;
  const row = rows[0];
  if (row) {
    return {
      completed: true,
      session: {
        id: sessionId,
        userId,
        jobPostingId: row.job_posting_id,
        resumeId: row.resume_id,
        status: 'COMPLETED',
        createdAt: row.created_at,
        startedAt: row.started_at,
        completedAt: row.completed_at,
        feedback: row.feedback.map((f) => ({ ...f, sessionId, createdAt: new Date(f.createdAt) })),
      },
    };
  }
  // A second statement, so that it sees what a concurrent write committed while this one waited.
  const now = await tx.$queryRaw<{ status: 'ACTIVE' | 'COMPLETED' }[]>`
    SELECT status::text AS status FROM interview_sessions WHERE id = ${sessionId}::uuid AND user_id = ${userId}::uuid`;
  return { completed: false, status: now[0]?.status ?? null };
}

export interface StartContext {
  posting: AnswerContext['posting'] | null;
  resume: AnswerContext['resume'] | null;
}

/** The viewer's posting and resume a session would start on, in one statement; null for either that is not theirs. */
export async function readStartContext(tx: Tx, userId: string, jobPostingId: string, resumeId: string): Promise<StartContext> {
  const rows = await tx.$queryRaw<
    {
      title: string | null;
      company: string | null;
      description: string | null;
      skills: string[] | null;
      resume_title: string | null;
      resume_content: string | null;
    }[]
  >`/* start: read */
    SELECT p.title, p.company, p.description, p.skills, r.title AS resume_title, r.content AS resume_content
    FROM (SELECT 1) one
    LEFT JOIN job_postings p ON p.id = ${jobPostingId}::uuid AND p.user_id = ${userId}::uuid
    LEFT JOIN resumes r ON r.id = ${resumeId}::uuid AND r.user_id = ${userId}::uuid`;
  const row = rows[0];
  return {
    posting:
      row?.title != null && row.company !== null && row.description !== null && row.skills !== null
        ? { title: row.title, company: row.company, description: row.description, skills: row.skills }
        : null,
    resume: row?.resume_title != null && row.resume_content !== null ? { title: row.resume_title, content: row.resume_content } : null,
  };
}

/**
 * Inserts the session and its first question, if the posting and the resume are still the
 * viewer's. False when it inserted nothing.
 */
export async function writeStart(
  tx: Tx,
  w: { userId: string; sessionId: string; jobPostingId: string; resumeId: string; question: { id: string; content: string } | null },
): Promise<boolean> {
  const rows = await tx.$queryRaw<{ started: number }[]>`/* start: write */
    WITH s AS (
      INSERT INTO interview_sessions (id, user_id, job_posting_id, resume_id)
      SELECT ${w.sessionId}::uuid, p.user_id, p.id, r.id
      FROM job_postings p JOIN resumes r ON r.id = ${w.resumeId}::uuid AND r.user_id = p.user_id
      WHERE p.id = ${w.jobPostingId}::uuid AND p.user_id = ${w.userId}::uuid
      RETURNING id
    ), question AS (
      INSERT INTO session_messages (id, session_id, seq, role, content)
      SELECT ${w.question?.id ?? null}::uuid, s.id, 1, 'INTERVIEWER'::"MessageRole", ${w.question?.content ?? null}::text
      FROM s WHERE ${w.question?.id ?? null}::uuid IS NOT NULL
    )
    SELECT count(*)::int AS started FROM s`;
  return rows[0]?.started === 1;
}
