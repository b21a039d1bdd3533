// `npm run bench:feedback`: submitAnswer with a slow language model behind the queue. A local
// chat-completions server answers after --model-delay ms; --users clients submit answers as fast
// as their acknowledgements come back. Measured: acknowledgement latency (p50/p95/p99: the answer
// must not wait for the model), generations per second (the global cap over the model's delay is
// the ceiling: 5 / 2 s = 2.5/s by default), the most generations the model saw at once, and the
// time from acknowledgement to feedback stored (for the feedback stored during the run).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type * as gql from '../schema/generated/graphql.js';
import { createScratchDatabase } from '../test/support/scratch-db.js';
import { installExitHandlers, startServer, stopAll } from './lib/children.js';
import { RESULTS_DIR, log, positiveNumber, runMain, timestamp, UsageError } from './lib/cli.js';
import { loadOperations, requestBody, type Operation } from './lib/operations.js';
import { Samples, round } from './lib/stats.js';

const HELP = `Usage: npm run bench:feedback -- [--users N] [--rate R] [--duration S] [--model-delay MS] [--cap N]

Starts Cadence (production mode, PostgreSQL scratch database) with COACH_PROVIDER=openai pointed
at a local chat-completions server that answers after --model-delay ms, then has --users clients
answer interview questions for --duration seconds, each thinking between answers so that together
they offer --rate answers per second. Reports acknowledgement
latency, generation throughput against the cap (--cap / model delay), the peak number of
generations the model served at once, and feedback delay. Writes bench/results/feedback-<time>.json.

Flags:
  --users N         concurrent clients (default 100)
  --rate R          answers per second offered by all clients together (default 20)
  --duration S      seconds of load (default 30)
  --model-delay MS  the model's time per call (default 2000)
  --cap N           QUEUE_CONCURRENCY (default 5)
  -h, --help        show this help

Environment: TEST_DATABASE_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      duration: { type: 'string' },
      'model-delay': { type: 'string' },
      cap: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const users = positiveNumber('--users', values.users, 100, { integer: true, min: 1 });
  const durationS = positiveNumber('--duration', values.duration, 30, { min: 1 });
  const modelDelay = positiveNumber('--model-delay', values['model-delay'], 2000, { integer: true, min: 0 });
  const cap = positiveNumber('--cap', values.cap, 5, { integer: true, min: 1 });
  const rate = positiveNumber('--rate', values.rate, 20, { min: 0.1 });
  if (users > 1000) throw new UsageError('--users is at most 1000');
  installExitHandlers();

  // The model: counts calls in flight.
  let inFlight = 0;
  let peak = 0;
  let calls = 0;
  const model = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        const content = JSON.stringify({
          score: 70,
          strengths: ['Clear structure'],
          improvements: ['Quantify the result'],
          summary: 'A good answer.',
        });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      }, modelDelay);
    });
  });
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  const modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;

  log('creating a scratch database…');
  const scratch = await createScratchDatabase('cadence_feedback_bench');
  const db = new pg.Client({ connectionString: scratch.url });
  try {
    log('starting Cadence…');
    const server = await startServer('cadence', {
      databaseUrl: scratch.url,
      env: {
        COACH_PROVIDER: 'openai',
        COACH_BASE_URL: modelUrl,
        COACH_MODEL: 'bench',
        COACH_TIMEOUT_MS: String(modelDelay + 10_000),
        QUEUE_CONCURRENCY: String(cap),
        // Every answer is a distinct prompt: the generation cache must not hide the model.
        GENERATION_CACHE_TTL_S: '0',
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_BURST: '1000000',
        ABUSE_MAX_REJECTIONS: '0',
      },
    });
    await db.connect();
    const ops = await loadOperations(['SignUp', 'CreateJobPosting', 'CreateResume', 'CreateSession', 'SubmitAnswer']);
    const call = async <T>(op: Operation, variables: Record<string, unknown>, key?: string): Promise<T> => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: requestBody(op, variables, 'documentId'),
      });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors || !body.data) throw new Error(`${op.name}: ${body.errors?.[0]?.message ?? `HTTP ${res.status}`}`);
      return body.data;
    };

    log(`signing up ${users} users…`);
    const clients: { key: string; postingId: string; resumeId: string; questionId: string | null }[] = [];
    for (let i = 0; i < users; i++) {
      const signUp = await call<gql.SignUpMutation>(ops.get('SignUp')!, {
        input: { email: `bench-${Date.now()}-${i}@example.test`, name: `Bench ${i}` },
      });
      const key = signUp.signUp.key;
      const posting = await call<gql.CreateJobPostingMutation>(
        ops.get('CreateJobPosting')!,
        { input: { title: 'Engineer', company: 'Acme', description: 'APIs.', skills: ['SQL'] } },
        key,
      );
      const resume = await call<gql.CreateResumeMutation>(
        ops.get('CreateResume')!,
        { input: { title: 'CV', content: 'Years of work.' } },
        key,
      );
      clients.push({ key, postingId: posting.createJobPosting.id, resumeId: resume.createResume.id, questionId: null });
      if ((i + 1) % 20 === 0) log(`  ${i + 1}/${users}`);
    }

    const ack = new Samples();
    let errors = 0;
    let answers = 0;
    const end = Date.now() + durationS * 1000;
    const startedAt = Date.now();
    const progress = setInterval(
      () =>
        log(`  ${Math.round((Date.now() - startedAt) / 1000)} s: ${answers} answers, ${calls} generations, ${inFlight} at the model now`),
      5_000,
    );
    await Promise.all(
      clients.map(async (client, index) => {
        let n = 0;
        while (Date.now() < end) {
          if (!client.questionId) {
            const session = await call<gql.CreateSessionMutation>(
              ops.get('CreateSession')!,
              { input: { jobPostingId: client.postingId, resumeId: client.resumeId } },
              client.key,
            );
            client.questionId = session.createSession.messages.edges[0]?.node.id ?? null;
          }
          // Each user thinks between answers, so together they offer --rate answers per second.
          await new Promise((resolve) => setTimeout(resolve, (users / rate) * 1000 * (0.5 + Math.random())));
          if (Date.now() >= end) break;
          const t0 = performance.now();
          try {
            const data = await call<gql.SubmitAnswerMutation>(
              ops.get('SubmitAnswer')!,
              { input: { questionId: client.questionId, content: `Answer ${index}-${n++}: I measured it.` } },
              client.key,
            );
            ack.add(performance.now() - t0);
            answers++;
            client.questionId = data.submitAnswer.nextQuestion?.id ?? null;
          } catch {
            errors++;
            client.questionId = null;
          }
        }
      }),
    );
    const loadSeconds = (Date.now() - startedAt) / 1000;
    clearInterval(progress);
    const generatedDuringLoad = calls;

    // The backlog is not drained: at the default figures the clients offer far more answers than
    // the cap lets the model take, so what counts is throughput against the ceiling.
    const { rows: delays } = await db.query<{ ms: number }>(
      `SELECT extract(epoch FROM (f.created_at - m.created_at)) * 1000 AS ms FROM feedback f JOIN session_messages m ON m.id = f.message_id`,
    );
    const { rows: counts } = await db.query<{ answers: number; feedback: number; failed: number; backlog: number }>(
      `SELECT (SELECT count(*)::int FROM session_messages WHERE role = 'CANDIDATE') AS answers,
              (SELECT count(*)::int FROM feedback WHERE message_id IS NOT NULL) AS feedback,
              (SELECT count(*)::int FROM operations WHERE status = 'FAILED') AS failed,
              (SELECT count(*)::int FROM operations WHERE status IN ('PENDING', 'RUNNING')) AS backlog`,
    );
    await server.stop();

    const a = ack.summary();
    const d = Samples.of(delays.map((r) => Number(r.ms))).summary();
    const result = {
      at: new Date().toISOString(),
      users,
      offeredPerSecond: rate,
      durationS: round(loadSeconds, 1),
      modelDelayMs: modelDelay,
      cap,
      answers,
      errors,
      ackMs: { p50: round(a.p50, 1), p95: round(a.p95, 1), p99: round(a.p99, 1), max: round(a.max, 1) },
      generationsPerSecond: round(generatedDuringLoad / loadSeconds, 2),
      ceilingPerSecond: round(cap / (modelDelay / 1000), 2),
      peakGenerationsAtModel: peak,
      feedbackDelayMs: { p50: round(d.p50), p95: round(d.p95), max: round(d.max) },
      rows: counts[0],
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `feedback-${timestamp()}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    const bar = (value: number, max: number) => '█'.repeat(Math.max(0, Math.round((value / max) * 40)));
    console.log(`
submitAnswer with a ${modelDelay} ms model, ${users} users offering ${rate}/s, ${result.durationS} s (cap ${cap})
  acknowledgement  p50 ${result.ackMs.p50} ms  p95 ${result.ackMs.p95} ms  p99 ${result.ackMs.p99} ms  (budget p95 100 ms)
  answers ${answers}, errors ${errors}
  generations/s    ${result.generationsPerSecond}  ${bar(result.generationsPerSecond, result.ceilingPerSecond)}
  ceiling/s        ${result.ceilingPerSecond}  ${bar(result.ceilingPerSecond, result.ceilingPerSecond)}
  most at the model at once: ${peak} (cap ${cap})
  feedback delay   p50 ${result.feedbackDelayMs.p50} ms  p95 ${result.feedbackDelayMs.p95} ms (queueing behind the cap)
  rows: ${counts[0]!.answers} answers, ${counts[0]!.feedback} feedback, ${counts[0]!.failed} failed, ${counts[0]!.backlog} still queued
  report: ${path.relative(process.cwd(), file)}`);
  } finally {
    await db.end().catch(() => {});
    await stopAll();
    model.closeAllConnections();
    model.close();
    await scratch.drop();
  }
}

runMain(main, HELP);
