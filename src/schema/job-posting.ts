// JobPosting: the role a candidate practises for; its skills steer the interviewer's questions.
import { builder } from '../builder.js';
import { db } from '../db/client.js';
import { writeRow } from '../idempotency/write.js';
import { notFound } from '../errors.js';
import { parseId } from './ids.js';
import { LIMITS, text, textList } from './validate.js';

export const JobPosting = builder.prismaNode('JobPosting', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // Small columns always, read from the row; the description (large) only when selected.
  select: { id: true, title: true, company: true, skills: true, createdAt: true },
  findUnique: (id, ctx) => ({ id, userId: ctx.viewer?.userId ?? '' }),
  fields: (t) => ({
    title: t.string({ resolve: (p) => p.title }),
    company: t.string({ resolve: (p) => p.company }),
    description: t.exposeString('description'),
    skills: t.stringList({ resolve: (p) => p.skills }),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
  }),
});

builder.queryField('jobPostings', (t) =>
  t.prismaConnection({
    type: JobPosting,
    cursor: 'id',
    description: "The viewer's job postings, newest first.",
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) =>
      db().jobPosting.findMany({
        ...query,
        where: { userId: ctx.viewer!.userId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
  }),
);

builder.queryField('jobPosting', (t) =>
  t.prismaField({
    type: JobPosting,
    nullable: true,
    authScopes: { viewer: true },
    args: { id: t.arg.id() },
    resolve: async (query, _root, args, ctx) => {
      const id = parseId(args.id, 'JobPosting');
      const found = await db().jobPosting.findFirst({ ...query, where: { id, userId: ctx.viewer!.userId } });
      if (!found) throw notFound('JobPosting');
      return found;
    },
  }),
);

const CreateJobPostingInput = builder.inputType('CreateJobPostingInput', {
  fields: (t) => ({
    title: t.string({ description: `At most ${LIMITS.title} characters.` }),
    company: t.string({ description: `At most ${LIMITS.company} characters.` }),
    description: t.string({ description: `At most ${LIMITS.description} characters.` }),
    skills: t.stringList({
      description: `At most ${LIMITS.skills} skills of at most ${LIMITS.skill} characters; duplicates are dropped.`,
    }),
  }),
});

builder.mutationField('createJobPosting', (t) =>
  t.prismaField({
    type: JobPosting,
    authScopes: { viewer: true },
    args: { input: t.arg({ type: CreateJobPostingInput }) },
    resolve: (query, _root, { input }, ctx) => {
      const data = {
        userId: ctx.viewer!.userId,
        title: text(input.title, 'title', LIMITS.title),
        company: text(input.company, 'company', LIMITS.company),
        description: text(input.description, 'description', LIMITS.description),
        skills: textList(input.skills, 'skills', LIMITS.skills, LIMITS.skill),
      };
      return writeRow(
        'createJobPosting',
        (tx) => tx.jobPosting.create({ ...query, data }),
        (id) => db().jobPosting.findUnique({ ...query, where: { id } }),
      );
    },
  }),
);
