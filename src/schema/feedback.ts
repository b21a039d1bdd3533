// Feedback: a score with strengths and improvements, on one answer or on the whole session.
import { builder } from '../builder.js';

export const Feedback = builder.prismaNode('Feedback', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // No large column: every column is read and fields are plain property reads (see message.ts).
  findUnique: (id, ctx) => ({ id, session: { userId: ctx.viewer?.userId ?? '' } }),
  fields: (t) => ({
    score: t.exposeInt('score', { description: '0 to 100.' }),
    strengths: t.exposeStringList('strengths'),
    improvements: t.exposeStringList('improvements'),
    summary: t.exposeString('summary'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    scope: t.field({
      type: FeedbackScope,
      resolve: (feedback) => (feedback.messageId ? 'ANSWER' : 'SESSION'),
    }),
    message: t.relation('message', { nullable: true, description: 'The answer this is about; null for session feedback.' }),
  }),
});

const FeedbackScope = builder.enumType('FeedbackScope', { values: ['ANSWER', 'SESSION'] as const });
