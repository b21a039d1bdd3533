// A mutation's payload from the rows its write stored (RETURNING), instead of reading them back.
// Only when the GraphQL selection asks for nothing beyond the model's own columns: a selection that
// reaches into relations (and a replay of an Idempotency-Key, which has no rows) reads by id with
// plugin-prisma's query as before.

/** The row written, if it answers this plugin-prisma query by itself. */
export const written = <T>(row: T | null | undefined, query: object): T | undefined => (row && !selectsRelations(query) ? row : undefined);

/** Whether a plugin-prisma query asks for more than the model's own columns. */
export function selectsRelations(query: object): boolean {
  const { include, select } = { ...query } as { include?: object; select?: Record<string, unknown> };
  if (include && Object.keys(include).length > 0) return true;
  return select !== undefined && Object.values(select).some((value) => value !== true);
}
