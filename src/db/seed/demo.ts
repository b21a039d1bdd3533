// Demo data: one candidate with postings, resumes and a handful of interviews, so a fresh install has something to query.
//
// The questions, per-answer feedback and session feedback are the real coach's. The coach plans an interview's
// questions from its session id, so the demo sessions have fixed ids and the candidate's answers below were written
// for the questions those ids produce. Each answer names a fragment of the question it was written for; should the
// coach's question bank change, an answer whose question no longer matches is replaced by a generic one of the same
// kind, so the transcript still reads sensibly.
import { randomUUID } from 'node:crypto';
import { generateApiKey } from '../../auth/api-keys.js';
import { defaultCoach, INTERVIEW_LENGTH, type AnswerFeedback, type CoachJobPosting, type CoachResume } from '../../coach/index.js';
import type { Prisma, PrismaClient } from '../../../prisma/generated/client/client.js';
import { SAMPLE_POSTINGS, SAMPLE_RESUMES } from './scale.js';

export const DEMO_EMAIL = 'demo@cadence.dev';
export const DEMO_NAME = 'Demo Candidate';
/** Name of the key the server issues (and prints) at start. */
export const DEMO_KEY_NAME = 'demo (printed at start)';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type PostingKey = 'backend' | 'data' | 'manager';
type ResumeKey = 'backend' | 'lead';

interface DemoAnswer {
  /** A fragment of the question this answer was written for (case-insensitive). */
  about: string;
  text: string;
}

interface DemoSession {
  id: string;
  posting: PostingKey;
  resume: ResumeKey;
  /** How long before the seed the session started. */
  ago: number;
  /** Answers in question order; fewer than INTERVIEW_LENGTH leaves the session ACTIVE, awaiting the next answer. */
  answers: DemoAnswer[];
}

const POSTING_INDEX: Record<PostingKey, number> = { backend: 0, data: 1, manager: 2 };
const RESUME_INDEX: Record<ResumeKey, number> = { backend: 0, lead: 1 };

const SESSIONS: DemoSession[] = [
  {
    // The first try at the backend role: uneven, with two weak answers.
    id: 'd3b07384-d113-4ec6-a1f0-5c1e7d0a0001',
    posting: 'backend',
    resume: 'backend',
    ago: 23 * DAY + 3 * HOUR,
    answers: [
      {
        about: 'walk me through your experience',
        text:
          'I have been a backend engineer for about nine years. Right now I am at Brightline Travel, where I work on our GraphQL API ' +
          'and the services behind it, mostly in TypeScript on Node.js with PostgreSQL. Before that I was at Parcelwise building the ' +
          'shipment-tracking service. Northwind appeals to me because the product is used every day by real clinics, and I would like ' +
          'to work somewhere smaller where I can own more of the platform.',
      },
      {
        about: 'error handling, logging and graceful shutdown',
        text:
          'Um, I basically wrap the handlers in try/catch and log the error, and then return a 500. For shutdown I think Node ' +
          'just handles it when the process gets killed, so I have not really needed to do anything special there.',
      },
      {
        about: 'invalid states unrepresentable',
        text:
          'At Brightline a booking could be pending, confirmed or cancelled, and the old type had optional fields for everything: a ' +
          'cancelled booking could still have a confirmation code, and a confirmed one could be missing its price. I replaced it with a ' +
          'discriminated union on status, where each variant carries only its own fields, and parsed API input with zod at the boundary ' +
          'so nothing unchecked got in. I added an assertNever in the default branch of every switch, so adding a new status, which we ' +
          'did twice later, made the compiler list every place that needed handling. Booking-state bugs in our tracker went from about ' +
          'six a quarter to zero in the following year.',
      },
      {
        about: 'disagreed with a teammate or manager',
        text:
          'We had a disagreement about whether to use a queue or cron jobs for sending reminders. We talked about it and in the end ' +
          'we went with the queue, which worked out fine.',
      },
      {
        about: 'first 90 days',
        text:
          'In the first month I would learn the codebase and the on-call process, and ship a couple of small fixes. In the second month ' +
          'I would pick up a feature in the booking flow. By the end of the third month I would like to have improved the performance ' +
          'of the API, and I would measure it by looking at the latency dashboards.',
      },
    ],
  },
  {
    // The data role: strong answers with numbers.
    id: 'd3b07384-d113-4ec6-a1f0-5c1e7d0a0002',
    posting: 'data',
    resume: 'backend',
    ago: 17 * DAY + 5 * HOUR,
    answers: [
      {
        about: 'What interests you about the Data Engineer role',
        text:
          "Two things. Lumen's forecasts decide how much food a store orders, so data quality has a visible cost in waste, and that " +
          'is the kind of problem I like owning. And most of my best work has been on the data side of backend engineering: at ' +
          'Parcelwise I built the pipeline that ingested 2 million tracking events a day from 30 carriers, each with its own format, ' +
          'into PostgreSQL, and I designed the zero-downtime migration process we used on tables of 800 million rows. What I want to ' +
          'grow now is the warehouse and dbt side, which your team does at a scale I have not worked at yet.',
      },
      {
        about: 'numbers in a dashboard or report are correct',
        text:
          'Situation: at Parcelwise our on-time delivery dashboard disagreed with the figure finance reported to customers by up to 4 ' +
          'percentage points, and nobody trusted either. Task: I was asked to find out which was right and make sure it stayed right. ' +
          'Action: I traced both numbers back to source rows and found two causes: duplicate scan events from one carrier, and ' +
          'timezone handling that pushed late-evening deliveries into the next day. I deduplicated on the carrier event id, stored all ' +
          'timestamps in UTC with the depot timezone alongside, and added a nightly reconciliation query that compares the dashboard ' +
          'with the finance extract and alerts when they differ by more than 0.1%. Result: the two figures have matched for 14 months, ' +
          'and the reconciliation check caught three upstream format changes before any customer saw them.',
      },
      {
        about: 'structure a Python project',
        text:
          'I use a src layout with a pyproject.toml, dependencies pinned with a lock file (we used Poetry, I would be happy with uv), ' +
          'type hints checked by mypy in strict mode on new modules, and pytest with fixtures for database tests that run against a ' +
          'real PostgreSQL in Docker. Ruff handles linting and formatting in pre-commit. I keep I/O at the edges so the transformation ' +
          'logic is plain functions that are easy to test.',
      },
      {
        about: 'feedback you received',
        text:
          'A tech lead once told me my design docs were thorough but that nobody could find the decision in them. I started putting a ' +
          'one-paragraph summary with the decision and the main trade-off at the top of every doc, and a section listing the ' +
          'alternatives I rejected and why. Review rounds on my docs went from three or four to usually one, and two other teams ' +
          'adopted the template.',
      },
      {
        about: 'which achievement best shows',
        text:
          'The tracking pipeline at Parcelwise. I designed it, built most of it and ran it for three years: 2 million events a day, ' +
          'late and duplicate data handled by design rather than by hand, and a reconciliation process that made its numbers the ones ' +
          'finance used. That is the same job Lumen needs done with point-of-sale data.',
      },
    ],
  },
  {
    // The manager role, practised without preparation: short, vague answers.
    id: 'd3b07384-d113-4ec6-a1f0-5c1e7d0a0003',
    posting: 'manager',
    resume: 'lead',
    ago: 11 * DAY + 2 * HOUR,
    answers: [
      {
        about: 'walk me through your experience',
        text:
          'I have been an engineer for twelve years and a manager for about five, currently at Tessellate running the platform team. ' +
          'I like the mix of people work and technical work, and Harbor Health seems like a good next step.',
      },
      {
        about: 'misunderstanding on a project',
        text: 'There was a misunderstanding about a deadline once. We had a meeting and sorted it out.',
      },
      {
        about: 'system whose architecture you designed',
        text:
          'At Ordnance Software I designed an event-driven architecture for the logistics platform so that warehouses published ' +
          'events instead of calling each other directly. The trade-off was that debugging became harder, because a request ' +
          'no longer had one call stack, so we added correlation ids. It held up well: we went from 3 to 40 warehouses on it.',
      },
      {
        about: 'persuade people over whom you had no authority',
        text: 'I think you just need to, like, explain things clearly and be nice to people, and usually they come around.',
      },
      {
        about: 'which achievement best shows',
        text: 'Probably the Kubernetes migration, it went well.',
      },
    ],
  },
  {
    // The backend role again, after practice: the best session.
    id: 'd3b07384-d113-4ec6-a1f0-5c1e7d0a0004',
    posting: 'backend',
    resume: 'backend',
    ago: 5 * DAY + 6 * HOUR,
    answers: [
      {
        about: 'tell me about yourself',
        text:
          'I am a backend engineer with nine years of experience, the last four at Brightline Travel, where I led the move from a REST ' +
          'monolith to a GraphQL API that now serves 40 million requests a day. The part I am proudest of is performance: I introduced ' +
          'batching with DataLoader and per-operation cost limits, and p95 latency went from 480 ms to 120 ms. Before that I spent four ' +
          "years at Parcelwise building TypeScript services on PostgreSQL. Northwind draws me because your API is the product's " +
          'backbone and your posting treats latency budgets as a feature, which is exactly how I like to work, and because I want to ' +
          'mentor again: two engineers I mentored at Brightline were promoted to senior.',
      },
      {
        about: 'evolve a GraphQL schema',
        text:
          'I treat the schema as a public contract. New fields are additive; anything that would break a client goes through deprecation: ' +
          'I mark the field @deprecated with the replacement in the reason, ship the replacement, and watch field-level usage in our ' +
          'tracing until traffic on the old field drops to zero, which for the mobile apps takes one or two release cycles. In CI we run ' +
          'graphql-inspector against the production schema and against the persisted operations of every client, so a breaking change ' +
          'fails the build instead of a release. At Brightline we removed 140 deprecated fields this way in a year with no client incidents.',
      },
      {
        about: 'CPU-heavy',
        text:
          'First I measure: an event-loop lag metric and a CPU profile with clinic or the built-in --cpu-prof show which requests block. ' +
          'At Brightline it was PDF itinerary generation: a single render blocked the loop for up to 800 ms, and every other request on ' +
          'that instance waited. I moved rendering to a worker_threads pool sized to the cores, with a bounded queue so overload turns ' +
          'into fast 503s rather than timeouts, and moved the largest documents to a background job that emails the result. p99 latency ' +
          'of the other endpoints fell from 1.9 s to 210 ms, and event-loop lag stayed under 20 ms at peak.',
      },
      {
        about: 'incomplete information or shifting requirements',
        text:
          'Situation: at Brightline we had six weeks to support a new airline partner whose API specification was still changing. ' +
          'Task: I led the integration and had to deliver on time without knowing the final contract. Action: I wrote an adapter ' +
          "layer so only one module knew the partner's format, agreed a weekly checkpoint with their engineers, and built a contract " +
          'test suite from their example payloads that ran against their sandbox every night, so we learned about changes within a day. ' +
          'Result: their specification changed eleven times, each change cost us under a day, and we launched on the planned date. The ' +
          'partner went on to produce 8% of bookings in its first quarter.',
      },
      {
        about: 'which achievement best shows',
        text:
          'The GraphQL migration at Brightline. I led it end to end: the schema design, the batching and cost limits, the migration ' +
          'plan that moved clients over one screen at a time, and the statement-count tests that kept N+1 queries out for good. It cut ' +
          'p95 latency by 75% and outages caused by slow queries from three a quarter to none. Northwind is at the point Brightline was ' +
          'three years ago, and I know how to get through it.',
      },
    ],
  },
  {
    // Data role, in progress: three answers given, the fourth question awaits an answer.
    id: 'd3b07384-d113-4ec6-a1f0-5c1e7d0a0005',
    posting: 'data',
    resume: 'backend',
    ago: 2 * DAY + 4 * HOUR,
    answers: [
      {
        about: 'What interests you about the Data Engineer role',
        text:
          'I want my work to move a number people care about, and at Lumen that number is food waste. I have spent years making ' +
          'PostgreSQL-backed pipelines reliable at Parcelwise, and I would bring that rigour to your ingestion and dbt models.',
      },
      {
        about: 'normalising and denormalising',
        text:
          'I normalise the operational schema so each fact lives in one place and writes stay simple, and denormalise on the read side ' +
          'where a query pattern is hot and well understood. At Parcelwise the customer tracking page joined five tables and took 300 ms; ' +
          'I added a denormalised shipment_status table kept up to date by the ingestion job in the same transaction, and the page query ' +
          'dropped to 4 ms. The cost was one more thing to keep consistent, so I added a nightly check that rebuilds a sample from the ' +
          'normalised tables and compares.',
      },
      {
        about: 'schema migration on a large, busy PostgreSQL table',
        text:
          'Expand and contract. Add the new column as nullable with no default so it is a metadata-only change, backfill in batches of ' +
          'about 10,000 rows with a short pause so replication keeps up, have the application write both columns, then switch reads, and ' +
          'drop the old column in a later release. Indexes are created CONCURRENTLY, and every migration sets lock_timeout to a few ' +
          'seconds so it fails fast instead of queueing behind a long transaction and blocking everyone else. We ran more than 60 ' +
          'migrations that way at Parcelwise on tables up to 800 million rows without downtime.',
      },
    ],
  },
  {
    // Manager role, just started: one answer given.
    id: 'd3b07384-d113-4ec6-a1f0-5c1e7d0a0006',
    posting: 'manager',
    resume: 'lead',
    ago: 3 * HOUR,
    answers: [
      {
        about: 'What interests you about the Engineering Manager',
        text:
          "Harbor's platform serves patients, so reliability is not abstract, and that is where I do my best work. At Tessellate I " +
          'introduced SLOs and error budgets for 25 services and paging incidents fell 45% in a year, and I led our move to Kubernetes. ' +
          'I have hired five of the eight people on my team and I enjoy growing engineers, which your posting puts first.',
      },
    ],
  },
];

/** Answers of each kind for questions the scripted answers no longer fit (see the header). */
export const FALLBACK_ANSWERS = {
  opener:
    'I have spent most of my career building and running backend systems, most recently leading work on a high-traffic API. ' +
    'This role appeals to me because it combines the technical depth I enjoy with ownership of outcomes users feel directly.',
  technical:
    'I start by measuring, so I know where the problem really is, then make the smallest change that fixes it and check the ' +
    'numbers again. On my last team that approach took our slowest endpoint from 900 ms to 150 ms at p95.',
  behavioural:
    'Situation: a release I owned slipped because of an unplanned dependency. Task: get it back on track. Action: I listed every ' +
    'external dependency, called each owner that week and cut scope with the product manager. Result: we shipped two weeks later ' +
    'instead of six, and I now review dependencies at every kickoff.',
  closer:
    'I would bring a habit of measuring before changing things and a record of delivering: the last two projects I led shipped on ' +
    'time and cut latency by more than half.',
} as const;

function fallbackAnswer(questionIndex: number): string {
  if (questionIndex === 0) return FALLBACK_ANSWERS.opener;
  if (questionIndex === INTERVIEW_LENGTH - 1) return FALLBACK_ANSWERS.closer;
  if (questionIndex === INTERVIEW_LENGTH - 2) return FALLBACK_ANSWERS.behavioural;
  return FALLBACK_ANSWERS.technical;
}

function answerFor(answer: DemoAnswer, question: string, questionIndex: number): string {
  return question.toLowerCase().includes(answer.about.toLowerCase()) ? answer.text : fallbackAnswer(questionIndex);
}

/**
 * Loads the demo candidate and their data, in one transaction. Idempotent: when the demo user exists already it is
 * returned untouched (created=false), whatever state its data is in.
 */
export async function seedDemo(prisma: PrismaClient): Promise<{ userId: string; created: boolean }> {
  const existing = await prisma.user.findUnique({ where: { email: DEMO_EMAIL }, select: { id: true } });
  if (existing) return { userId: existing.id, created: false };

  const rows = buildDemoRows(Date.now());
  try {
    await prisma.$transaction(
      async (tx) => {
        await tx.user.create({ data: rows.user });
        await tx.jobPosting.createMany({ data: rows.jobPostings });
        await tx.resume.createMany({ data: rows.resumes });
        await tx.interviewSession.createMany({ data: rows.sessions });
        await tx.sessionMessage.createMany({ data: rows.messages });
        await tx.feedback.createMany({ data: rows.feedback });
        await tx.operation.createMany({ data: rows.operations });
      },
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (err) {
    // Another process seeded at the same moment: its demo user is as good as ours.
    if ((err as { code?: unknown }).code === 'P2002') {
      const winner = await prisma.user.findUnique({ where: { email: DEMO_EMAIL }, select: { id: true } });
      if (winner) return { userId: winner.id, created: false };
    }
    throw err;
  }
  return { userId: rows.user.id, created: true };
}

/**
 * A fresh API key for the demo user, named DEMO_KEY_NAME; earlier keys of that name are revoked. Returns the secret,
 * which is stored only as its hash, so this is the one moment it can be shown.
 */
export async function issueDemoKey(prisma: PrismaClient, userId: string): Promise<string> {
  const { key, prefix, hash } = generateApiKey();
  const now = new Date();
  await prisma.$transaction([
    prisma.apiKey.updateMany({ where: { userId, name: DEMO_KEY_NAME, revokedAt: null }, data: { revokedAt: now } }),
    prisma.apiKey.create({ data: { userId, name: DEMO_KEY_NAME, prefix, hash, createdAt: now } }),
  ]);
  return key;
}

interface DemoRows {
  user: Prisma.UserCreateManyInput & { id: string };
  jobPostings: Prisma.JobPostingCreateManyInput[];
  resumes: Prisma.ResumeCreateManyInput[];
  sessions: Prisma.InterviewSessionCreateManyInput[];
  messages: Prisma.SessionMessageCreateManyInput[];
  feedback: Prisma.FeedbackCreateManyInput[];
  operations: Prisma.OperationCreateManyInput[];
}

/** Every row of the demo, with ids and timestamps relative to `now`. Pure apart from the random ids. */
export function buildDemoRows(now: number): DemoRows {
  const at = (ms: number) => new Date(ms);
  const userId = randomUUID();
  const rows: DemoRows = {
    user: { id: userId, email: DEMO_EMAIL, name: DEMO_NAME, createdAt: at(now - 40 * DAY) },
    jobPostings: [],
    resumes: [],
    sessions: [],
    messages: [],
    feedback: [],
    operations: [],
  };

  const postings = {} as Record<PostingKey, { id: string; coach: CoachJobPosting }>;
  for (const [key, index] of Object.entries(POSTING_INDEX) as [PostingKey, number][]) {
    const source = SAMPLE_POSTINGS[index]!;
    const id = randomUUID();
    const coach = { title: source.title, company: source.company, description: source.description, skills: [...source.skills] };
    postings[key] = { id, coach };
    rows.jobPostings.push({ id, userId, ...coach, createdAt: at(now - (30 - index) * DAY) });
  }
  const resumes = {} as Record<ResumeKey, { id: string; coach: CoachResume }>;
  for (const [key, index] of Object.entries(RESUME_INDEX) as [ResumeKey, number][]) {
    const source = SAMPLE_RESUMES[index]!;
    const id = randomUUID();
    resumes[key] = { id, coach: { title: source.title, content: source.content } };
    rows.resumes.push({ id, userId, title: source.title, content: source.content, createdAt: at(now - (35 - index) * DAY) });
  }

  for (const spec of SESSIONS) {
    const posting = postings[spec.posting];
    const resume = resumes[spec.resume];
    const start = now - spec.ago;
    // Messages a minute or three apart, in order; deterministic per session.
    let clock = start;
    let seq = 0;
    const step = () => (clock += (60 + ((seq * 37 + spec.answers.length * 11) % 120)) * 1000);
    const answered: { question: string; answer: string; feedback: AnswerFeedback }[] = [];

    for (let index = 0; index < INTERVIEW_LENGTH; index++) {
      const question = defaultCoach.nextQuestion({
        jobPosting: posting.coach,
        resume: resume.coach,
        questionIndex: index,
        sessionId: spec.id,
      });
      if (question === null) break;
      rows.messages.push({
        id: randomUUID(),
        sessionId: spec.id,
        seq: ++seq,
        role: 'INTERVIEWER',
        content: question,
        createdAt: at(clock),
      });

      const scripted = spec.answers[index];
      if (!scripted) break; // the interview waits for this answer
      const answer = answerFor(scripted, question, index);
      const answerId = randomUUID();
      const answeredAt = step();
      rows.messages.push({ id: answerId, sessionId: spec.id, seq: ++seq, role: 'CANDIDATE', content: answer, createdAt: at(answeredAt) });

      const feedback = defaultCoach.assessAnswer({ jobPosting: posting.coach, question, answer });
      answered.push({ question, answer, feedback });
      rows.feedback.push({ sessionId: spec.id, messageId: answerId, ...feedback, createdAt: at(answeredAt + 4_000) });
      rows.operations.push(succeeded(spec.id, answerId, 'ANSWER_FEEDBACK', answeredAt));
      // The next question follows the feedback.
      step();
    }

    const completed = answered.length === INTERVIEW_LENGTH;
    const completedAt = completed ? clock : null;
    if (completedAt !== null) {
      const feedback = defaultCoach.assessSession({ jobPosting: posting.coach, answers: answered });
      rows.feedback.push({ sessionId: spec.id, messageId: null, ...feedback, createdAt: at(completedAt + 6_000) });
      rows.operations.push(succeeded(spec.id, null, 'SESSION_FEEDBACK', completedAt));
    }
    rows.sessions.push({
      id: spec.id,
      userId,
      jobPostingId: posting.id,
      resumeId: resume.id,
      status: completed ? 'COMPLETED' : 'ACTIVE',
      createdAt: at(start),
      startedAt: at(start),
      completedAt: completedAt === null ? null : at(completedAt),
    });
  }
  return rows;
}

/** A finished async job: created with its message, run a second later, done within a few seconds. */
function succeeded(
  sessionId: string,
  messageId: string | null,
  kind: 'ANSWER_FEEDBACK' | 'SESSION_FEEDBACK',
  createdAt: number,
): Prisma.OperationCreateManyInput {
  return {
    sessionId,
    messageId,
    kind,
    status: 'SUCCEEDED',
    attempts: 1,
    createdAt: new Date(createdAt),
    startedAt: new Date(createdAt + 1_000),
    finishedAt: new Date(createdAt + 3_500),
    updatedAt: new Date(createdAt + 3_500),
  };
}
