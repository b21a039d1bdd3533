// Feedback: a score with strengths and improvements, on one answer or on the whole session.
import { builder } from '../builder.js';

export const Feedback = builder.prismaNode('Feedback', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // Small columns always, read from the row; the text and the lists only when selected (a
  // sessions list shows scores and summaries, and reading every list of every feedback row cost
  // measurable CPU in the benchmark's JSON decoding).
  select: { id: true, score: true, createdAt: true, messageId: true },
  findUnique: (id, ctx) => ({ id, session: { userId: ctx.viewer?.userId ?? '' } }),
  fields: (t) => ({
    score: t.int({ description: '0 to 100.', resolve: (f) => f.score }),
    strengths: t.exposeStringList('strengths'),
    improvements: t.exposeStringList('improvements'),
    summary: t.exposeString('summary'),
    createdAt: t.field({ type: 'DateTime', resolve: (f) => f.createdAt }),
    scope: t.field({
      type: FeedbackScope,
      resolve: (feedback) => (feedback.messageId ? 'ANSWER' : 'SESSION'),
    }),
    message: t.relation('message', { nullable: true, description: 'The answer this is about; null for session feedback.' }),
  }),
});

const FeedbackScope = builder.enumType('FeedbackScope', { values: ['ANSWER', 'SESSION'] as const });
