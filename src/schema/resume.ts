// Resume: what the candidate brings to the interview.
import { builder } from '../builder.js';
import { db } from '../db/client.js';
import { writeRow } from '../idempotency/write.js';
import { notFound } from '../errors.js';
import { parseId } from './ids.js';
import { LIMITS, text } from './validate.js';

export const Resume = builder.prismaNode('Resume', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // Small columns always, read from the row; the content (large) only when selected.
  select: { id: true, title: true, createdAt: true },
  findUnique: (id, ctx) => ({ id, userId: ctx.viewer?.userId ?? '' }),
  fields: (t) => ({
    title: t.string({ resolve: (r) => r.title }),
    content: t.exposeString('content'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
});

builder.queryField('resumes', (t) =>
  t.prismaConnection({
    type: Resume,
    cursor: 'id',
    description: "The viewer's resumes, newest first.",
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) =>
      db().resume.findMany({
        ...query,
        where: { userId: ctx.viewer!.userId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
  }),
);

builder.queryField('resume', (t) =>
  t.prismaField({
    type: Resume,
    nullable: true,
    authScopes: { viewer: true },
    args: { id: t.arg.id() },
    resolve: async (query, _root, args, ctx) => {
      const id = parseId(args.id, 'Resume');
      const found = await db().resume.findFirst({ ...query, where: { id, userId: ctx.viewer!.userId } });
      if (!found) throw notFound('Resume');
      return found;
    },
  }),
);

const CreateResumeInput = builder.inputType('CreateResumeInput', {
  fields: (t) => ({
    title: t.string({ description: `At most ${LIMITS.title} characters.` }),
    content: t.string({ description: `At most ${LIMITS.resumeContent} characters.` }),
  }),
});

builder.mutationField('createResume', (t) =>
  t.prismaField({
    type: Resume,
    authScopes: { viewer: true },
    args: { input: t.arg({ type: CreateResumeInput }) },
    resolve: (query, _root, { input }, ctx) => {
      const data = {
        userId: ctx.viewer!.userId,
        title: text(input.title, 'title', LIMITS.title),
        content: text(input.content, 'content', LIMITS.resumeContent),
      };
      return writeRow(
        'createResume',
        (tx) => tx.resume.create({ ...query, data }),
        (id) => db().resume.findUnique({ ...query, where: { id } }),
      );
    },
  }),
);
