// SessionMessage: one turn of the transcript, a question or an answer.
import { builder } from '../builder.js';

export const MessageRole = builder.enumType('MessageRole', {
  values: ['INTERVIEWER', 'CANDIDATE'] as const,
});

export const SessionMessage = builder.prismaNode('SessionMessage', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // Small columns always; `content` only when selected. Fields over always-selected columns read
  // the row directly: `expose` in select mode would look each one up in plugin-prisma's selection
  // map, row by row, which profiling showed to cost a tenth of a sessions-list request.
  select: { id: true, seq: true, role: true, createdAt: true },
  findUnique: (id, ctx) => ({ id, session: { userId: ctx.viewer?.userId ?? '' } }),
  fields: (t) => ({
    seq: t.int({ description: 'Position in the transcript, from 1.', resolve: (m) => m.seq }),
    role: t.field({ type: MessageRole, resolve: (m) => m.role }),
    content: t.exposeString('content'),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => m.createdAt }),
    feedback: t.relation('feedback', { nullable: true, description: 'Feedback on this answer; null for questions.' }),
  }),
});
