// The floor under any graphql-yoga server answering Viewer: graphql-yoga with none of Cadence's
// plugins (no auth hashing, limits, tracing, metrics, cache, deadline), a schema of the Viewer
// operation's fields only, the viewer's id taken from an in-memory map of bearer keys, and one
// prepared `pg` statement (the user and its newest 50 keys). What Cadence spends
// above it is what its own pipeline costs; what it costs is what the stack fixes (issue 9).
import { createSchema, createYoga } from 'graphql-yoga';
import type pg from 'pg';

const TYPE_DEFS = /* GraphQL */ `
  type ApiKey { id: ID! name: String! prefix: String! createdAt: String! revoked: Boolean! }
  type User { id: ID! name: String! email: String! createdAt: String! apiKeys: [ApiKey!]! }
  type Query { viewer: User }
`;

// One round trip, like Cadence's compiled Viewer statement, but plain rows (one per key): no JSON
// or text formatting for PostgreSQL to do, the cheapest shape for it (measured: a json_agg with
// to_char cost it 0.03-0.05 ms more per request).
const VIEWER_SQL = `
  SELECT u.id, u.name, u.email, u.created_at, k.id AS key_id, k.name AS key_name, k.prefix,
         k.created_at AS key_created_at, k.revoked_at
  FROM users u
  LEFT JOIN LATERAL (
    SELECT id, name, prefix, created_at, revoked_at FROM api_keys
    WHERE user_id = u.id ORDER BY created_at DESC, id DESC LIMIT 50) k ON true
  WHERE u.id = $1`;

interface ViewerRow {
  id: string;
  name: string;
  email: string;
  created_at: Date;
  key_id: string | null;
  key_name: string;
  prefix: string;
  key_created_at: Date;
  revoked_at: Date | null;
}

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

/** A bare Yoga answering `query Viewer` for the users whose bearer keys `userIdByKey` maps. */
export function createFloorYoga(pool: pg.Pool, userIdByKey: ReadonlyMap<string, string>) {
  const schema = createSchema<{ request: Request }>({
    typeDefs: TYPE_DEFS,
    resolvers: {
      Query: {
        viewer: async (_root: unknown, _args: unknown, { request }: { request: Request }) => {
          const key = request.headers.get('authorization')?.slice('Bearer '.length) ?? '';
          const userId = userIdByKey.get(key);
          if (!userId) return null;
          const { rows } = await pool.query<ViewerRow>({ name: 'floor_viewer', text: VIEWER_SQL, values: [userId] });
          const row = rows[0];
          if (!row) return null;
          return {
            id: globalId('User', row.id),
            name: row.name,
            email: row.email,
            createdAt: row.created_at.toISOString(),
            apiKeys: rows
              .filter((k) => k.key_id !== null)
              .map((k) => ({
                id: globalId('ApiKey', k.key_id!),
                name: k.key_name,
                prefix: k.prefix,
                createdAt: k.key_created_at.toISOString(),
                revoked: k.revoked_at !== null,
              })),
          };
        },
      },
    },
  });
  return createYoga({ schema, logging: false, landingPage: false, graphiql: false, batching: false });
}
