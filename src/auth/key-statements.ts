// The SQL of the account and key writes, each one statement whose RETURNING is the mutation's
// payload (no read back). signUp was Prisma's nested create (BEGIN, two INSERTs, a SELECT, COMMIT)
// and two reads for its payload; createApiKey a transaction of five (BEGIN, lock, count, INSERT,
// COMMIT); revokeApiKey an UPDATE and a read. Each is atomic by itself; under an Idempotency-Key it
// runs inside the transaction that records the outcome (src/idempotency/write.ts).
import { randomUUID } from 'node:crypto';
import type { ApiKey, User } from '../../prisma/generated/client/client.js';
import type { Tx } from '../idempotency/write.js';
import type { NewApiKey } from './api-keys.js';

interface KeyRow {
  key_id: string;
  key_name: string;
  prefix: string;
  hash: string;
  key_created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function apiKeyOf(userId: string, row: KeyRow): ApiKey {
  return {
    id: row.key_id,
    userId,
    name: row.key_name,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.key_created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Inserts a user and its first key; a taken email raises PostgreSQL's unique violation (23505). */
export async function insertAccount(
  tx: Tx,
  a: { email: string; name: string; keyName: string; secret: NewApiKey },
): Promise<{ user: User; apiKey: ApiKey }> {
  const rows = await tx.$queryRaw<(KeyRow & { user_id: string; user_created_at: Date })[]>`/* signUp: write */
    WITH u AS (
      INSERT INTO users (id, email, name) VALUES (${randomUUID()}::uuid, ${a.email}::text, ${a.name}::text)
      RETURNING id, created_at
    ), k AS (
      INSERT INTO api_keys (id, user_id, name, prefix, hash)
      SELECT ${randomUUID()}::uuid, u.id, ${a.keyName}::text, ${a.secret.prefix}::text, ${a.secret.hash}::text FROM u
      RETURNING id, name, prefix, hash, created_at, last_used_at, revoked_at
    )
    SELECT u.id::text AS user_id, u.created_at AS user_created_at, k.id::text AS key_id, k.name AS key_name, k.prefix, k.hash,
      k.created_at AS key_created_at, k.last_used_at, k.revoked_at
    FROM u CROSS JOIN k`;
  const row = rows[0]!;
  return {
    user: { id: row.user_id, email: a.email, name: a.name, createdAt: row.user_created_at },
    apiKey: apiKeyOf(row.user_id, row),
  };
}

/**
 * Inserts a key for the user unless they already have `limit` unrevoked ones; returns the key, or
 * the live count that refused it. One call of `create_api_key` (migration
 * 20261204143000_create_api_key_function): it locks the user's row before counting, which one plain
 * statement cannot do (its snapshot predates the lock wait, so two at once could both pass the count).
 */
export async function insertApiKeyWithinLimit(
  tx: Tx,
  k: { userId: string; name: string; secret: NewApiKey; limit: number },
): Promise<{ apiKey: ApiKey } | { live: number }> {
  const rows = await tx.$queryRaw<(KeyRow & { live: number })[]>`/* createApiKey: write */
    SELECT key_id::text, key_name, prefix, hash, key_created_at, last_used_at, revoked_at, live
    FROM create_api_key(${k.userId}::uuid, ${randomUUID()}::uuid, ${k.name}::text, ${k.secret.prefix}::text, ${k.secret.hash}::text, ${k.limit}::int)`;
  const row = rows[0]!;
  return row.key_id === null ? { live: row.live } : { apiKey: apiKeyOf(k.userId, row) };
}

/**
 * Revokes the user's key (a revoked key keeps the time it was first revoked) and returns it, or
 * null when the user has no such key.
 */
export async function revokeKey(tx: Tx, r: { id: string; userId: string }): Promise<ApiKey | null> {
  const rows = await tx.$queryRaw<KeyRow[]>`/* revokeApiKey: write */
    UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
    WHERE id = ${r.id}::uuid AND user_id = ${r.userId}::uuid
    RETURNING id::text AS key_id, name AS key_name, prefix, hash, created_at AS key_created_at, last_used_at, revoked_at`;
  return rows[0] ? apiKeyOf(r.userId, rows[0]) : null;
}
