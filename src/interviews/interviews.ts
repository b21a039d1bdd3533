// Interview sessions as a domain: starting, answering, completing, deleting. Owns the ownership
// checks and the transactions; the GraphQL layer only translates ids and calls these.
import { randomUUID } from 'node:crypto';
import { defaultCoach, type Coach } from '../coach/index.js';
import { db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { conflict, notFound } from '../errors.js';

const postingSelect = { title: true, company: true, description: true, skills: true } as const;

export interface AnswerResult {
  sessionId: string;
  answerId: string;
  feedbackId: string;
  operationId: string;
  /** Null when the interviewer has asked all its questions. */
  nextQuestionId: string | null;
}

export class Interviews {
  constructor(private readonly coach: Coach = defaultCoach) {}

  /** Starts a session on the viewer's own posting and resume, with the first question asked. */
  async start(userId: string, jobPostingId: string, resumeId: string): Promise<{ sessionId: string }> {
    const [posting, resume] = await Promise.all([
      db().jobPosting.findFirst({ where: { id: jobPostingId, userId }, select: postingSelect }),
      db().resume.findFirst({ where: { id: resumeId, userId }, select: { title: true, content: true } }),
    ]);
    if (!posting) throw notFound('JobPosting');
    if (!resume) throw notFound('Resume');
    const sessionId = randomUUID();
    const question = this.coach.nextQuestion({ jobPosting: posting, resume, questionIndex: 0, sessionId });
    await db().interviewSession.create({
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
  }

  /**
   * Stores the answer to the open question, its feedback (recorded as a finished operation) and the
   * next question, all in one transaction. A second answer racing for the same turn loses on the
   * (session_id, seq) unique key and gets CONFLICT; nothing of it is written.
   */
  async answer(userId: string, sessionId: string, content: string): Promise<AnswerResult> {
    const session = await db().interviewSession.findFirst({
      where: { id: sessionId, userId },
      select: {
        status: true,
        jobPosting: { select: postingSelect },
        resume: { select: { title: true, content: true } },
        messages: { orderBy: { seq: 'desc' }, take: 1, select: { seq: true, role: true, content: true } },
        _count: { select: { messages: { where: { role: 'INTERVIEWER' } } } },
      },
    });
    if (!session) throw notFound('InterviewSession');
    if (session.status !== 'ACTIVE') throw conflict('This session is completed; it takes no more answers');
    const last = session.messages[0];
    if (!last || last.role !== 'INTERVIEWER') throw conflict('There is no open question to answer in this session');

    const feedback = this.coach.assessAnswer({ jobPosting: session.jobPosting, question: last.content, answer: content });
    const next = this.coach.nextQuestion({
      jobPosting: session.jobPosting,
      resume: session.resume,
      questionIndex: session._count.messages,
      sessionId,
    });
    const now = new Date();
    const ids = { answerId: randomUUID(), feedbackId: randomUUID(), operationId: randomUUID(), nextQuestionId: next ? randomUUID() : null };
    try {
      await db().$transaction([
        db().sessionMessage.create({
          data: { id: ids.answerId, sessionId, seq: last.seq + 1, role: 'CANDIDATE', content },
          select: { id: true },
        }),
        db().feedback.create({
          data: { id: ids.feedbackId, sessionId, messageId: ids.answerId, ...feedback },
          select: { id: true },
        }),
        // Feedback is produced synchronously for now; the operation is its durable record, so a
        // later asynchronous coach changes the status flow and not the API.
        db().operation.create({
          data: {
            id: ids.operationId,
            sessionId,
            messageId: ids.answerId,
            kind: 'ANSWER_FEEDBACK',
            status: 'SUCCEEDED',
            attempts: 1,
            startedAt: now,
            finishedAt: now,
          },
          select: { id: true },
        }),
        ...(next && ids.nextQuestionId
          ? [
              db().sessionMessage.create({
                data: { id: ids.nextQuestionId, sessionId, seq: last.seq + 2, role: 'INTERVIEWER', content: next },
                select: { id: true },
              }),
            ]
          : []),
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('This question was answered already');
      throw error;
    }
    return { sessionId, ...ids };
  }

  /** Completes an active session with feedback on the whole interview. */
  async complete(userId: string, sessionId: string): Promise<{ sessionId: string; feedbackId: string }> {
    const session = await db().interviewSession.findFirst({
      where: { id: sessionId, userId },
      select: {
        status: true,
        jobPosting: { select: postingSelect },
        messages: { orderBy: { seq: 'asc' }, select: { role: true, content: true, feedback: true } },
      },
    });
    if (!session) throw notFound('InterviewSession');
    if (session.status !== 'ACTIVE') throw conflict('This session is completed already');
    const answers = pairAnswers(session.messages);
    const summary = this.coach.assessSession({ jobPosting: session.jobPosting, answers });
    const feedbackId = randomUUID();
    const now = new Date();
    await db().$transaction(async (tx) => {
      // The status guard makes a concurrent second completion a no-op that we report as CONFLICT.
      const updated = await tx.interviewSession.updateMany({
        where: { id: sessionId, userId, status: 'ACTIVE' },
        data: { status: 'COMPLETED', completedAt: now },
      });
      if (updated.count !== 1) throw conflict('This session is completed already');
      await tx.feedback.create({ data: { id: feedbackId, sessionId, messageId: null, ...summary }, select: { id: true } });
      await tx.operation.create({
        data: { sessionId, kind: 'SESSION_FEEDBACK', status: 'SUCCEEDED', attempts: 1, startedAt: now, finishedAt: now },
        select: { id: true },
      });
    });
    return { sessionId, feedbackId };
  }

  /** Deletes a session with its messages, feedback and operations. */
  async delete(userId: string, sessionId: string): Promise<void> {
    const deleted = await db().interviewSession.deleteMany({ where: { id: sessionId, userId } });
    if (deleted.count === 0) throw notFound('InterviewSession');
  }
}

type StoredMessage = {
  role: 'INTERVIEWER' | 'CANDIDATE';
  content: string;
  feedback: { score: number; strengths: string[]; improvements: string[]; summary: string } | null;
};

/** Each candidate answer with the question before it and the feedback it got. */
function pairAnswers(messages: StoredMessage[]) {
  const answers: Parameters<Coach['assessSession']>[0]['answers'] = [];
  let question = '';
  for (const message of messages) {
    if (message.role === 'INTERVIEWER') question = message.content;
    else if (message.feedback) {
      const { score, strengths, improvements, summary } = message.feedback;
      answers.push({ question, answer: message.content, feedback: { score, strengths, improvements, summary } });
    }
  }
  return answers;
}

export const interviews = new Interviews();
