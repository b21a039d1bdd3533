// The CI gates: every operation in schema/operations/ is run once, by persisted id, against a seeded
// database, and must stay within its budget (src/policy/budgets.ts) for static cost and SQL
// statements, and within the global depth and cost limits. Used by `npm run gates` (embedded
// PGlite) and test/policy/gates.test.ts (the test project's database).
import { readdirSync, readFileSync } from 'node:fs';
import { getOperationAST, parse } from 'graphql';
import * as documents from '../../schema/generated/graphql.js';
import { onSql } from '../db/client.js';
import { publishSessionEvent } from '../events/session-events.js';
import { decodeGlobalId } from '../schema/ids.js';
import { OPERATION_BUDGETS, type OperationBudget } from './budgets.js';
import { LIMITS } from './limits.js';
import { measureOperation } from './cost.js';
import { callOperation, mustCall, operationName, persistedId, type Operation, type Transport } from './operations.js';

const OPERATIONS_DIR = new URL('../../schema/operations/', import.meta.url);

/** AUTH_CACHE_TTL_MS for a gate run: the seeded key stays warm however slow the machine is. */
export const GATE_ENV_TTL_MS = 3_600_000;

export interface GateRow {
  operation: string;
  type: 'query' | 'mutation' | 'subscription' | '?';
  cost: number | null;
  costBudget: number | null;
  depth: number | null;
  sql: number | null;
  sqlBudget: number | null;
  /** Empty when the operation passes. */
  failures: string[];
}

/** What the seeding leaves for the scenarios. */
export interface World {
  transport: Transport;
  key: string;
  postingId: string;
  resumeId: string;
  /** Five answers and completed: the richest detail page. */
  completedSessionId: string;
}

type Scenario = (world: World) => Promise<{ variables: Record<string, unknown>; key: string | null }>;

const ANSWER =
  'In my last role the checkout API timed out under load (situation). I owned the fix (task). I profiled ' +
  'the PostgreSQL queries, added a covering index and batched resolvers with DataLoader (action). p95 fell ' +
  'from 900 ms to 120 ms (result).';

let unique = 0;
const uniqueEmail = () => `gate-${process.pid}-${Date.now()}-${unique++}@example.test`;

async function newSession(world: World): Promise<string> {
  return (await newInterview(world)).sessionId;
}

/** A new session and its first question, the one an answer names. */
async function newInterview(world: World): Promise<{ sessionId: string; questionId: string }> {
  const data = await mustCall(
    world.transport,
    documents.CreateSessionDocument,
    { input: { jobPostingId: world.postingId, resumeId: world.resumeId } },
    { key: world.key },
  );
  const question = data.createSession.messages.edges[0]?.node;
  if (!question) throw new Error('CreateSession: the session has no first question');
  return { sessionId: data.createSession.id, questionId: question.id };
}

/** Answers `count` questions in turn, each answer naming its question; returns the last next question. */
async function answerQuestions(world: World, questionId: string, count: number): Promise<string | null> {
  let open: string | null = questionId;
  for (let a = 0; a < count && open; a++) {
    const answered: documents.SubmitAnswerMutation = await mustCall(
      world.transport,
      documents.SubmitAnswerDocument,
      { input: { questionId: open, content: ANSWER } },
      { key: world.key },
    );
    const next: string | null = answered.submitAnswer.nextQuestion?.id ?? null;
    open = next;
  }
  return open;
}

/** How each operation is called: its variables (and any setup it needs, which is not measured). */
export const SCENARIOS: Record<string, Scenario> = {
  Viewer: async (w) => ({ variables: {}, key: w.key }),
  SessionsList: async (w) => ({ variables: {}, key: w.key }),
  SessionDetail: async (w) => ({ variables: { id: w.completedSessionId }, key: w.key }),
  SessionFeedback: async (w) => ({ variables: { id: w.completedSessionId }, key: w.key }),
  SessionMessages: async (w) => ({ variables: { id: w.completedSessionId }, key: w.key }),
  JobPostings: async (w) => ({ variables: {}, key: w.key }),
  Resumes: async (w) => ({ variables: {}, key: w.key }),
  SignUp: async () => ({ variables: { input: { email: uniqueEmail(), name: 'Gate' } }, key: null }),
  // A new user for each key: one user may hold at most 100 unrevoked keys, and the latency gate
  // creates hundreds. The sign-up is setup, not measured, and so is a first request with the new
  // key: like every other scenario's, the key is then known to the key cache, not looked up.
  CreateApiKey: async (w) => {
    const owner = await mustCall(w.transport, documents.SignUpDocument, { input: { email: uniqueEmail(), name: 'Key Maker' } });
    await mustCall(w.transport, documents.ViewerDocument, {}, { key: owner.signUp.key });
    return { variables: { input: { name: 'gate key' } }, key: owner.signUp.key };
  },
  RevokeApiKey: async (w) => {
    const created = await mustCall(w.transport, documents.CreateApiKeyDocument, { input: { name: 'to revoke' } }, { key: w.key });
    return { variables: { id: created.createApiKey.apiKey.id }, key: w.key };
  },
  CreateJobPosting: async (w) => ({
    variables: {
      input: { title: 'Staff Engineer', company: 'Initech', description: 'Own the GraphQL platform.', skills: ['GraphQL', 'PostgreSQL'] },
    },
    key: w.key,
  }),
  CreateResume: async (w) => ({ variables: { input: { title: 'Resume', content: 'Twelve years of backend work.' } }, key: w.key }),
  CreateSession: async (w) => ({ variables: { input: { jobPostingId: w.postingId, resumeId: w.resumeId } }, key: w.key }),
  SubmitAnswer: async (w) => ({ variables: { input: { questionId: (await newInterview(w)).questionId, content: ANSWER } }, key: w.key }),
  CompleteSession: async (w) => {
    const { sessionId, questionId } = await newInterview(w);
    await answerQuestions(w, questionId, 1);
    return { variables: { input: { sessionId } }, key: w.key };
  },
  DeleteSession: async (w) => ({ variables: { input: { sessionId: await newSession(w) } }, key: w.key }),
  // Measured over SSE: the subscribe step (key, session check) and the delivery of one event.
  SessionEvents: async (w) => ({ variables: { sessionId: w.completedSessionId }, key: w.key }),
};

/**
 * A subscription's gate: opens it over SSE by persisted id, publishes one SessionCompleted event
 * for the subscribed session, reads the first delivered result and closes. The SQL counted is the
 * subscribe step and that one delivery; the cost is static (the HTTP cost extension is per request).
 */
async function measureSubscription(
  transport: Transport,
  operation: Operation<unknown, Record<string, unknown>>,
  variables: Record<string, unknown>,
  key: string | null,
  m: Measurement,
): Promise<void> {
  const viewer = await mustCall(transport, documents.ViewerDocument, {}, { key });
  const userId = decodeGlobalId(viewer.viewer.id).id;
  const sessionId = decodeGlobalId(String(variables.sessionId)).id;
  const controller = new AbortController();
  let statements = 0;
  const stop = onSql((event) => {
    if (!event.background) statements += 1;
  });
  try {
    const response = await transport.fetch('http://cadence.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ documentId: persistedId(operation as Operation<unknown, never>), operationName: m.operation, variables }),
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body) {
      m.problems.push(`subscribe failed: HTTP ${response.status}`);
      return;
    }
    // Yoga answers once the subscription is open, so the event cannot be published too early.
    publishSessionEvent({ type: 'SessionCompleted', sessionId, userId });
    const first = await firstSseData(response.body);
    const result = JSON.parse(first) as { errors?: unknown[] };
    if (result.errors?.length) m.problems.push(`event failed: ${JSON.stringify(result.errors)}`);
  } finally {
    stop();
    controller.abort();
  }
  m.sql = statements;
  const { schema } = await import('../schema/index.js');
  const measure = measureOperation(schema, operation, { operationName: m.operation, variables });
  m.cost = measure?.cost ?? null;
  m.depth = measure?.depth ?? null;
}

/** The `data:` of the first SSE message that has one. */
async function firstSseData(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended before any result');
      text += decoder.decode(value, { stream: true });
      const match = /^data: ?(.*)$/m.exec(text);
      if (match && text.includes('\n\n', match.index)) return match[1]!;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Sessions in the seeded list: more than one page of SessionsList (20), five of them completed. */
const SEEDED_SESSIONS = 25;
const COMPLETED_SESSIONS = 5;
const ANSWERS_PER_SESSION = 5;

/** A user with postings, resumes and sessions (some answered and completed), made through the API. */
export async function seedWorld(transport: Transport): Promise<World> {
  const signUp = await mustCall(transport, documents.SignUpDocument, { input: { email: uniqueEmail(), name: 'Gate Keeper' } });
  const key = signUp.signUp.key;
  const posting = await mustCall(
    transport,
    documents.CreateJobPostingDocument,
    {
      input: {
        title: 'Senior Backend Engineer',
        company: 'Acme',
        description: 'GraphQL APIs on PostgreSQL.',
        skills: ['TypeScript', 'PostgreSQL', 'GraphQL'],
      },
    },
    { key },
  );
  const resume = await mustCall(
    transport,
    documents.CreateResumeDocument,
    { input: { title: 'My resume', content: 'Ten years of backend work.' } },
    { key },
  );
  const world: World = { transport, key, postingId: posting.createJobPosting.id, resumeId: resume.createResume.id, completedSessionId: '' };
  const sessions: { sessionId: string; questionId: string }[] = [];
  for (let i = 0; i < SEEDED_SESSIONS; i++) sessions.push(await newInterview(world));
  for (const { sessionId, questionId } of sessions.slice(0, COMPLETED_SESSIONS)) {
    await answerQuestions(world, questionId, ANSWERS_PER_SESSION);
    await mustCall(transport, documents.CompleteSessionDocument, { input: { sessionId } }, { key });
  }
  world.completedSessionId = sessions[0]!.sessionId;
  return world;
}

/** Operation names defined in schema/operations/*.graphql, by file. */
export function operationFiles(): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of readdirSync(OPERATIONS_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const document = parse(readFileSync(new URL(file, OPERATIONS_DIR), 'utf8'));
    for (const definition of document.definitions) {
      if (definition.kind === 'OperationDefinition' && definition.name) names.set(definition.name.value, file);
    }
  }
  return names;
}

/** The typed documents codegen generated, by operation name. */
export function typedDocuments(): Map<string, Operation<unknown, Record<string, unknown>>> {
  const found = new Map<string, Operation<unknown, Record<string, unknown>>>();
  for (const [exportName, value] of Object.entries(documents)) {
    if (!exportName.endsWith('Document') || typeof value !== 'object' || value === null || !('kind' in value)) continue;
    const operation = value as Operation<unknown, Record<string, unknown>>;
    found.set(operationName(operation as Operation<unknown, never>), operation);
  }
  return found;
}

/** One operation run once: what it cost, how deep it went, how many SQL statements it caused. */
export interface Measurement {
  operation: string;
  type: GateRow['type'];
  cost: number | null;
  depth: number | null;
  sql: number | null;
  /** Why it could not be measured, or why the request failed. */
  problems: string[];
}

/** Seeds a user, then runs every operation of schema/operations once, by persisted id. */
export async function measureOperations(transport: Transport): Promise<Measurement[]> {
  const typed = typedDocuments();
  const world = await seedWorld(transport);
  const measurements: Measurement[] = [];
  for (const name of [...operationFiles().keys()].sort()) {
    const m: Measurement = { operation: name, type: '?', cost: null, depth: null, sql: null, problems: [] };
    measurements.push(m);
    const operation = typed.get(name);
    const scenario = SCENARIOS[name];
    if (!operation) {
      m.problems.push('no typed document: run `npm run codegen`');
      continue;
    }
    if (!scenario) {
      m.problems.push('no scenario in src/policy/gates.ts');
      continue;
    }
    const { variables, key } = await scenario(world);
    if (getOperationAST(operation)?.operation === 'subscription') {
      m.type = 'subscription';
      await measureSubscription(world.transport, operation, variables, key, m);
      continue;
    }
    let statements = 0;
    const stop = onSql((event) => {
      if (!event.background) statements += 1;
    });
    let response: Awaited<ReturnType<typeof callOperation>>;
    try {
      response = await callOperation(transport, operation, variables, { key, headers: { 'x-cadence-cost': '1' } });
    } finally {
      stop();
    }
    const definition = operation.definitions[0];
    m.type = definition?.kind === 'OperationDefinition' ? definition.operation : '?';
    m.sql = statements;
    const cost = response.body.extensions?.cost as { requested?: number; depth?: number } | undefined;
    m.cost = cost?.requested ?? null;
    m.depth = cost?.depth ?? null;
    if (response.status !== 200 || response.body.errors?.length) {
      m.problems.push(`request failed: HTTP ${response.status} ${JSON.stringify(response.body.errors ?? [])}`);
    }
    if (m.cost === null || m.depth === null) m.problems.push('no extensions.cost in the response');
  }
  return measurements;
}

/** Each measurement against its budget and the global limits; a budget without an operation fails too. */
export function judge(measurements: Measurement[], budgets: Record<string, OperationBudget> = OPERATION_BUDGETS): GateRow[] {
  const byName = new Map(measurements.map((m) => [m.operation, m]));
  const names = [...new Set([...byName.keys(), ...Object.keys(budgets)])].sort();
  return names.map((name): GateRow => {
    const m = byName.get(name);
    const budget = budgets[name];
    const row: GateRow = {
      operation: name,
      type: m?.type ?? '?',
      cost: m?.cost ?? null,
      costBudget: budget?.cost ?? null,
      depth: m?.depth ?? null,
      sql: m?.sql ?? null,
      sqlBudget: budget?.sql ?? null,
      failures: [...(m?.problems ?? [])],
    };
    if (!m) row.failures.push('budget for an operation that is not in schema/operations');
    if (!budget) row.failures.push('no budget in src/policy/budgets.ts');
    if (row.cost !== null && row.cost > LIMITS.cost) row.failures.push(`cost ${row.cost} > limit ${LIMITS.cost}`);
    if (row.depth !== null && row.depth > LIMITS.depth) row.failures.push(`depth ${row.depth} > limit ${LIMITS.depth}`);
    if (budget && row.cost !== null && row.cost > budget.cost) row.failures.push(`cost ${row.cost} > budget ${budget.cost}`);
    if (budget && row.sql !== null && row.sql > budget.sql) row.failures.push(`SQL statements ${row.sql} > budget ${budget.sql}`);
    return row;
  });
}

export async function runGates(transport: Transport, budgets: Record<string, OperationBudget> = OPERATION_BUDGETS): Promise<GateRow[]> {
  return judge(await measureOperations(transport), budgets);
}

/** The gate table as Markdown (printed by `npm run gates`, kept in README). */
export function formatGateTable(rows: GateRow[]): string {
  const show = (value: number | null) => (value === null ? '–' : String(value));
  const lines = [
    `| operation | type | cost | cost budget | depth (≤ ${LIMITS.depth}) | SQL statements | SQL budget | gate |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.operation} | ${r.type} | ${show(r.cost)} | ${show(r.costBudget)} | ${show(r.depth)} | ${show(r.sql)} | ${show(r.sqlBudget)} | ${r.failures.length ? 'FAIL' : 'pass'} |`,
    ),
  ];
  return lines.join('\n');
}
