// The feedback queue against a real PostgreSQL: the global cap, retries, the fallback, leases taken
// over from a dead worker, graceful stop, and events published only for what committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionEventBus, type SessionEvent } from '../../src/events/session-events.js';
import { OperationQueue } from '../../src/queue/operation-queue.js';
import {
  CountingProvider,
  FlakyProvider,
  StallingProvider,
  openQueueWorld,
  sessionWithPendingAnswers,
  until,
  worker,
  type QueueWorld,
} from './support.js';

let world: QueueWorld;
beforeAll(async () => {
  world = await openQueueWorld();
});
afterAll(async () => {
  await world?.close();
});

const prisma = () => world.database.prisma;
const pendingOrRunning = async () => prisma().operation.count({ where: { status: { in: ['PENDING', 'RUNNING'] } } });

describe('the feedback queue', () => {
  it('generates 200 queued answers with never more than 5 at once across two workers, one feedback row each', async () => {
    const sessions = await Promise.all(Array.from({ length: 20 }, () => sessionWithPendingAnswers(world.database, 10)));
    const answerIds = sessions.flatMap((s) => s.answerIds);
    expect(answerIds).toHaveLength(200);
    const provider = new CountingProvider(5);
    // Each worker alone would run up to 5; the cap is global, so together they still run 5.
    const a = worker(world, provider, { QUEUE_WORKER_CONCURRENCY: '5' }, 'a');
    const b = worker(world, provider, { QUEUE_WORKER_CONCURRENCY: '5' }, 'b');
    a.start();
    b.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the queue to drain', 60_000);
    await Promise.all([a.stop(1_000), b.stop(1_000)]);

    expect(provider.peak).toBeLessThanOrEqual(5);
    expect(provider.peak).toBeGreaterThan(1);
    expect(provider.calls).toBe(200);
    const feedback = await prisma().feedback.groupBy({ by: ['messageId'], where: { messageId: { in: answerIds } }, _count: true });
    expect(feedback).toHaveLength(200);
    expect(feedback.every((row) => row._count === 1)).toBe(true);
    const ops = await prisma().operation.findMany({ where: { messageId: { in: answerIds } } });
    expect(ops.every((op) => op.status === 'SUCCEEDED' && op.attempts === 1 && op.producedBy === 'counting')).toBe(true);
    expect(a.peakRunning + b.peakRunning).toBeGreaterThan(0);
  });

  it('records 3 attempts for a provider that fails twice, and stores one feedback row', async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 1);
    const w = worker(world, new FlakyProvider(2), { QUEUE_MAX_ATTEMPTS: '3' });
    w.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the job to finish');
    await w.stop(1_000);
    const op = await prisma().operation.findFirstOrThrow({ where: { messageId: answerIds[0] } });
    expect(op).toMatchObject({ status: 'SUCCEEDED', attempts: 3, error: null, producedBy: 'flaky' });
    expect(await prisma().feedback.count({ where: { messageId: answerIds[0] } })).toBe(1);
  });

  it('marks a job FAILED with its error after the last attempt, with the deterministic fallback applied', async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 1);
    const w = worker(world, new FlakyProvider(1_000), { QUEUE_MAX_ATTEMPTS: '2', QUEUE_FALLBACK: 'deterministic' });
    w.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the job to fail');
    await w.stop(1_000);
    const op = await prisma().operation.findFirstOrThrow({ where: { messageId: answerIds[0] } });
    expect(op.status).toBe('FAILED');
    expect(op.attempts).toBe(2);
    expect(op.error).toBe('provider failure 2; feedback by the deterministic fallback');
    expect(op.producedBy).toBe('deterministic');
    expect(await prisma().feedback.count({ where: { messageId: answerIds[0] } })).toBe(1);
  });

  it('leaves no feedback when the fallback is off', async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 1);
    const w = worker(world, new FlakyProvider(1_000), { QUEUE_MAX_ATTEMPTS: '1', QUEUE_FALLBACK: 'none' });
    w.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the job to fail');
    await w.stop(1_000);
    const op = await prisma().operation.findFirstOrThrow({ where: { messageId: answerIds[0] } });
    expect(op).toMatchObject({ status: 'FAILED', attempts: 1, error: 'provider failure 1' });
    expect(await prisma().feedback.count({ where: { messageId: answerIds[0] } })).toBe(0);
  });

  it("takes over a dead worker's job once its lease expires; the dead worker can no longer finish it", async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 1);
    const dead = new OperationQueue({ workerId: 'dead', maxConcurrent: 5, leaseMs: 300 });
    const [job] = await dead.claim(1);
    expect(job?.messageId).toBe(answerIds[0]);
    const w = worker(world, new CountingProvider(1), { QUEUE_LEASE_MS: '300' }, 'alive');
    w.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the job to be taken over');
    await w.stop(1_000);
    // The first holder wakes up: its lease is gone, so nothing it would write is stored.
    expect(
      await dead.finish(job!, { status: 'SUCCEEDED' }, { score: 1, strengths: ['stale'], improvements: [], summary: 'stale' }),
    ).toEqual({
      finished: false,
      feedbackId: null,
    });
    const op = await prisma().operation.findFirstOrThrow({ where: { messageId: answerIds[0] } });
    expect(op).toMatchObject({ status: 'SUCCEEDED', attempts: 2, lockedBy: null });
    expect(await prisma().feedback.count({ where: { messageId: answerIds[0] } })).toBe(1);
  });

  it('gives running jobs back on stop, without counting the unfinished attempt', async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 3);
    const provider = new StallingProvider();
    const w = worker(world, provider);
    w.start();
    await until(async () => provider.started === 3, 'three generations to start');
    await w.stop(50);
    const ops = await prisma().operation.findMany({ where: { messageId: { in: answerIds } } });
    expect(ops.map((op) => [op.status, op.attempts, op.lockedBy])).toEqual(Array(3).fill(['PENDING', 0, null]));
    // And another worker finishes them.
    const next = worker(world, new CountingProvider(1));
    next.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the released jobs to run');
    await next.stop(1_000);
    expect(await prisma().feedback.count({ where: { messageId: { in: answerIds } } })).toBe(3);
  });

  it('summarises a session only after the feedback on each of its answers', async () => {
    const { sessionId, answerIds } = await sessionWithPendingAnswers(world.database, 4);
    await prisma().operation.create({ data: { sessionId, kind: 'SESSION_FEEDBACK' } });
    const provider = new CountingProvider(1);
    const w = worker(world, provider);
    w.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the session to be summarised');
    await w.stop(1_000);
    const summary = await prisma().operation.findFirstOrThrow({ where: { sessionId, kind: 'SESSION_FEEDBACK' } });
    const answers = await prisma().operation.findMany({ where: { messageId: { in: answerIds } } });
    expect(summary.status).toBe('SUCCEEDED');
    for (const answer of answers) expect(answer.finishedAt!.getTime()).toBeLessThanOrEqual(summary.startedAt!.getTime());
    expect(await prisma().feedback.count({ where: { sessionId, messageId: null } })).toBe(1);
  });

  it('publishes FeedbackReady and OperationUpdated after commit, to the session only', async () => {
    const { sessionId, userId, answerIds } = await sessionWithPendingAnswers(world.database, 2);
    const events: SessionEvent[] = [];
    const stop = sessionEventBus().subscribe(sessionId, (event) => events.push(event));
    const w = worker(world, new CountingProvider(1));
    w.start();
    await until(async () => events.filter((e) => e.type === 'FeedbackReady').length === 2, 'two FeedbackReady events');
    await w.stop(1_000);
    stop();
    for (const event of events.filter((e) => e.type === 'FeedbackReady')) {
      expect(event.userId).toBe(userId);
      // Published after commit: the row it names is there.
      if (event.type === 'FeedbackReady') {
        expect(answerIds).toContain(event.messageId);
        expect(await prisma().feedback.count({ where: { id: event.feedbackId } })).toBe(1);
      }
    }
    const statuses = events.filter((e) => e.type === 'OperationUpdated').map((e) => (e.type === 'OperationUpdated' ? e.status : ''));
    expect(statuses.filter((s) => s === 'RUNNING')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'SUCCEEDED')).toHaveLength(2);
  });

  it('drops the job of a session deleted while it waits', async () => {
    const { sessionId } = await sessionWithPendingAnswers(world.database, 2);
    await prisma().interviewSession.delete({ where: { id: sessionId } });
    const provider = new CountingProvider(1);
    const w = worker(world, provider);
    w.start();
    await until(async () => (await pendingOrRunning()) === 0, 'the queue to be empty');
    await w.stop(1_000);
    expect(await prisma().operation.count({ where: { sessionId } })).toBe(0);
    expect(provider.calls).toBe(0);
  });
});
