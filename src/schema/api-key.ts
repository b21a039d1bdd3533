// ApiKey: a user's keys (never the secret), creating and revoking them.
import { builder } from '../builder.js';
import { db } from '../db/client.js';
import { write } from '../idempotency/write.js';
import { appError, notFound } from '../errors.js';
import { generateApiKey } from '../auth/api-keys.js';
import { parseId } from './ids.js';
import { LIMITS, text } from './validate.js';

export const ApiKey = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  // A missing or foreign id resolves `node` to null rather than failing the request.
  nullable: true,
  // No large column: every column is read and fields are plain property reads (see message.ts).
  findUnique: (id, ctx) => ({ id, userId: ctx.viewer?.userId ?? '' }),
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, to tell keys apart.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    revoked: t.boolean({ resolve: (key) => key.revokedAt !== null }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({ name: t.string({ description: `At most ${LIMITS.apiKeyName} characters.` }) }),
});

/** A newly created key with its secret: the only time the secret is ever returned. */
export const NewApiKey = builder.objectRef<{ key: string; apiKeyId: string; userId: string }>('NewApiKey');
NewApiKey.implement({
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'The secret. Shown once; store it now. Send it as "Authorization: Bearer <key>".',
    }),
    apiKey: t.prismaField({
      type: ApiKey,
      resolve: (query, parent) => db().apiKey.findUniqueOrThrow({ ...query, where: { id: parent.apiKeyId } }),
    }),
    user: t.prismaField({
      type: 'User',
      resolve: (query, parent) => db().user.findUniqueOrThrow({ ...query, where: { id: parent.userId } }),
    }),
  }),
});

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: NewApiKey,
    description: `Creates another API key for the viewer. The secret is in the answer and nowhere else. At most ${LIMITS.liveApiKeys} unrevoked keys per user: past that the answer is CONFLICT; revoke one first.`,
    authScopes: { viewer: true },
    args: { input: t.arg({ type: CreateApiKeyInput }) },
    resolve: async (_root, { input }, ctx) => {
      const userId = ctx.viewer!.userId;
      const name = text(input.name, 'name', LIMITS.apiKeyName);
      const secret = generateApiKey();
      const key = await write('createApiKey', async (tx) => {
        // Serialises this user's key creations, so two at once cannot both pass the count. NO KEY
        // UPDATE: rows that merely reference the user (postings, sessions) are not held up.
        await tx.$queryRaw`SELECT id FROM users WHERE id = ${userId}::uuid FOR NO KEY UPDATE`;
        const live = await tx.apiKey.count({ where: { userId, revokedAt: null } });
        if (live >= LIMITS.liveApiKeys) {
          throw appError('CONFLICT', `You have ${live} unrevoked API keys, the most allowed; revoke one to create another`, {
            extensions: { limit: LIMITS.liveApiKeys },
          });
        }
        return tx.apiKey.create({ data: { userId, name, prefix: secret.prefix, hash: secret.hash }, select: { id: true } });
      });
      return { key: secret.key, apiKeyId: key.id, userId };
    },
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.prismaField({
    type: ApiKey,
    description: "Revokes one of the viewer's keys at once (revoking the key in use is allowed). Idempotent.",
    authScopes: { viewer: true },
    args: { id: t.arg.id() },
    resolve: async (query, _root, args, ctx) => {
      const id = parseId(args.id, 'ApiKey');
      const where = { id, userId: ctx.viewer!.userId };
      await write(
        'revokeApiKey',
        async (tx) => {
          const { count } = await tx.apiKey.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: new Date() } });
          return { revoked: count };
        },
        { transaction: false },
      );
      const key = await db().apiKey.findFirst({ ...query, where });
      if (!key) throw notFound('ApiKey');
      await ctx.revokeCachedKey(id);
      return key;
    },
  }),
);
