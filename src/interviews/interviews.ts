// Interview sessions as a domain: starting, answering, completing, deleting. Owns the ownership
// checks and the transactions; the GraphQL layer only translates ids and calls these.
//
// Every decision about a session's state is taken inside the transaction that writes it, after
// locking the session's row (`FOR UPDATE`): two mutations on one session run one after the other,
// and the second sees what the first committed. So every interleaving of start, answer, complete
// and delete ends in one valid state, and the loser gets CONFLICT or NOT_FOUND (docs/reliability.md).
// Feedback is not computed here: the write enqueues an operation (src/queue/) in the same
// transaction, and a worker produces the feedback.
import { randomUUID } from 'node:crypto';
import { defaultCoach, type Coach } from '../coach/index.js';
import { conflict, notFound } from '../errors.js';
import { publishSessionEvent } from '../events/session-events.js';
import { write, type Tx } from '../idempotency/write.js';
import { jobsEnqueued } from '../queue/enqueued.js';

const postingSelect = { title: true, company: true, description: true, skills: true } as const;

export interface AnswerResult {
  [key: string]: string | null;
  sessionId: string;
  answerId: string;
  /** The pending operation that will produce the answer's feedback. */
  operationId: string;
  /** Null when the interviewer has asked all its questions. */
  nextQuestionId: string | null;
}

/** Which question an answer is for: the question itself (retry-safe), or a session's open question (deprecated). */
export type AnswerTarget = { questionId: string; sessionId?: string } | { questionId?: undefined; sessionId: string };

export class Interviews {
  constructor(private readonly coach: Coach = defaultCoach) {}

  /** Starts a session on the viewer's own posting and resume, with the first question asked. */
  async start(userId: string, jobPostingId: string, resumeId: string): Promise<{ sessionId: string }> {
    return write('startSession', async (tx) => {
      const posting = await tx.jobPosting.findFirst({ where: { id: jobPostingId, userId }, select: postingSelect });
      if (!posting) throw notFound('JobPosting');
      const resume = await tx.resume.findFirst({ where: { id: resumeId, userId }, select: { title: true, content: true } });
      if (!resume) throw notFound('Resume');
      const sessionId = randomUUID();
      const question = this.coach.nextQuestion({ jobPosting: posting, resume, questionIndex: 0, sessionId });
      await tx.interviewSession.create({
        data: {
          id: sessionId,
          userId,
          jobPostingId,
          resumeId,
          messages: question ? { create: { seq: 1, role: 'INTERVIEWER', content: question } } : undefined,
        },
        select: { id: true },
      });
      return { sessionId };
    });
  }

  /**
   * Stores the answer to the open question, the next question and a pending feedback operation, in
   * one transaction. An answer that names a question which is no longer open (answered already, by
   * a retry or a concurrent request) is CONFLICT, so it can never land on another question.
   */
  async answer(userId: string, target: AnswerTarget, content: string): Promise<AnswerResult> {
    const answer = await write('answer', async (tx) => {
      let sessionId = target.sessionId;
      if (target.questionId !== undefined) {
        const question = await tx.sessionMessage.findUnique({ where: { id: target.questionId }, select: { sessionId: true, role: true } });
        if (question?.role !== 'INTERVIEWER' || (sessionId !== undefined && sessionId !== question.sessionId)) {
          throw notFound('Question');
        }
        sessionId = question.sessionId;
      }
      if (sessionId === undefined) throw notFound('InterviewSession');
      const session = await lockSessionForAnswer(tx, userId, sessionId);
      if (!session) throw notFound(target.questionId !== undefined ? 'Question' : 'InterviewSession');
      if (session.status !== 'ACTIVE') throw conflict('This session is completed; it takes no more answers');

      const [last, previous] = await tx.sessionMessage.findMany({
        where: { sessionId },
        orderBy: { seq: 'desc' },
        take: 2,
        select: { id: true, seq: true, role: true, content: true },
      });
      if (last?.role !== 'INTERVIEWER') throw conflict('There is no open question to answer in this session');
      if (target.questionId !== undefined && target.questionId !== last.id) {
        throw conflict('This question was answered already; answer the open question');
      }
      // Without a question id a repeat cannot be told from an answer to the next question, except
      // by its text: the same text as the answer just given is taken for a repeat.
      if (target.questionId === undefined && previous?.role === 'CANDIDATE' && previous.content === content) {
        throw conflict('This answer was given already; send questionId to answer a given question');
      }

      const next = this.coach.nextQuestion({
        jobPosting: session.posting,
        resume: session.resume,
        questionIndex: session.questionsAsked,
        sessionId,
      });
      const ids = { answerId: randomUUID(), operationId: randomUUID(), nextQuestionId: next ? randomUUID() : null };
      await tx.sessionMessage.create({
        data: { id: ids.answerId, sessionId, seq: last.seq + 1, role: 'CANDIDATE', content },
        select: { id: true },
      });
      await tx.operation.create({
        data: { id: ids.operationId, sessionId, messageId: ids.answerId, kind: 'ANSWER_FEEDBACK' },
        select: { id: true },
      });
      if (next && ids.nextQuestionId) {
        await tx.sessionMessage.create({
          data: { id: ids.nextQuestionId, sessionId, seq: last.seq + 2, role: 'INTERVIEWER', content: next },
          select: { id: true },
        });
      }
      return { sessionId, ...ids };
    });
    jobsEnqueued();
    const base = { sessionId: answer.sessionId, userId };
    publishSessionEvent({ ...base, type: 'MessageAdded', messageId: answer.answerId });
    publishSessionEvent({ ...base, type: 'OperationUpdated', operationId: answer.operationId, status: 'PENDING' });
    if (answer.nextQuestionId) publishSessionEvent({ ...base, type: 'MessageAdded', messageId: answer.nextQuestionId });
    return answer;
  }

  /** Completes an active session; feedback on the whole interview follows as an operation. */
  async complete(userId: string, sessionId: string): Promise<{ sessionId: string; operationId: string }> {
    const result = await write('completeSession', async (tx) => {
      const session = await lockSession(tx, userId, sessionId);
      if (!session) throw notFound('InterviewSession');
      if (session.status !== 'ACTIVE') throw conflict('This session is completed already');
      await tx.interviewSession.update({
        where: { id: sessionId },
        data: { status: 'COMPLETED', completedAt: new Date() },
        select: { id: true },
      });
      const operation = await tx.operation.create({ data: { sessionId, kind: 'SESSION_FEEDBACK' }, select: { id: true } });
      return { sessionId, operationId: operation.id };
    });
    jobsEnqueued();
    publishSessionEvent({ sessionId, userId, type: 'SessionCompleted' });
    publishSessionEvent({ sessionId, userId, type: 'OperationUpdated', operationId: result.operationId, status: 'PENDING' });
    return result;
  }

  /** Deletes a session with its messages, feedback and operations. */
  async delete(userId: string, sessionId: string): Promise<void> {
    // One statement: the DELETE waits for a write in progress on the session (it holds the row
    // lock), and a write that comes after finds no session (NOT_FOUND), never a foreign-key error.
    const { count } = await write(
      'deleteSession',
      async (tx) => ({ count: (await tx.interviewSession.deleteMany({ where: { id: sessionId, userId } })).count }),
      { transaction: false },
    );
    if (count === 0) throw notFound('InterviewSession');
  }
}

type SessionStatus = 'ACTIVE' | 'COMPLETED';

/** The viewer's session, locked until the transaction ends; null when it is not theirs or gone. */
async function lockSession(tx: Tx, userId: string, sessionId: string): Promise<{ status: SessionStatus } | null> {
  const rows = await tx.$queryRaw<{ status: SessionStatus }[]>`
    SELECT status::text AS status FROM interview_sessions WHERE id = ${sessionId}::uuid AND user_id = ${userId}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}

/** The same lock, with what the coach needs for the next question, in one statement. */
async function lockSessionForAnswer(tx: Tx, userId: string, sessionId: string) {
  const rows = await tx.$queryRaw<
    {
      status: SessionStatus;
      title: string;
      company: string;
      description: string;
      skills: string[];
      resume_title: string;
      resume_content: string;
      asked: number;
    }[]
  >`
    SELECT s.status::text AS status, p.title, p.company, p.description, p.skills, r.title AS resume_title, r.content AS resume_content,
      (SELECT count(*)::int FROM session_messages m WHERE m.session_id = s.id AND m.role = 'INTERVIEWER') AS asked
    FROM interview_sessions s
    JOIN job_postings p ON p.id = s.job_posting_id
    JOIN resumes r ON r.id = s.resume_id
    WHERE s.id = ${sessionId}::uuid AND s.user_id = ${userId}::uuid
    FOR UPDATE OF s`;
  const row = rows[0];
  if (!row) return null;
  return {
    status: row.status,
    posting: { title: row.title, company: row.company, description: row.description, skills: row.skills },
    resume: { title: row.resume_title, content: row.resume_content },
    questionsAsked: row.asked,
  };
}

export const interviews = new Interviews();
