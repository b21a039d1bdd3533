// The numbers behind every limit on a request, in one place (see ../shared/RELIABILITY.md, "Cadence
// defaults"). The plugins in src/plugins/use-*.ts enforce them; `npm run gates` reports against them.
import { MAX_PAGE_SIZE } from '../plugins/use-connection-args.js';

export const LIMITS = {
  /** Request body, bytes (src/plugins/use-body-limit.ts: Content-Length, or counted while a chunked body streams; 413 PAYLOAD_TOO_LARGE). */
  requestBodyBytes: 100_000,
  /** Characters of the document text, checked before the parser sees it. */
  documentCharacters: 10_000,
  /** Lexer tokens: the parser stops at the first token past the limit (graphql-js `maxTokens`). */
  tokens: 2_000,
  /** Nested selection sets, leaves included: `{ viewer { id } }` is depth 2. Fragments add none. */
  depth: 8,
  /** Field selections in the whole operation once fragments are expanded (duplicates count). */
  breadth: 200,
  aliases: 15,
  directives: 10,
  /** Root fields of one mutation document: each is a write, run one after another. */
  mutationRootFields: 3,
  /** Static cost of an operation (see src/policy/cost.ts for the model). */
  cost: 1_000,
  /** Nesting of the variables' JSON: the deepest input type is 3 levels; anything far deeper is refused before any recursive pass. */
  variableDepth: 32,
  /** Values (objects, arrays, scalars) in the variables' JSON. */
  variableValues: 20_000,
  /** `first`/`last` on every connection. */
  pageSize: MAX_PAGE_SIZE,
} as const;

/** Pothos' `defaultConnectionSize` (src/builder.ts): the page a connection returns without `first`/`last`. */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * The most items a plain (non-connection) list field returns, for the cost model. These lists are
 * not paginated because they are bounded by the domain: an interview asks INTERVIEW_LENGTH (5)
 * questions, so a session has at most 5 answer feedbacks plus 1 session feedback, and as many
 * operations. `nodes(ids:)` is sized by its argument instead.
 */
export const LIST_SIZES: Record<string, number> = {
  'InterviewSession.feedback': 6,
  'InterviewSession.operations': 6,
  // Not bounded by the domain; a user with more keys than this is unusual, and the estimate only
  // needs to be in the right order of magnitude.
  'User.apiKeys': 10,
};
/** For a list field not named above. */
export const DEFAULT_LIST_SIZE = 10;

/**
 * Leaf fields that cost a query of their own (a COUNT or an aggregate through a DataLoader), per
 * parent object. Every other scalar is free: it comes with its row.
 */
export const LEAF_COSTS: Record<string, number> = {
  'InterviewSession.messageCount': 1,
  'InterviewSession.averageScore': 1,
  'InterviewSessionMessagesConnection.totalCount': 1,
  'QuerySessionsConnection.totalCount': 1,
};

/** A mutation root field writes in a transaction: it costs this much on top of what it returns. */
export const MUTATION_FIELD_COST = 10;
