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

/**
 * Whether a plugin-prisma query asks only for the model's own columns and, of the relations in
 * `loaded`, only their own columns in their field's fixed order: then a row carrying those
 * relations' rows (as the write read them) answers it.
 */
export function selectsOnly(query: object, loaded: readonly string[]): boolean {
  const { include, select } = { ...query } as { include?: object; select?: Record<string, unknown> };
  if (include && Object.keys(include).length > 0) return false;
  if (select === undefined) return true;
  return Object.entries(select).every(([name, value]) => {
    if (value === true) return true;
    if (!loaded.includes(name) || typeof value !== 'object' || value === null) return false;
    const { select: nested, orderBy, ...rest } = value as { select?: Record<string, unknown>; orderBy?: unknown };
    return (
      Object.keys(rest).length === 0 && orderBy !== undefined && nested !== undefined && Object.values(nested).every((v) => v === true)
    );
  });
}
