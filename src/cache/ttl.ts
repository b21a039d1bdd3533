// How long the shared tier keeps an answer: the shortest TTL of the types it selects (DESIGN.md's
// table). Lists change with every write of their items, so any list or connection keeps 60 s.
import {
  getNamedType,
  isListType,
  getNullableType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { MAX_ENTRY_TTL_SECONDS } from './redis-tier.js';

export const TTL_SECONDS_BY_TYPE: Readonly<Record<string, number>> = {
  User: 600,
  ApiKey: 600,
  JobPosting: 3_600,
  Resume: 3_600,
  InterviewSession: 60,
  SessionMessage: 60,
  Feedback: 60,
  Operation: 60,
};
export const LIST_TTL_SECONDS = 60;

/** The TTL (seconds) of an answer to `document`: the minimum over the types and lists it selects. */
export function ttlOf(schema: GraphQLSchema, document: DocumentNode): number {
  let ttl = MAX_ENTRY_TTL_SECONDS;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const type = typeInfo.getType();
        if (!type) return;
        const named = getNamedType(type).name;
        if (isListType(getNullableType(type)) || named.endsWith('Connection')) ttl = Math.min(ttl, LIST_TTL_SECONDS);
        const byType = TTL_SECONDS_BY_TYPE[named];
        if (byType !== undefined) ttl = Math.min(ttl, byType);
      },
    }),
  );
  return ttl;
}
