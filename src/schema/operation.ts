// Operation: the durable record of async work (producing feedback) and its progress.
import { builder } from '../builder.js';

export const OperationKind = builder.enumType('OperationKind', {
  values: ['ANSWER_FEEDBACK', 'SESSION_FEEDBACK'] as const,
});

export const OperationStatus = builder.enumType('OperationStatus', {
  values: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const,
});

export const Operation = builder.prismaNode('Operation', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // No large column: every column is read and fields are plain property reads (see message.ts).
  findUnique: (id, ctx) => ({ id, session: { userId: ctx.viewer?.userId ?? '' } }),
  fields: (t) => ({
    kind: t.expose('kind', { type: OperationKind }),
    status: t.expose('status', { type: OperationStatus }),
    attempts: t.exposeInt('attempts'),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});
