// Interview sessions as a domain: starting, answering, completing, deleting. Owns the ownership
// checks and the transactions; the GraphQL layer only translates ids and calls these.
//
// Every write on a session holds its row's lock (`FOR UPDATE`) while it writes, and an answer or a
// completion writes only if what its checks read still holds (src/interviews/statements.ts): two
// mutations on one session apply one after the other, and the second sees what the first committed.
// So every interleaving of start, answer, complete and delete ends in one valid state, and the
// loser gets CONFLICT or NOT_FOUND (docs/reliability.md). Feedback is not computed here: the write
// enqueues an operation (src/queue/) in the same statement, and a worker produces the feedback.
import { randomUUID } from 'node:crypto';
import { defaultCoach, type Coach } from '../coach/index.js';
import { conflict, notFound } from '../errors.js';
import { publishSessionEvent } from '../events/session-events.js';
import { write, type Tx } from '../idempotency/write.js';
import { jobsEnqueued } from '../queue/enqueued.js';
import {
  readAnswerContext,
  readStartContext,
  writeAnswer,
  writeCompletion,
  writeStart,
  type AnswerRows,
  type CompletedSession,
} from './statements.js';

export interface AnswerResult {
  [key: string]: string | null;
  sessionId: string;
  answerId: string;
  /** The pending operation that will produce the answer's feedback. */
  operationId: string;
  /** Null when the interviewer has asked all its questions. */
  nextQuestionId: string | null;
}

/**
 * What submitAnswer resolves its payload from: the outcome's ids, and the rows this request wrote
 * (null on a replay, whose payload is read by id).
 */
export interface AnswerPayload {
  ids: AnswerResult;
  written: AnswerRows | null;
}

/** Which question an answer is for: the question itself (retry-safe), or a session's open question (deprecated). */
export type AnswerTarget = { questionId: string; sessionId?: string } | { questionId?: undefined; sessionId: string };

export class Interviews {
  constructor(private readonly coach: Coach = defaultCoach) {}

  /** Starts a session on the viewer's own posting and resume, with the first question asked. */
  async start(userId: string, jobPostingId: string, resumeId: string): Promise<{ sessionId: string }> {
    return write(
      'startSession',
      async (tx) => {
        // Postings and resumes are never edited or deleted on their own (only with their user), so a
        // write that finds them gone finds them gone for good: one more read gives the NOT_FOUND.
        for (let attempt = 1; attempt <= 2; attempt++) {
          const { posting, resume } = await readStartContext(tx, userId, jobPostingId, resumeId);
          if (!posting) throw notFound('JobPosting');
          if (!resume) throw notFound('Resume');
          const sessionId = randomUUID();
          const question = this.coach.nextQuestion({ jobPosting: posting, resume, questionIndex: 0, sessionId });
          const started = await writeStart(tx, {
            userId,
            sessionId,
            jobPostingId,
            resumeId,
            question: question ? { id: randomUUID(), content: question } : null,
          });
          if (started) return { sessionId };
        }
        throw notFound('JobPosting');
      },
      { transaction: false },
    );
  }

  /**
   * Stores the answer to the open question, the next question and a pending feedback operation, in
   * one statement (src/interviews/statements.ts). An answer that names a question which is no longer
   * open (answered already, by a retry or a concurrent request) is CONFLICT, so it can never land on
   * another question.
   */
  async answer(userId: string, target: AnswerTarget, content: string): Promise<AnswerPayload> {
    // The rows this attempt stored, kept out of the recorded outcome (ids only, stored as JSON): a
    // replay of an Idempotency-Key has no rows and its payload is read by id.
    let written: AnswerRows | null = null;
    const answer = await write(
      'answer',
      async (tx) => {
        // The write inserts nothing when another write changed the session after the read; the
        // read is then taken again, and sees it. Each round needs another write to have committed
        // in between, so more than a few rounds means a session under a storm of writes.
        for (let attempt = 1; attempt <= MAX_ANSWER_ATTEMPTS; attempt++) {
          const session = await this.openQuestion(tx, userId, target, content);
          const next = this.coach.nextQuestion({
            jobPosting: session.posting,
            resume: session.resume,
            questionIndex: session.questionsAsked,
            sessionId: session.sessionId,
          });
          const ids = { answerId: randomUUID(), operationId: randomUUID(), nextQuestionId: next ? randomUUID() : null };
          written = await writeAnswer(tx, {
            userId,
            sessionId: session.sessionId,
            afterSeq: session.last.seq,
            content,
            answerId: ids.answerId,
            operationId: ids.operationId,
            next: next && ids.nextQuestionId ? { id: ids.nextQuestionId, content: next } : null,
          });
          if (written) return { sessionId: session.sessionId, ...ids };
        }
        throw conflict('This session changed while the answer was stored; send the answer again');
      },
      { transaction: false },
    );
    jobsEnqueued();
    const base = { sessionId: answer.sessionId, userId };
    publishSessionEvent({ ...base, type: 'MessageAdded', messageId: answer.answerId });
    publishSessionEvent({ ...base, type: 'OperationUpdated', operationId: answer.operationId, status: 'PENDING' });
    if (answer.nextQuestionId) publishSessionEvent({ ...base, type: 'MessageAdded', messageId: answer.nextQuestionId });
    // Rows of a write that a deadlock retry rolled back, or of none (a replay), are not this outcome's.
    const rows = written as AnswerRows | null;
    return { ids: answer, written: rows?.answer.id === answer.answerId ? rows : null };
  }

  /** The session's state as read now, if `content` may answer its open question; else the error why not. */
  private async openQuestion(tx: Tx, userId: string, target: AnswerTarget, content: string) {
    const byQuestion = target.questionId !== undefined;
    const session = await readAnswerContext(
      tx,
      userId,
      target.questionId !== undefined ? { questionId: target.questionId } : { sessionId: target.sessionId },
    );
    if (!session || (target.sessionId !== undefined && target.sessionId !== session.sessionId)) {
      throw notFound(byQuestion ? 'Question' : 'InterviewSession');
    }
    if (session.status !== 'ACTIVE') throw conflict('This session is completed; it takes no more answers');
    const { last, previous } = session;
    if (last?.role !== 'INTERVIEWER') throw conflict('There is no open question to answer in this session');
    if (byQuestion && target.questionId !== last.id) {
      throw conflict('This question was answered already; answer the open question');
    }
    // Without a question id a repeat cannot be told from an answer to the next question, except
    // by its text: the same text as the answer just given is taken for a repeat.
    if (!byQuestion && previous?.role === 'CANDIDATE' && previous.content === content) {
      throw conflict('This answer was given already; send questionId to answer a given question');
    }
    return { ...session, last };
  }

  /**
   * Completes an active session; feedback on the whole interview follows as an operation. `written`
   * is the session as the completion stored it, with its feedback then (absent on a replay).
   */
  async complete(userId: string, sessionId: string): Promise<{ sessionId: string; operationId: string; written?: CompletedSession }> {
    let written: CompletedSession | undefined;
    const result = await write(
      'completeSession',
      async (tx) => {
        const operationId = randomUUID();
        const outcome = await writeCompletion(tx, userId, sessionId, operationId);
        if (outcome.completed) {
          written = outcome.session;
          return { sessionId, operationId };
        }
        if (outcome.status === null) throw notFound('InterviewSession');
        // ACTIVE after a completion that did not apply cannot happen (nothing reopens a session);
        // were it to, CONFLICT tells the client to try again rather than claiming success.
        throw conflict(outcome.status === 'COMPLETED' ? 'This session is completed already' : 'This session changed; try again');
      },
      { transaction: false },
    );
    jobsEnqueued();
    publishSessionEvent({ sessionId, userId, type: 'SessionCompleted' });
    publishSessionEvent({ sessionId, userId, type: 'OperationUpdated', operationId: result.operationId, status: 'PENDING' });
    return { ...result, written };
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

/** Reads and writes of one answer; see writeAnswer. */
const MAX_ANSWER_ATTEMPTS = 5;

export const interviews = new Interviews();
