// The built-in question bank and the plan of an interview: opener, skill questions, a behavioural question, a closer.
import type { CoachJobPosting } from './types.js';
import { pick, seededRandom, shuffled, type Random } from './seed.js';
import { postingSkills, type PostingSkill, type SkillId } from './skills.js';
import { cleanForDisplay } from './text.js';

/** Questions in every interview. */
export const INTERVIEW_LENGTH = 5;
/** Of which: one opener, one behavioural question, one closer; the rest probe the posting's skills. */
export const SKILL_QUESTION_COUNT = INTERVIEW_LENGTH - 3;
/** The first few skills of a posting (its own order) are the ones an interview draws its skill questions from. */
export const SKILL_FOCUS_WINDOW = 4;

/** How the role is referred to in questions: "the Backend Engineer role at Acme", or "this role". */
export interface RoleContext {
  /** e.g. "the Backend Engineer role at Acme". */
  role: string;
  /** e.g. "Acme", or "this company". */
  company: string;
}

type Template = (role: RoleContext) => string;

export const OPENERS: readonly Template[] = [
  (r) => `Thanks for joining. To start, tell me about yourself and what draws you to ${r.role}.`,
  (r) => `Let's begin with your background: walk me through your experience and why ${r.role} is the right next step for you.`,
  (r) => `What interests you about ${r.role}, and which parts of your experience have prepared you most for it?`,
];

export const BEHAVIOURAL_QUESTIONS: readonly string[] = [
  'Tell me about a time you disagreed with a teammate or manager. How did you handle it, and what was the outcome?',
  'Describe a time a project you worked on went wrong or missed a deadline. What happened, what did you do, and what did you learn?',
  'Tell me about a time you had to deliver with incomplete information or shifting requirements. How did you move forward?',
  'Give me an example of feedback you received that changed how you work. What did you change, and what was the result?',
  'Tell me about a time you took ownership of a problem nobody else was tackling. What did you do and what came of it?',
  'Describe a situation where you had to persuade people over whom you had no authority. How did you win them over?',
];

export const CLOSERS: readonly Template[] = [
  (r) => `Last question: in under two minutes, why are you the right person for ${r.role}?`,
  (r) => `To wrap up: what would you aim to accomplish in your first 90 days in ${r.role}, and how would you measure it?`,
  (r) => `Finally, looking back on your career so far, which achievement best shows what you would bring to ${r.company}?`,
  () => 'To finish: what is one area you are actively working to improve, and what are you doing about it?',
];

/** Technical questions for postings that name no skill at all. */
export const GENERAL_TECHNICAL_QUESTIONS: readonly string[] = [
  'Walk me through the most technically challenging project you have worked on. What made it hard, and what did you do?',
  'Tell me about a decision you made that involved a real trade-off. What options did you weigh, and how did it turn out?',
  'How do you get up to speed on an unfamiliar codebase or domain? Walk me through a recent example.',
  'Describe a problem you solved that you are proud of. How did you know your solution actually worked?',
];

/** Questions for a skill the bank does not know (a free-form entry of the posting's skills list). */
export const CUSTOM_SKILL_TEMPLATES: readonly ((skill: string) => string)[] = [
  (s) => `Tell me about a project where you relied on ${s}. What was your role, and what would you do differently now?`,
  (s) => `What is the hardest problem you have solved with ${s}, and how did you approach it?`,
  (s) => `What is a common mistake people make with ${s}, and how have you avoided or fixed it?`,
];

export const SKILL_QUESTIONS: Readonly<Record<SkillId, readonly string[]>> = {
  typescript: [
    "How do you use TypeScript's type system to make invalid states unrepresentable? Give an example from your own code.",
    'When have you reached for generics, conditional types or mapped types in TypeScript, and when did they make the code worse?',
    'How would you migrate a large JavaScript codebase to TypeScript with strict mode, without stopping feature work?',
    'Where do TypeScript types stop protecting you at runtime, and how do you validate data at those boundaries?',
  ],
  javascript: [
    'Explain how the JavaScript event loop schedules promises, timers and I/O. Where has that mattered in code you wrote?',
    'Tell me about a tricky JavaScript bug caused by closures, `this` binding or async ordering, and how you found it.',
    'How do you keep a JavaScript bundle or application fast as it grows? What did you measure and change?',
  ],
  react: [
    'How do you decide where state should live in a React application, and when do you reach for a state library?',
    'Tell me about a React performance problem you diagnosed. What tools did you use, and what fixed it?',
    'How do you structure React components so they stay testable and reusable as a product grows?',
    'Explain how React effects work and describe a bug caused by a misused effect that you have fixed.',
  ],
  node: [
    'How do you keep a Node.js service responsive under load when some work is CPU-heavy?',
    'Tell me about a production incident in a Node.js service: memory leak, event-loop blocking or unhandled rejection. How did you find it?',
    'How do you structure error handling, logging and graceful shutdown in a Node.js API?',
  ],
  graphql: [
    'How do you prevent N+1 queries in a GraphQL API? Walk me through the approach you used and how you verified it.',
    'How would you protect a public GraphQL API from expensive or abusive queries?',
    'How do you evolve a GraphQL schema without breaking existing clients?',
    'When would you choose GraphQL over REST for an API, and when would you not?',
  ],
  postgresql: [
    'How do you find and fix a slow query in PostgreSQL? Walk me through a real example, including EXPLAIN ANALYZE.',
    'How do you run a schema migration on a large, busy PostgreSQL table without downtime?',
    'Explain PostgreSQL transaction isolation levels and describe a concurrency bug they helped you prevent or fix.',
    'How do you choose indexes in PostgreSQL? Tell me about an index that helped, and one that hurt.',
  ],
  sql: [
    'Walk me through how you would write and optimise a SQL query that reports monthly active users by cohort.',
    'How do you decide between normalising and denormalising a relational SQL schema? Give an example.',
    'Explain the difference between the SQL join types and describe a bug you have seen from using the wrong one.',
  ],
  python: [
    'How do you structure a Python project so it stays maintainable: packaging, typing, testing, dependencies?',
    'Tell me about a Python performance problem you solved. How did you profile it, and what changed?',
    "When have you used Python's async features or multiprocessing, and what trade-offs did you run into?",
  ],
  go: [
    'How do you use goroutines and channels safely in Go? Describe a concurrency bug you have found or avoided.',
    'How do you handle errors and context cancellation across a Go service?',
    'Tell me about a Go service you designed: how did you structure packages and interfaces, and why?',
  ],
  java: [
    'Tell me about a Java performance or memory problem you diagnosed on the JVM. What tools did you use?',
    'How do you approach concurrency in Java: executors, locks, concurrent collections? Give an example.',
    'How do you keep a large Java codebase modular and testable as it grows?',
  ],
  kubernetes: [
    'How would you debug a Kubernetes pod that keeps restarting in production?',
    'How do you set resource requests, limits and autoscaling for services on Kubernetes, and what went wrong when they were off?',
    'Walk me through how you roll out a change safely on Kubernetes, including how you would roll it back.',
  ],
  aws: [
    'Describe an AWS architecture you built or ran. Which services did you choose and why?',
    'How do you keep AWS costs under control? Tell me about a time you reduced a bill.',
    'How do you manage IAM permissions and secrets on AWS safely across environments?',
  ],
  docker: [
    'How do you build small, secure and reproducible Docker images? What does a good Dockerfile look like to you?',
    'Tell me about a problem that only showed up once an app ran in a Docker container. How did you track it down?',
    'How do you use Docker in local development and CI so environments match production?',
  ],
  'system-design': [
    'Design a URL shortener that handles 10,000 writes and 1,000,000 reads per minute. Walk me through the components and trade-offs.',
    'How would you design a notification system that sends email, SMS and push messages reliably, without duplicates?',
    'Tell me about a system whose architecture you designed or changed. What trade-offs did you make, and how did it hold up?',
    'How would you design rate limiting for a multi-tenant API? Where does the state live?',
  ],
  leadership: [
    'Tell me about a time you led a team or project through a difficult period. What did you do, and what was the result?',
    'How do you mentor and grow less experienced engineers? Give a specific example of someone you helped.',
    'Describe a time you had to make an unpopular technical decision as a lead. How did you bring people along?',
  ],
  communication: [
    'Tell me about a time you had to explain a complex technical topic to a non-technical stakeholder. How did you make it land?',
    'Describe a misunderstanding on a project caused by poor communication. What did you do to fix it?',
    'How do you keep stakeholders informed on a long project, especially when the news is bad?',
  ],
  testing: [
    'How do you decide what to cover with unit, integration and end-to-end tests? Give an example from a recent project.',
    'Tell me about a flaky test suite you dealt with. How did you find the causes and make it reliable?',
    'How do you test code that depends on time, randomness, the network or a database?',
  ],
  security: [
    'How do you protect a web application against the OWASP top risks such as injection and broken access control?',
    'Tell me about a security vulnerability you found or fixed. How was it discovered, and what did you change?',
    'How do you design authentication and authorization for an API used by both users and other services?',
  ],
  data: [
    'Tell me about a data pipeline you built. How did you handle late, duplicate or malformed data?',
    'How do you make sure the numbers in a dashboard or report are correct? Describe how you checked data quality.',
    'How do you design a data model for analytics that stays fast as volume grows?',
  ],
  'machine-learning': [
    'Walk me through a machine learning model you took to production. How did you evaluate it before and after launch?',
    'How do you detect and handle model drift or data leakage in machine learning systems?',
    'Tell me about a time a simple baseline beat a complex machine learning model. What did you learn?',
  ],
};

const MAX_TITLE_CHARS = 80;
const MAX_COMPANY_CHARS = 60;

export function roleContext(posting: CoachJobPosting): RoleContext {
  const title = cleanForDisplay(posting?.title, MAX_TITLE_CHARS);
  const company = cleanForDisplay(posting?.company, MAX_COMPANY_CHARS);
  const role = title ? `the ${title} role` : 'this role';
  return { role: company ? `${role} at ${company}` : role, company: company || 'this company' };
}

function questionsFor(skill: PostingSkill): readonly string[] {
  return skill.kind === 'known' ? SKILL_QUESTIONS[skill.id] : CUSTOM_SKILL_TEMPLATES.map((t) => t(skill.label));
}

/** `count` distinct skill questions: from distinct skills when the posting has enough, else several per skill. */
function skillQuestions(random: Random, skills: readonly PostingSkill[], count: number): string[] {
  const focus = shuffled(random, skills.slice(0, SKILL_FOCUS_WINDOW));
  const pools = focus.length > 0 ? focus.map((s) => shuffled(random, questionsFor(s))) : [shuffled(random, GENERAL_TECHNICAL_QUESTIONS)];
  const chosen: string[] = [];
  // Round-robin over the skills, so each gets a question before any gets a second one.
  for (let round = 0; chosen.length < count; round++) {
    let progressed = false;
    for (const pool of pools) {
      const question = pool[round];
      if (question === undefined || chosen.includes(question)) continue;
      chosen.push(question);
      progressed = true;
      if (chosen.length === count) break;
    }
    if (!progressed) break;
  }
  // Pools are never this small, but keep the interview length fixed regardless.
  for (const question of GENERAL_TECHNICAL_QUESTIONS) {
    if (chosen.length >= count) break;
    if (!chosen.includes(question)) chosen.push(question);
  }
  return chosen;
}

/**
 * All questions of an interview, in order; exactly INTERVIEW_LENGTH of them. Deterministic: seeded by the session id,
 * so sessions differ from each other but one session always gets the same questions.
 */
export function planInterview(input: { jobPosting: CoachJobPosting; sessionId: string }): string[] {
  const random = seededRandom(typeof input.sessionId === 'string' ? input.sessionId : '');
  const role = roleContext(input.jobPosting);
  // Draw the posting-independent choices first, so editing the posting's skills does not change the opener or closer.
  const opener = pick(random, OPENERS)(role);
  const behavioural = pick(random, BEHAVIOURAL_QUESTIONS);
  const closer = pick(random, CLOSERS)(role);
  const skills = skillQuestions(random, postingSkills(input.jobPosting), SKILL_QUESTION_COUNT);
  return [opener, ...skills, behavioural, closer];
}
