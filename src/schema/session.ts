// InterviewSession: the sessions list, session detail, and the mutations that drive an interview.
import { builder } from '../builder.js';
import { db } from '../db/client.js';
import { badInput, found, notFound } from '../errors.js';
import { interviews, type AnswerPayload } from '../interviews/interviews.js';
import { encodeGlobalId, parseId } from './ids.js';
import { LIMITS, text } from './validate.js';
import { selectsOnly, selectsRelations, written } from './written.js';

export const SessionStatus = builder.enumType('SessionStatus', {
  values: ['ACTIVE', 'COMPLETED'] as const,
});

export const InterviewSession = builder.prismaNode('InterviewSession', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // All columns are small: always read, and read from the row directly (see message.ts).
  select: { id: true, status: true, createdAt: true, startedAt: true, completedAt: true },
  findUnique: (id, ctx) => ({ id, userId: ctx.viewer?.userId ?? '' }),
  fields: (t) => ({
    status: t.field({ type: SessionStatus, resolve: (s) => s.status }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    startedAt: t.field({ type: 'DateTime', resolve: (s) => s.startedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.completedAt }),
    jobPosting: t.relation('jobPosting'),
    resume: t.relation('resume'),
    messages: t.relatedConnection('messages', {
      cursor: 'id',
      description: 'The transcript in order: questions and answers.',
      query: { orderBy: { seq: 'asc' } },
      totalCount: true,
    }),
    messageCount: t.relationCount('messages'),
    feedback: t.relation('feedback', {
      description: 'Feedback on each answer, then on the whole session once it is completed; oldest first.',
      query: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    }),
    operations: t.relation('operations', {
      description: 'The async work behind this session (feedback), oldest first.',
      query: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    }),
    averageScore: t.float({
      nullable: true,
      description: 'Mean score of the per-answer feedback; null before the first answer.',
      tracing: true,
      resolve: (session, _args, ctx) => ctx.loaders.averageScore.load(session.id),
    }),
  }),
});

builder.queryField('sessions', (t) =>
  t.prismaConnection({
    type: InterviewSession,
    cursor: 'id',
    description: "The viewer's interview sessions, newest first.",
    authScopes: { viewer: true },
    args: { status: t.arg({ type: SessionStatus, required: false }) },
    totalCount: (_root, args, ctx) => db().interviewSession.count({ where: sessionsWhere(ctx.viewer!.userId, args.status) }),
    resolve: (query, _root, args, ctx) =>
      db().interviewSession.findMany({
        ...query,
        where: sessionsWhere(ctx.viewer!.userId, args.status),
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
  }),
);

function sessionsWhere(userId: string, status: 'ACTIVE' | 'COMPLETED' | null | undefined) {
  return { userId, ...(status ? { status } : {}) };
}

builder.queryField('session', (t) =>
  t.prismaField({
    type: InterviewSession,
    nullable: true,
    authScopes: { viewer: true },
    args: { id: t.arg.id() },
    resolve: async (query, _root, args, ctx) => {
      const id = parseId(args.id, 'InterviewSession');
      const found = await db().interviewSession.findFirst({ ...query, where: { id, userId: ctx.viewer!.userId } });
      if (!found) throw notFound('InterviewSession');
      return found;
    },
  }),
);

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  fields: (t) => ({ jobPostingId: t.id(), resumeId: t.id() }),
});

builder.mutationField('createSession', (t) =>
  t.prismaField({
    type: InterviewSession,
    description: 'Starts an interview on one of your job postings with one of your resumes; the first question is asked at once.',
    authScopes: { viewer: true },
    args: { input: t.arg({ type: CreateSessionInput }) },
    resolve: async (query, _root, { input }, ctx) => {
      const jobPostingId = parseId(input.jobPostingId, 'JobPosting', 'jobPostingId');
      const resumeId = parseId(input.resumeId, 'Resume', 'resumeId');
      const { sessionId } = await interviews.start(ctx.viewer!.userId, jobPostingId, resumeId);
      return found(await db().interviewSession.findUnique({ ...query, where: { id: sessionId } }), 'InterviewSession');
    },
  }),
);

const SubmitAnswerInput = builder.inputType('SubmitAnswerInput', {
  description:
    'Send `questionId`: an answer that names its question is safe to retry. `sessionId` alone answers whatever question is open.',
  fields: (t) => ({
    questionId: t.id({
      required: false,
      description:
        'The question answered (the open INTERVIEWER message). A repeat, or an answer to a question answered meanwhile, is CONFLICT.',
    }),
    sessionId: t.id({
      required: false,
      deprecationReason:
        'Send questionId: an answer by session lands on whatever question is open when it arrives. Removal announced in schema/breaking-changes.json.',
    }),
    content: t.string({ description: `The answer, at most ${LIMITS.answer} characters.` }),
  }),
});

const SubmitAnswerPayload = builder.objectRef<AnswerPayload>('SubmitAnswerPayload');

// The answer, its operation and the next question are the rows the write stored (RETURNING): no
// read back, and one moment's view (the operation PENDING, no feedback yet), where three reads
// after the commit could see the worker's progress half-way. A selection that reaches into their
// relations, and a replay of an Idempotency-Key (no rows), read by id with plugin-prisma's query
// as before.
SubmitAnswerPayload.implement({
  fields: (t) => ({
    session: t.prismaField({
      type: InterviewSession,
      resolve: async (query, p) =>
        found(await db().interviewSession.findUnique({ ...query, where: { id: p.ids.sessionId } }), 'InterviewSession'),
    }),
    answer: t.prismaField({
      type: 'SessionMessage',
      resolve: async (query, p) =>
        written(p.written?.answer, query) ??
        found(await db().sessionMessage.findUnique({ ...query, where: { id: p.ids.answerId } }), 'SessionMessage'),
    }),
    feedback: t.prismaField({
      type: 'Feedback',
      nullable: true,
      description:
        'Null until the operation has produced it: feedback is generated in the background (follow `operation`, or subscribe to the session).',
      resolve: (query, p) => {
        if (p.written) {
          // Just written: the operation is PENDING, so there is no feedback yet.
          void { ...query };
          return null;
        }
        return db().feedback.findUnique({ ...query, where: { messageId: p.ids.answerId } });
      },
    }),
    operation: t.prismaField({
      type: 'Operation',
      description: 'The durable record of the feedback work for this answer.',
      resolve: async (query, p) =>
        written(p.written?.operation, query) ??
        found(await db().operation.findUnique({ ...query, where: { id: p.ids.operationId } }), 'Operation'),
    }),
    nextQuestion: t.prismaField({
      type: 'SessionMessage',
      nullable: true,
      description: 'The next question; null when the interview has asked all its questions (then complete the session).',
      resolve: (query, p) => {
        if (p.written && !selectsRelations(query)) return p.written.nextQuestion;
        if (p.ids.nextQuestionId) return db().sessionMessage.findUnique({ ...query, where: { id: p.ids.nextQuestionId } });
        // Nothing to load; reading `query` tells onUnusedQuery this null is deliberate.
        void { ...query };
        return null;
      },
    }),
  }),
});

builder.mutationField('submitAnswer', (t) =>
  t.field({
    type: SubmitAnswerPayload,
    description:
      'Answers a question: stores the answer, the next question and the operation that will produce its feedback, in one transaction.',
    authScopes: { viewer: true },
    args: { input: t.arg({ type: SubmitAnswerInput }) },
    resolve: (_root, { input }, ctx) => {
      const content = text(input.content, 'content', LIMITS.answer);
      const sessionId = input.sessionId == null ? undefined : parseId(input.sessionId, 'InterviewSession', 'sessionId');
      if (input.questionId != null) {
        return interviews.answer(
          ctx.viewer!.userId,
          { questionId: parseId(input.questionId, 'SessionMessage', 'questionId'), sessionId },
          content,
        );
      }
      if (sessionId === undefined) throw badInput('Send questionId (the question answered)', 'questionId');
      return interviews.answer(ctx.viewer!.userId, { sessionId }, content);
    },
  }),
);

const SessionIdInput = builder.inputType('SessionIdInput', { fields: (t) => ({ sessionId: t.id() }) });

builder.mutationField('completeSession', (t) =>
  t.prismaField({
    type: InterviewSession,
    description: 'Ends an active session and adds feedback on the whole interview.',
    authScopes: { viewer: true },
    args: { input: t.arg({ type: SessionIdInput }) },
    resolve: async (query, _root, { input }, ctx) => {
      const sessionId = parseId(input.sessionId, 'InterviewSession', 'sessionId');
      const { written } = await interviews.complete(ctx.viewer!.userId, sessionId);
      // The session and its feedback as the completion's one statement saw them, when the
      // selection asks for nothing else (feedback is ordered as InterviewSession.feedback orders it).
      if (written && selectsOnly(query, ['feedback'])) return written;
      // Deleted since (a concurrent deleteSession): not found, like any missing session.
      return found(await db().interviewSession.findUnique({ ...query, where: { id: sessionId } }), 'InterviewSession');
    },
  }),
);

const DeleteSessionPayload = builder.objectRef<{ deletedSessionId: string }>('DeleteSessionPayload');
DeleteSessionPayload.implement({ fields: (t) => ({ deletedSessionId: t.exposeID('deletedSessionId') }) });

builder.mutationField('deleteSession', (t) =>
  t.field({
    type: DeleteSessionPayload,
    description: 'Deletes a session with its transcript, feedback and operations.',
    authScopes: { viewer: true },
    args: { input: t.arg({ type: SessionIdInput }) },
    resolve: async (_root, { input }, ctx) => {
      const sessionId = parseId(input.sessionId, 'InterviewSession', 'sessionId');
      await interviews.delete(ctx.viewer!.userId, sessionId);
      return { deletedSessionId: encodeGlobalId('InterviewSession', sessionId) };
    },
  }),
);
