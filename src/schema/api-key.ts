// ApiKey: a user's keys (never the secret), creating and revoking them.
import { builder } from '../builder.js';
import { db } from '../db/client.js';
import { write } from '../idempotency/write.js';
import { appError, notFound } from '../errors.js';
import { generateApiKey } from '../auth/api-keys.js';
import { insertApiKeyWithinLimit, revokeKey } from '../auth/key-statements.js';
import type { ApiKey as ApiKeyRow, User as UserRow } from '../../prisma/generated/client/client.js';
import { parseId } from './ids.js';
import { LIMITS, text } from './validate.js';
import { written } from './written.js';

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

/**
 * A newly created key with its secret: the only time the secret is ever returned. `written` holds
 * the rows the write stored, which answer the payload without reading them back (absent on an
 * Idempotency-Key's replay, or for a user the write did not create).
 */
export interface NewApiKeyPayload {
  key: string;
  apiKeyId: string;
  userId: string;
  written?: { apiKey: ApiKeyRow; user?: UserRow };
}
export const NewApiKey = builder.objectRef<NewApiKeyPayload>('NewApiKey');
NewApiKey.implement({
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'The secret. Shown once; store it now. Send it as "Authorization: Bearer <key>".',
    }),
    apiKey: t.prismaField({
      type: ApiKey,
      resolve: async (query, parent) =>
        written(parent.written?.apiKey, query) ?? db().apiKey.findUniqueOrThrow({ ...query, where: { id: parent.apiKeyId } }),
    }),
    user: t.prismaField({
      type: 'User',
      resolve: async (query, parent) =>
        written(parent.written?.user, query) ?? db().user.findUniqueOrThrow({ ...query, where: { id: parent.userId } }),
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
      let stored: ApiKeyRow | undefined;
      const { id } = await write(
        'createApiKey',
        async (tx) => {
          const result = await insertApiKeyWithinLimit(tx, { userId, name, secret, limit: LIMITS.liveApiKeys });
          if ('live' in result) {
            throw appError('CONFLICT', `You have ${result.live} unrevoked API keys, the most allowed; revoke one to create another`, {
              extensions: { limit: LIMITS.liveApiKeys },
            });
          }
          stored = result.apiKey;
          return { id: result.apiKey.id };
        },
        { transaction: false },
      );
      return { key: secret.key, apiKeyId: id, userId, written: stored && { apiKey: stored } };
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
      const userId = ctx.viewer!.userId;
      let stored: ApiKeyRow | undefined;
      await write(
        'revokeApiKey',
        async (tx) => {
          stored = (await revokeKey(tx, { id, userId })) ?? undefined;
          // The outcome's shape as before this was one statement (records outlive a deploy).
          return { revoked: stored ? 1 : 0 };
        },
        { transaction: false },
      );
      // Not the viewer's key (or an Idempotency-Key's replay): the read says which.
      const key = written(stored, query) ?? (await db().apiKey.findFirst({ ...query, where: { id, userId } }));
      if (!key) throw notFound('ApiKey');
      await ctx.revokeCachedKey(id);
      return key;
    },
  }),
);
