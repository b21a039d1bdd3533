// Queue tests' own world: a scratch PostgreSQL database, sessions whose answers wait for feedback
// (PENDING operations, as submitAnswer leaves them), and providers that count, fail or stall.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { DeterministicProvider } from '../../src/coach/providers/deterministic.js';
import { ProviderError, type AnswerInput, type FeedbackProvider, type SessionInput } from '../../src/coach/providers/types.js';
import { openDatabase, useDatabase, type Database } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import { createFeedbackWorker } from '../../src/queue/start-worker.js';
import type { FeedbackProvider as Provider } from '../../src/coach/providers/types.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

export interface QueueWorld {
  scratch: ScratchDatabase;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

export async function openQueueWorld(env: Record<string, string> = {}): Promise<QueueWorld> {
  const scratch = await createScratchDatabase('cadence_queue');
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch.url, DB_POOL_SIZE: '12', ...env });
  const database = await openDatabase(config);
  useDatabase(database);
  return {
    scratch,
    database,
    config,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}

export const quietLog = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

export function worker(world: Pick<QueueWorld, 'scratch'>, provider: Provider, env: Record<string, string> = {}, workerId?: string) {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: world.scratch.url, QUEUE_BACKOFF_MS: '5', QUEUE_POLL_MS: '20', ...env });
  return createFeedbackWorker({ config, log: quietLog(), provider, workerId });
}

/** A user's session with `answers` answered questions whose feedback is still to be generated. */
export async function sessionWithPendingAnswers(database: Database, answers: number) {
  const prisma = database.prisma;
  const user = await prisma.user.create({ data: { email: `q-${randomUUID()}@example.test`, name: 'Queue' }, select: { id: true } });
  const posting = await prisma.jobPosting.create({
    data: { userId: user.id, title: 'Backend Engineer', company: 'Acme', description: 'PostgreSQL and GraphQL.', skills: ['SQL'] },
    select: { id: true },
  });
  const resume = await prisma.resume.create({ data: { userId: user.id, title: 'CV', content: 'Ten years.' }, select: { id: true } });
  const session = await prisma.interviewSession.create({
    data: { userId: user.id, jobPostingId: posting.id, resumeId: resume.id },
    select: { id: true },
  });
  const answerIds: string[] = [];
  for (let i = 0; i < answers; i++) {
    const answerId = randomUUID();
    await prisma.sessionMessage.createMany({
      data: [
        { sessionId: session.id, seq: 2 * i + 1, role: 'INTERVIEWER', content: `Question ${i + 1}: tell me about a hard bug.` },
        {
          id: answerId,
          sessionId: session.id,
          seq: 2 * i + 2,
          role: 'CANDIDATE',
          content: `Answer ${i + 1} (${answerId}): I profiled it and fixed the index.`,
        },
      ],
    });
    await prisma.operation.create({ data: { sessionId: session.id, messageId: answerId, kind: 'ANSWER_FEEDBACK' } });
    answerIds.push(answerId);
  }
  return { userId: user.id, sessionId: session.id, answerIds };
}

/** Counts generations in flight across every worker that shares it; each takes `delayMs`. */
export class CountingProvider implements FeedbackProvider {
  readonly id = 'counting';
  inFlight = 0;
  peak = 0;
  calls = 0;
  private readonly inner = new DeterministicProvider();

  constructor(private readonly delayMs = 5) {}

  async assessAnswer(input: AnswerInput) {
    return this.around(() => this.inner.assessAnswer(input));
  }

  async assessSession(input: SessionInput) {
    return this.around(() => this.inner.assessSession(input));
  }

  private async around<T>(fn: () => Promise<T>): Promise<T> {
    this.calls += 1;
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return await fn();
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** Fails its first `failures` calls, then answers like the deterministic coach. */
export class FlakyProvider implements FeedbackProvider {
  readonly id = 'flaky';
  calls = 0;
  private readonly inner = new DeterministicProvider();

  constructor(private readonly failures: number) {}

  async assessAnswer(input: AnswerInput) {
    this.calls += 1;
    if (this.calls <= this.failures) throw new ProviderError(`provider failure ${this.calls}`);
    return this.inner.assessAnswer(input);
  }

  async assessSession(input: SessionInput) {
    this.calls += 1;
    if (this.calls <= this.failures) throw new ProviderError(`provider failure ${this.calls}`);
    return this.inner.assessSession(input);
  }
}

/** Never answers until aborted. */
export class StallingProvider implements FeedbackProvider {
  readonly id = 'stalling';
  started = 0;

  assessAnswer(_input: AnswerInput, signal: AbortSignal) {
    return this.stall(signal);
  }

  assessSession(_input: SessionInput, signal: AbortSignal) {
    return this.stall(signal);
  }

  private stall(signal: AbortSignal): Promise<never> {
    this.started += 1;
    return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new ProviderError('generation cancelled'))));
  }
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
