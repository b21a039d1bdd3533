// 200 answers submitted through the API while no worker runs: every one is acknowledged at once
// with a pending operation; when workers start, exactly 200 feedback rows appear, never more than
// 5 generations at once (counted by the provider the workers share, not by timing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp, STAR_ANSWER } from '../support/fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { CountingProvider, until, worker } from './support.js';

let scratch: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  // A database of its own: the run's shared one has other suites' in-process workers.
  scratch = await createScratchDatabase('cadence_backlog');
  app = await startApp({ databaseUrl: scratch.url, env: { QUEUE_IN_SERVER: 'false' } });
});
afterAll(async () => {
  await app?.close();
  await scratch?.drop();
});

describe('a backlog built through the API', () => {
  it('acknowledges 200 answers with no worker, then generates exactly 200 feedback rows, at most 5 at once', async () => {
    const { key } = await signUp(app);
    const acknowledged: string[] = [];
    for (let s = 0; s < 40; s++) {
      let { questionId } = await createSession(app, key);
      for (let a = 0; a < 5 && questionId; a++) {
        const data: {
          submitAnswer: { answer: { id: string }; feedback: unknown; operation: { status: string }; nextQuestion: { id: string } | null };
        } = ok(
          await app.request(
            `mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { answer { id } feedback { id } operation { status } nextQuestion { id } } }`,
            { key, variables: { input: { questionId, content: `${STAR_ANSWER} (${s}-${a})` } } },
          ),
        );
        expect(data.submitAnswer.feedback).toBeNull();
        expect(data.submitAnswer.operation.status).toBe('PENDING');
        acknowledged.push(data.submitAnswer.answer.id);
        questionId = data.submitAnswer.nextQuestion?.id ?? null;
      }
    }
    expect(acknowledged).toHaveLength(200);
    expect(await app.prisma.feedback.count()).toBe(0);
    expect(await app.prisma.operation.count({ where: { status: 'PENDING', kind: 'ANSWER_FEEDBACK' } })).toBe(200);

    const provider = new CountingProvider(5);
    const workers = [worker({ scratch }, provider, {}, 'backlog-a'), worker({ scratch }, provider, {}, 'backlog-b')];
    for (const w of workers) w.start();
    await until(
      async () => (await app.prisma.operation.count({ where: { status: { in: ['PENDING', 'RUNNING'] } } })) === 0,
      'the backlog to drain',
      60_000,
    );
    await Promise.all(workers.map((w) => w.stop(1_000)));

    expect(provider.calls).toBe(200);
    expect(provider.peak).toBeLessThanOrEqual(5);
    const rows = await app.prisma.feedback.groupBy({ by: ['messageId'], _count: true });
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r._count === 1)).toBe(true);
    expect(await app.prisma.operation.count({ where: { status: 'SUCCEEDED' } })).toBe(200);
  });
});
