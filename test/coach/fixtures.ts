// Shared test data for the coach tests.
import type { CoachJobPosting, CoachResume } from '../../src/coach/index.js';

export function posting(overrides: Partial<CoachJobPosting> = {}): CoachJobPosting {
  return {
    title: 'Senior Backend Engineer',
    company: 'Acme Robotics',
    description: 'You will own our GraphQL API and the services behind it.',
    skills: ['TypeScript', 'postgres', 'GraphQL'],
    ...overrides,
  };
}

export const resume: CoachResume = { title: 'Backend engineer, 6 years', content: 'Built APIs in TypeScript and Go.' };

export const STAR_ANSWER_WITH_METRICS = [
  'At my previous company our checkout API was timing out during peak sales, and p95 latency had climbed to 2.4 seconds.',
  'I was responsible for fixing it before Black Friday, a six-week deadline.',
  'I profiled the GraphQL resolvers and found an N+1 query pattern hitting PostgreSQL hundreds of times per request.',
  'I introduced DataLoader batching, added two composite indexes after reading EXPLAIN ANALYZE output, and wrote load tests to prove the change.',
  'I also paired with a junior engineer so the team could own the approach.',
  'As a result, p95 latency dropped from 2.4 seconds to 310 ms, database CPU fell by 45%, and we handled 3x the previous peak traffic',
  'with zero checkout incidents. I learned to measure before optimising.',
].join(' ');

export const FILLER_ONE_LINER = 'Um, basically I, like, you know, um, did some stuff with databases and it was, like, fine.';

export const PERFORMANCE_QUESTION =
  'Tell me about a time you improved the performance of a PostgreSQL-backed API. What did you do, and what was the result?';

const PLAIN_STORY =
  'I led the migration of our billing service to a new queue. I measured the error rate every week and wrote a plan for the team. ' +
  'The result was a calmer support rotation and happier customers.';

/** A plain answer of exactly `n` words (no numbers, no filler), cycling through a short story. */
export function answerOfWords(n: number): string {
  const source = PLAIN_STORY.split(' ');
  return Array.from({ length: n }, (_, i) => source[i % source.length]).join(' ');
}

/** Inputs meant to break a text analyser: empty, huge, binary, broken Unicode, pathological repetition. */
export const HOSTILE_TEXTS: Record<string, string> = {
  empty: '',
  whitespace: ' \n\t '.repeat(5_000),
  nuls: '\u0000'.repeat(20_000),
  'nuls between words': 'I reduced\u0000latency by\u000040%\u0000'.repeat(700),
  emoji: '😀👩‍👩‍👧‍👦🚀'.repeat(2_000),
  'lone surrogates': '\uD800a\uDC00'.repeat(6_000),
  'right-to-left overrides': '\u202Eevil\u202C '.repeat(3_000),
  'one huge word': 'a'.repeat(20_000),
  'huge number': '9'.repeat(20_000),
  'digits then a letter': `${'1'.repeat(19_999)}x`,
  'comma-separated digits': '1,'.repeat(10_000),
  apostrophes: "a'".repeat(10_000),
  'filler only': 'um '.repeat(6_666),
  'like, like, like': 'like, '.repeat(3_333),
  'currency signs': '$'.repeat(20_000),
  'mixed scripts': 'Résumé 履歴書 σύνοψη резюме 🧑‍💻 '.repeat(600),
  'star cue words': 'situation task action result i built reduced 40% '.repeat(400),
};
