// `npm run worker` as a real process: killed with SIGKILL in the middle of a generation, its job
// runs again in the next worker once the lease expires, and exactly one feedback row is stored;
// stopped with SIGTERM, it gives its running job back and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueueWorld, sessionWithPendingAnswers, until, type QueueWorld } from './support.js';

let world: QueueWorld;
let coach: Server;
let coachUrl = '';
/** Requests the fake model server has received; it answers only when `answering` is true. */
let received = 0;
let answering = false;

const completion = JSON.stringify({
  choices: [
    {
      message: {
        role: 'assistant',
        content: JSON.stringify({ score: 60, strengths: ['Clear'], improvements: ['Shorter'], summary: 'Fine.' }),
      },
    },
  ],
});

beforeAll(async () => {
  world = await openQueueWorld();
  coach = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      if (answering) response.writeHead(200, { 'content-type': 'application/json' }).end(completion);
      // Otherwise hold the request open: the generation is "in progress".
    });
  });
  await new Promise<void>((resolve) => coach.listen(0, '127.0.0.1', resolve));
  coachUrl = `http://127.0.0.1:${(coach.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  coach.closeAllConnections();
  await new Promise((resolve) => coach.close(resolve));
  await world?.close();
});

function startWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: world.scratch.url,
      REDIS_URL: '',
      COACH_PROVIDER: 'openai',
      COACH_BASE_URL: coachUrl,
      COACH_MODEL: 'local',
      COACH_TIMEOUT_MS: '60000',
      QUEUE_LEASE_MS: '1000',
      QUEUE_POLL_MS: '50',
      QUEUE_STOP_GRACE_MS: '100',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

describe('npm run worker', () => {
  it('runs a job again after the worker is killed mid-generation; one feedback row', async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 1);
    const op = () => world.database.prisma.operation.findFirstOrThrow({ where: { messageId: answerIds[0] } });
    answering = false;
    received = 0;
    const first = startWorker();
    await until(async () => received === 1, 'the first worker to call the model', 30_000);
    expect((await op()).status).toBe('RUNNING');
    const gone = exited(first);
    first.kill('SIGKILL');
    expect((await gone).signal).toBe('SIGKILL');

    answering = true;
    const second = startWorker();
    try {
      await until(async () => (await op()).status === 'SUCCEEDED', 'the second worker to finish the job', 30_000);
    } finally {
      const done = exited(second);
      second.kill('SIGTERM');
      expect(await done).toEqual({ code: 0, signal: null });
    }
    expect(await op()).toMatchObject({ attempts: 2, producedBy: 'openai:local', error: null });
    expect(await world.database.prisma.feedback.count({ where: { messageId: answerIds[0] } })).toBe(1);
  });

  it('gives its running job back on SIGTERM and exits 0', async () => {
    const { answerIds } = await sessionWithPendingAnswers(world.database, 1);
    const op = () => world.database.prisma.operation.findFirstOrThrow({ where: { messageId: answerIds[0] } });
    answering = false;
    received = 0;
    const child = startWorker();
    await until(async () => received === 1, 'the worker to call the model', 30_000);
    const done = exited(child);
    child.kill('SIGTERM');
    expect(await done).toEqual({ code: 0, signal: null });
    expect(await op()).toMatchObject({ status: 'PENDING', attempts: 0, lockedBy: null });
  });
});
