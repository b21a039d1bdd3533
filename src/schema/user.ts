// User: the viewer, their account and their API keys.
import { builder } from '../builder.js';
import { db } from '../db/client.js';
import { write } from '../idempotency/write.js';
import { conflict } from '../errors.js';
import { generateApiKey } from '../auth/api-keys.js';
import { insertAccount } from '../auth/key-statements.js';
import { LIMITS, email, text } from './validate.js';
import { NewApiKey } from './api-key.js';
import { isUniqueViolation } from '../db/errors.js';

/** How many of a user's API keys `User.apiKeys` lists (newest first). */
export const LISTED_API_KEYS = 50;

export const User = builder.prismaNode('User', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // No large column: every column is read and fields are plain property reads (see message.ts).
  // Only the viewer themself is reachable through `node`.
  findUnique: (id, ctx) => ({ id, AND: [{ id: ctx.viewer?.userId ?? '' }] }),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    apiKeys: t.relation('apiKeys', {
      description: `API keys of this user, newest first (including revoked ones): the newest ${LISTED_API_KEYS}.`,
      // Bounded: keys can be created (and revoked) without end, and every Viewer read would grow with them.
      query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: LISTED_API_KEYS },
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.prismaField({
    type: User,
    description: 'The user the API key belongs to.',
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) => db().user.findUniqueOrThrow({ ...query, where: { id: ctx.viewer!.userId } }),
  }),
);

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ description: `At most ${LIMITS.email} characters.` }),
    name: t.string({ description: `At most ${LIMITS.name} characters.` }),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: NewApiKey,
    description: 'Creates an account and its first API key. The key is in the answer and nowhere else.',
    authScopes: { public: true },
    args: { input: t.arg({ type: SignUpInput }) },
    resolve: async (_root, { input }) => {
      const address = email(input.email);
      const name = text(input.name, 'name', LIMITS.name);
      const secret = generateApiKey();
      try {
        let stored: Awaited<ReturnType<typeof insertAccount>> | undefined;
        const { id, apiKeyId } = await write(
          'signUp',
          async (tx) => {
            stored = await insertAccount(tx, { email: address, name, keyName: 'default', secret });
            return { id: stored.user.id, apiKeyId: stored.apiKey.id };
          },
          { transaction: false },
        );
        return { key: secret.key, apiKeyId, userId: id, written: stored };
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict('An account with this email already exists');
        throw error;
      }
    },
  }),
);
