// What a feedback job reads and writes: the inputs of a generation, loaded when the job runs (so a
// retry sees the same stored answer), and the feedback row it produces, one per answer and one per
// session whatever the retries.
import type { AnswerFeedback } from '../coach/types.js';
import type { AnswerInput, SessionInput } from '../coach/providers/types.js';
import type { Db } from '../db/client.js';
import type { ClaimedJob } from './operation-queue.js';

const postingSelect = { title: true, company: true, description: true, skills: true } as const;

export type JobInput =
  | { kind: 'answer'; userId: string; sessionId: string; messageId: string; input: AnswerInput }
  | { kind: 'session'; userId: string; sessionId: string; input: SessionInput };

interface AnswerInputRow {
  content: string;
  session_id: string;
  user_id: string;
  title: string;
  company: string;
  description: string;
  skills: string[];
  question: string | null;
}

/**
 * The generation's input, or null when what it was about is gone (the session was deleted).
 * An answer's is one statement (it runs for every answer: as Prisma queries it was three
 * round trips and most of the worker's CPU, docs/queue.md); a session's summary, once per
 * interview, keeps Prisma's query.
 */
export async function loadJobInput(db: Db, job: ClaimedJob): Promise<JobInput | null> {
  if (job.kind === 'ANSWER_FEEDBACK') {
    if (!job.messageId) return null;
    const [answer] = await db.$queryRaw<AnswerInputRow[]>`/* job: read answer */
      SELECT a.content, a.session_id::text AS session_id, s.user_id::text AS user_id,
        p.title, p.company, p.description, p.skills, q.content AS question
      FROM session_messages a
      JOIN interview_sessions s ON s.id = a.session_id
      JOIN job_postings p ON p.id = s.job_posting_id
      LEFT JOIN session_messages q ON q.session_id = a.session_id AND q.seq = a.seq - 1
      WHERE a.id = ${job.messageId}::uuid`;
    if (!answer) return null;
    const { title, company, description, skills } = answer;
    return {
      kind: 'answer',
      userId: answer.user_id,
      sessionId: answer.session_id,
      messageId: job.messageId,
      input: { jobPosting: { title, company, description, skills }, question: answer.question ?? '', answer: answer.content },
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
