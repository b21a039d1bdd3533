// Requests Cadence must refuse before execution (no key needed, no SQL), with the status and code
// each gets. The hostile-input suite asserts every one; the flood benchmark sends them to measure
// what rejecting costs and whether it slows normal traffic.
import { LIMITS } from './limits.js';

export interface RejectedSample {
  name: string;
  /** Why the request is refused. */
  description: string;
  /** A JSON POST body for /graphql. */
  body: string;
  status: number;
  code: string;
}

const json = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const repeat = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join(' ');

/** Feedback → message → feedback … nests without end in the schema; this goes `levels` fields deep. */
export function deepQuery(levels: number): string {
  // session(1) messages(2) edges(3) node(4), then feedback/message pairs, then a leaf.
  let inner = 'id';
  for (let depth = 5; depth < levels; depth++) inner = `${depth % 2 === 1 ? 'feedback' : 'message'} { ${inner} }`;
  return `query Deep { session(id: "x") { messages(first: 1) { edges { node { ${inner} } } } } }`;
}

/** `levels` fragments, each spreading the one before twice: 2^levels fields once expanded. */
export function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on User { id name }'];
  for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on User { ...F${i - 1} ...F${i - 1} }`);
  return `query Bomb { viewer { ...F${levels} } } ${fragments.join(' ')}`;
}

export const REJECTED_SAMPLES: readonly RejectedSample[] = [
  {
    name: 'deep',
    description: `nested ${LIMITS.depth + 4} fields deep (limit ${LIMITS.depth})`,
    body: json(deepQuery(LIMITS.depth + 4)),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'aliased',
    description: `${LIMITS.aliases * 7} aliases of one field (limit ${LIMITS.aliases})`,
    body: json(`query Aliased { viewer { ${repeat(LIMITS.aliases * 7, (i) => `a${i}: name`)} } }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'oversized',
    description: `a ${LIMITS.requestBodyBytes * 1.5}-byte body (limit ${LIMITS.requestBodyBytes})`,
    body: json(`{ viewer { id } } #${'x'.repeat(LIMITS.requestBodyBytes * 1.5)}`),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'long document',
    description: `a document of ${LIMITS.documentCharacters * 2} characters (limit ${LIMITS.documentCharacters})`,
    body: json(`{ viewer { id } } #${'x'.repeat(LIMITS.documentCharacters * 2)}`),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'many tokens',
    description: `${LIMITS.tokens + 500} tokens (limit ${LIMITS.tokens})`,
    body: json(`{ viewer { ${'id '.repeat(LIMITS.tokens + 500)}} }`),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'costly',
    description: `100 sessions × 100 messages: cost 10,101 (limit ${LIMITS.cost})`,
    body: json('query Costly { sessions(first: 100) { edges { node { messages(first: 100) { edges { node { id content } } } } } } }'),
    status: 400,
    code: 'COST_LIMIT_EXCEEDED',
  },
  {
    name: 'fragment bomb',
    description: `fragments doubling 40 times: 2^40 fields once expanded (limit ${LIMITS.breadth})`,
    body: json(fragmentBomb(40)),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'directives',
    description: `${LIMITS.directives * 3} directives (limit ${LIMITS.directives})`,
    body: json(`query Directives { viewer { ${repeat(LIMITS.directives * 3, () => 'id @include(if: true)')} } }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'huge page',
    description: `first: 10000 (limit ${LIMITS.pageSize})`,
    body: json('query HugePage($first: Int) { sessions(first: $first) { edges { node { id } } } }', { first: 10_000 }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
];
