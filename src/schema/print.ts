// The schema as committed SDL: sorted, so that diffs of schema/schema.graphql show real changes.
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index.js';

export function renderSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
