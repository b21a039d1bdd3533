// What a feedback job reads and writes: the inputs of a generation, loaded when the job runs (so a
// retry sees the same stored answer), and the feedback row it produces, one per answer and one per
// session whatever the retries.
import type { AnswerFeedback } from '../coach/types.js';
import type { AnswerInput, SessionInput } from '../coach/providers/types.js';
import type { Db } from '../db/client.js';
import type { ClaimedJob, Tx } from './operation-queue.js';

const postingSelect = { title: true, company: true, description: true, skills: true } as const;

export type JobInput =
  | { kind: 'answer'; userId: string; sessionId: string; messageId: string; input: AnswerInput }
  | { kind: 'session'; userId: string; sessionId: string; input: SessionInput };

/** The generation's input, or null when what it was about is gone (the session was deleted). */
export async function loadJobInput(db: Db, job: ClaimedJob): Promise<JobInput | null> {
  if (job.kind === 'ANSWER_FEEDBACK') {
    if (!job.messageId) return null;
    const answer = await db.sessionMessage.findUnique({
      where: { id: job.messageId },
      select: { content: true, seq: true, sessionId: true, session: { select: { userId: true, jobPosting: { select: postingSelect } } } },
    });
    if (!answer) return null;
    const question = await db.sessionMessage.findUnique({
      where: { sessionId_seq: { sessionId: answer.sessionId, seq: answer.seq - 1 } },
      select: { content: true },
    });
    return {
      kind: 'answer',
      userId: answer.session.userId,
      sessionId: answer.sessionId,
      messageId: job.messageId,
      input: { jobPosting: answer.session.jobPosting, question: question?.content ?? '', answer: answer.content },
    };
  }
  const session = await db.interviewSession.findUnique({
    where: { id: job.sessionId },
    select: {
      userId: true,
      jobPosting: { select: postingSelect },
      messages: { orderBy: { seq: 'asc' }, select: { role: true, content: true, feedback: true } },
    },
  });
  if (!session) return null;
  return {
    kind: 'session',
    userId: session.userId,
    sessionId: job.sessionId,
    input: { jobPosting: session.jobPosting, answers: pairAnswers(session.messages) },
  };
}

/** Stores the feedback unless it is there already; returns its id. */
export async function storeFeedback(tx: Tx, job: JobInput, feedback: AnswerFeedback): Promise<string> {
  const messageId = job.kind === 'answer' ? job.messageId : null;
  const existing = await tx.feedback.findFirst({ where: { sessionId: job.sessionId, messageId }, select: { id: true } });
  if (existing) return existing.id;
  const { score, strengths, improvements, summary } = feedback;
  const created = await tx.feedback.create({
    data: { sessionId: job.sessionId, messageId, score, strengths, improvements, summary },
    select: { id: true },
  });
  return created.id;
}

type StoredMessage = {
  role: 'INTERVIEWER' | 'CANDIDATE';
  content: string;
  feedback: AnswerFeedback | null;
};

/** Each candidate answer with the question before it and the feedback it got. */
export function pairAnswers(messages: StoredMessage[]): SessionInput['answers'] {
  const answers: SessionInput['answers'] = [];
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
