// The world of the fault suite: a scratch database, a TCP proxy in front of PostgreSQL that the test
// owns, Cadence as a real child process talking to PostgreSQL only through the proxy, an admin
// connection straight to the database, and 20 clients sending writes (each with its own
// Idempotency-Key) and reads while a fault is injected.
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { freePort } from '../support/free-port.js';

export const DEADLINE_MS = 1_500;
export const ACQUIRE_TIMEOUT_MS = 500;
export const STATEMENT_TIMEOUT_MS = 800;
/** Beyond the longest a write can run (query_timeout = statement timeout + 2 s), so a retry never takes over a live write. */
export const IDEMPOTENCY_HOLD_MS = 4_000;
/** A correctness bound, not a benchmark: no answer may wait much past the deadline. */
export const MAX_RESPONSE_MS = DEADLINE_MS + 2_000;
export const CLIENTS = 20;

export interface Answer {
  status: number;
  retryAfter: string | null;
  replayed: boolean;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] };
  ms: number;
}

export interface Cadence {
  url: string;
  /** Log lines of level error or above (an unexpected error is a bug the suite reports). */
  errorLines: Record<string, unknown>[];
  /** Warnings (database faults among them), for diagnosing a failure. */
  warnLines: Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface FaultWorld {
  scratch: ScratchDatabase;
  proxy: TcpProxy;
  commits: CommitWatcher;
  cadence: Cadence;
  admin: pg.Client;
  clients: LoadClient[];
  close(): Promise<void>;
}

/** `node --import tsx src/main.ts` on a free port, through the proxy, with the suite's short limits. */
export async function startCadence(databaseUrl: string): Promise<Cadence> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      QUEUE_IN_SERVER: 'false',
      REQUEST_DEADLINE_MS: String(DEADLINE_MS),
      DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      IDEMPOTENCY_HOLD_MS: String(IDEMPOTENCY_HOLD_MS),
      // The suite's clients are refused hundreds of times on purpose; that is not abuse.
      ABUSE_MAX_REJECTIONS: '0',
      // Twenty clients on one key send far more than 20 requests per 10 s; the limits have their own tests.
      RATE_LIMIT_BURST: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      // Reads must reach the database to meet its faults.
      RESPONSE_CACHE_TTL_MS: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const errorLines: Record<string, unknown>[] = [];
  const warnLines: Record<string, unknown>[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      // src/log.ts writes the level as its label.
      const entry = JSON.parse(line) as { level?: string };
      if (entry.level === 'error' || entry.level === 'fatal') errorLines.push(entry);
      else if (entry.level === 'warn') warnLines.push(entry);
    }
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error('Cadence exited during start-up');
    if (Date.now() - started > 30_000) throw new Error('Cadence did not start within 30 s');
    const live = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    await sleep(100);
  }
  return {
    url,
    errorLines,
    warnLines,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([exit, sleep(12_000)]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One GraphQL POST, timed, never throwing: a client-side give-up (far past any bound) is status 0. */
export async function post(
  cadence: Cadence,
  query: string,
  variables: Record<string, unknown>,
  apiKey?: string,
  idempotencyKey?: string,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const started = performance.now();
  try {
    const response = await fetch(`${cadence.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let body: Answer['body'];
    try {
      body = JSON.parse(text) as Answer['body'];
    } catch {
      body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
    }
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      replayed: response.headers.get('idempotent-replayed') === 'true',
      body,
      ms: performance.now() - started,
    };
  } catch (error) {
    return {
      status: 0,
      retryAfter: null,
      replayed: false,
      body: { errors: [{ message: String(error) }] },
      ms: performance.now() - started,
    };
  }
}

export const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { key } }`;
export const POSTING = `mutation($input: CreateJobPostingInput!) { createJobPosting(input: $input) { id title } }`;
export const RESUME = `mutation($input: CreateResumeInput!) { createResume(input: $input) { id } }`;
export const SESSION = `mutation($input: CreateSessionInput!) { createSession(input: $input) { id messages(first: 1) { edges { node { id } } } } }`;
export const SUBMIT = `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id content } nextQuestion { id } } }`;
export const READ = `query { viewer { id } jobPostings(first: 5) { edges { node { id title } } } }`;

export const postingInput = (title: string) => ({ input: { title, company: 'Acme', description: 'Fault suite.', skills: ['SQL'] } });

/** A write the load sent: enough to send it again, byte for byte, with its key. */
export interface Write {
  kind: 'posting' | 'answer';
  apiKey: string;
  idempotencyKey: string;
  query: string;
  variables: Record<string, unknown>;
  /** The row's unique text: the posting's title or the answer's content. */
  marker: string;
  answer: Answer;
}

export interface LoadClient {
  apiKey: string;
  postingId: string;
  resumeId: string;
  questionId: string | null;
}

/** Signs up the clients and gives each a posting and a resume for its sessions (no fault yet). */
export async function prepareClients(cadence: Cadence, count: number): Promise<LoadClient[]> {
  // A cold server on a busy machine may miss the short deadline at first; setup simply tries again.
  const must = async (send: () => Promise<Answer>) => {
    for (let attempt = 1; ; attempt++) {
      const a = await send();
      if (a.status === 200 && !a.body.errors) return a.body.data as Record<string, { id?: string; key?: string }>;
      if (attempt === 5 || (a.status !== 503 && a.status !== 504)) throw new Error(`setup failed: ${a.status} ${JSON.stringify(a.body)}`);
    }
  };
  const clients: LoadClient[] = [];
  for (let i = 0; i < count; i++) {
    const signUp = () => post(cadence, SIGN_UP, { input: { email: `fault-${i}-${randomUUID()}@example.test`, name: `Client ${i}` } });
    const apiKey = (await must(signUp)).signUp!.key!;
    const postingId = (await must(() => post(cadence, POSTING, postingInput(`setup-${i}`), apiKey))).createJobPosting!.id!;
    const resumeId = (await must(() => post(cadence, RESUME, { input: { title: 'CV', content: 'Backend work.' } }, apiKey))).createResume!
      .id!;
    clients.push({ apiKey, postingId, resumeId, questionId: null });
  }
  return clients;
}

export interface LoadResult {
  /** Every answer the load got, by kind. */
  answers: { kind: 'posting' | 'answer' | 'session' | 'read'; answer: Answer }[];
  writes: Write[];
}

/**
 * Runs the clients until `stop` resolves. Each round: a createJobPosting and a submitAnswer (or a
 * createSession when the client has no open question), each with a fresh Idempotency-Key, and a
 * read. A client whose answer failed leaves that session (its question may have been answered) and
 * starts another; the failed answer is retried after the fault, with its key.
 */
export async function runLoad(cadence: Cadence, clients: LoadClient[], label: string, stop: Promise<void>): Promise<LoadResult> {
  let stopping = false;
  void stop.then(() => (stopping = true));
  const result: LoadResult = { answers: [], writes: [] };
  let n = 0;
  await Promise.all(
    clients.map(async (client, c) => {
      while (!stopping) {
        const round = `${label}-${c}-${n++}`;
        const posting: Write = {
          kind: 'posting',
          apiKey: client.apiKey,
          idempotencyKey: `p-${round}`,
          query: POSTING,
          variables: postingInput(round),
          marker: round,
          answer: undefined as unknown as Answer,
        };
        posting.answer = await post(cadence, posting.query, posting.variables, client.apiKey, posting.idempotencyKey);
        result.writes.push(posting);
        result.answers.push({ kind: 'posting', answer: posting.answer });

        if (client.questionId) {
          const content = `answer ${round}`;
          const write: Write = {
            kind: 'answer',
            apiKey: client.apiKey,
            idempotencyKey: `a-${round}`,
            query: SUBMIT,
            variables: { input: { questionId: client.questionId, content } },
            marker: content,
            answer: undefined as unknown as Answer,
          };
          write.answer = await post(cadence, write.query, write.variables, client.apiKey, write.idempotencyKey);
          result.writes.push(write);
          result.answers.push({ kind: 'answer', answer: write.answer });
          const next = (write.answer.body.data?.submitAnswer as { nextQuestion?: { id: string } | null } | undefined)?.nextQuestion;
          client.questionId = write.answer.status === 200 ? (next?.id ?? null) : null;
        } else {
          const session = await post(
            cadence,
            SESSION,
            { input: { jobPostingId: client.postingId, resumeId: client.resumeId } },
            client.apiKey,
            `s-${round}`,
          );
          result.answers.push({ kind: 'session', answer: session });
          const created = session.body.data?.createSession as { messages: { edges: { node: { id: string } }[] } } | undefined;
          if (session.status === 200) client.questionId = created?.messages.edges[0]?.node.id ?? null;
        }

        result.answers.push({ kind: 'read', answer: await post(cadence, READ, {}, client.apiKey) });
      }
    }),
  );
  return result;
}

/** What is wrong with an answer under a fault; undefined when it is one of the allowed three. */
export function misfit(answer: Answer): string | undefined {
  const code = answer.body.errors?.[0]?.extensions?.code;
  const codes = new Set((answer.body.errors ?? []).map((e) => e.extensions?.code));
  if (answer.ms >= MAX_RESPONSE_MS) return `took ${Math.round(answer.ms)} ms`;
  switch (answer.status) {
    case 200:
      return answer.body.errors ? `200 with errors ${JSON.stringify(answer.body.errors)}` : undefined;
    case 503:
      if (!answer.retryAfter) return '503 without Retry-After';
      return code === 'SERVICE_UNAVAILABLE' && codes.size === 1 ? undefined : `503 with codes ${[...codes].join(',')}`;
    case 504:
      return code === 'TIMEOUT' && codes.size === 1 ? undefined : `504 with codes ${[...codes].join(',')}`;
    default:
      return `status ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`;
  }
}

/** Polls a write and a read until both succeed (up to 15 s); the server is never restarted. */
export async function recovered(cadence: Cadence, client: LoadClient, label: string): Promise<number> {
  const started = Date.now();
  for (let i = 0; Date.now() - started < 15_000; i++) {
    const write = await post(cadence, POSTING, postingInput(`probe-${label}-${i}`), client.apiKey);
    const read = await post(cadence, READ, {}, client.apiKey);
    if (write.status === 200 && !write.body.errors && read.status === 200 && !read.body.errors) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`Cadence did not recover within 15 s after ${label}`);
}

/**
 * Sends every failed write again with its key and body until it answers 200: a replay of an
 * attempt that had committed, or the first execution. CONFLICT "in use" (an attempt still holds
 * the key) and 503/504 are waited out, as a client would. Returns the number of retries.
 */
export async function retryFailures(cadence: Cadence, writes: Write[]): Promise<{ retries: number; replayed: number; inUse: number }> {
  const failed = writes.filter((w) => w.answer.status !== 200);
  let retries = 0;
  let replayed = 0;
  let inUse = 0;
  await Promise.all(
    failed.map(async (write) => {
      const started = Date.now();
      for (;;) {
        retries += 1;
        const answer = await post(cadence, write.query, write.variables, write.apiKey, write.idempotencyKey);
        if (answer.status === 200 && !answer.body.errors) {
          if (answer.replayed) replayed += 1;
          return;
        }
        const reason = answer.body.errors?.[0]?.extensions?.reason;
        const waitable = (answer.status === 409 && reason === 'IDEMPOTENCY_KEY_IN_USE') || answer.status === 503 || answer.status === 504;
        if (!waitable || Date.now() - started > IDEMPOTENCY_HOLD_MS + 10_000) {
          const logged = JSON.stringify(cadence.errorLines.slice(-2)).slice(0, 3_000);
          throw new Error(
            `retry of ${write.kind} ${write.marker} answered ${answer.status} ${JSON.stringify(answer.body)}; server errors: ${logged}`,
          );
        }
        if (answer.status === 409) inUse += 1;
        await sleep(Number(answer.retryAfter ?? '1') * 1_000 * (0.5 + Math.random() / 2));
      }
    }),
  );
  return { retries, replayed, inUse };
}

/** Rows per marker, straight from the database (postings by title, answers by content). */
export async function rowsByMarker(
  admin: pg.Client,
  label: string,
): Promise<{ postings: Map<string, number>; answers: Map<string, number> }> {
  const postings = await admin.query<{ marker: string; n: string }>(
    `SELECT title AS marker, count(*) AS n FROM job_postings WHERE title LIKE $1 GROUP BY title`,
    [`${label}-%`],
  );
  const answers = await admin.query<{ marker: string; n: string }>(
    `SELECT content AS marker, count(*) AS n FROM session_messages WHERE role = 'CANDIDATE' AND content LIKE $1 GROUP BY content`,
    [`answer ${label}-%`],
  );
  const toMap = (rows: { marker: string; n: string }[]) => new Map(rows.map((r) => [r.marker, Number(r.n)]));
  return { postings: toMap(postings.rows), answers: toMap(answers.rows) };
}

/**
 * Recognises, in PostgreSQL's wire protocol as Cadence sends it, the COMMIT of a transaction that
 * wrote one of the load's rows (a Bind carrying a posting's title or an answer's content). COMMIT
 * and ROLLBACK are known by text (simple query or Parse) or, once prepared under a name
 * (src/db/client.ts names statements), by a Bind of that name; so it watches all traffic from the
 * start. It matches only while armed, at most `limit` times.
 */
type Verb = 'BEGIN' | 'COMMIT' | 'ROLLBACK';

export class CommitWatcher {
  private names: Record<Verb, Set<string>> = { BEGIN: new Set(), COMMIT: new Set(), ROLLBACK: new Set() };
  private inTransaction = new WeakSet<object>();
  private wrote = new WeakSet<object>();
  private armed = 0;
  private marker: RegExp | undefined;
  matched = 0;

  readonly match = (chunk: Buffer, connection: object): boolean => {
    const text = chunk.toString('latin1');
    for (const m of text.matchAll(/(cadence_\d+)\0(BEGIN|COMMIT|ROLLBACK)\0/g)) this.names[m[2] as Verb].add(m[1]!);
    const has = (verb: Verb) => text.includes(`\0${verb}\0`) || [...this.names[verb]].some((name) => text.includes(`\0${name}\0`));
    if (has('BEGIN')) this.inTransaction.add(connection);
    // Only inside a transaction: the answer stored for the key after it (no transaction) holds the marker too.
    if (this.inTransaction.has(connection) && this.marker?.test(text)) this.wrote.add(connection);
    if (has('ROLLBACK')) {
      this.wrote.delete(connection);
      this.inTransaction.delete(connection);
    }
    if (!has('COMMIT')) return false;
    this.inTransaction.delete(connection);
    const hit = this.armed > 0 && this.wrote.has(connection);
    this.wrote.delete(connection);
    if (hit) {
      this.armed -= 1;
      this.matched += 1;
    }
    return hit;
  };

  /** Loses the answers to the next `limit` COMMITs of writes of this load (label). */
  arm(label: string, limit: number): void {
    // A title "<label>-c-n" or content "answer <label>-c-n"; not an Idempotency-Key "p-<label>-c-n".
    this.marker = new RegExp(`(^|[^-])${label}-\\d+-\\d+`);
    this.armed = limit;
  }

  disarm(): void {
    this.armed = 0;
    this.marker = undefined;
  }
}

export async function openFaultWorld(): Promise<FaultWorld> {
  const scratch = await createScratchDatabase('cadence_faults');
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  const commits = new CommitWatcher();
  proxy.loseAnswers(commits.match);
  const viaProxy = new URL(scratch.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const admin = new pg.Client({ connectionString: scratch.url, application_name: 'fault-suite-admin' });
  await admin.connect();
  let cadence: Cadence | undefined;
  try {
    cadence = await startCadence(viaProxy.toString());
    const clients = await prepareClients(cadence, CLIENTS);
    return {
      scratch,
      proxy,
      commits,
      cadence,
      admin,
      clients,
      async close() {
        await cadence?.stop();
        await proxy.close();
        await admin.end();
        await scratch.drop();
      },
    };
  } catch (error) {
    await cadence?.stop();
    await proxy.close();
    await admin.end();
    await scratch.drop();
    throw error;
  }
}
