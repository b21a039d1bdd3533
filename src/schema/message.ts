// SessionMessage: one turn of the transcript, a question or an answer.
import { builder } from '../builder.js';

export const MessageRole = builder.enumType('MessageRole', {
  values: ['INTERVIEWER', 'CANDIDATE'] as const,
});

export const SessionMessage = builder.prismaNode('SessionMessage', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  select: { id: true },
  findUnique: (id, ctx) => ({ id, session: { userId: ctx.viewer?.userId ?? '' } }),
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Position in the transcript, from 1.' }),
    role: t.expose('role', { type: MessageRole }),
    content: t.exposeString('content'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    feedback: t.relation('feedback', { nullable: true, description: 'Feedback on this answer; null for questions.' }),
  }),
});
