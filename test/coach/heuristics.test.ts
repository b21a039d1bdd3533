import { describe, expect, it } from 'vitest';
import {
  answerContext,
  assessAnswerWithHeuristics,
  fillerCounts,
  filler,
  headline,
  length,
  metricsIn,
  ownership,
  questionFocus,
  roleSkills,
  starParts,
  structure,
  TOO_LONG_WORDS,
  TOO_SHORT_WORDS,
} from '../../src/coach/heuristics.js';
import { tokenize } from '../../src/coach/text.js';
import { answerOfWords, FILLER_ONE_LINER, PERFORMANCE_QUESTION, posting, STAR_ANSWER_WITH_METRICS } from './fixtures.js';

const assess = (answer: string, question = PERFORMANCE_QUESTION, jobPosting = posting()) =>
  assessAnswerWithHeuristics({ jobPosting, question, answer });
const context = (answer: string, question = PERFORMANCE_QUESTION, jobPosting = posting()) =>
  answerContext({ jobPosting, question, answer });

describe('overall answer score', () => {
  it('scores a STAR answer with metrics far above a filler-laden one-liner', () => {
    const good = assess(STAR_ANSWER_WITH_METRICS);
    const bad = assess(FILLER_ONE_LINER);
    expect(good.score).toBeGreaterThanOrEqual(85);
    expect(bad.score).toBeLessThanOrEqual(20);
    expect(good.score - bad.score).toBeGreaterThanOrEqual(50);
  });

  it('gives the good answer strengths and no improvements, the bad one improvements and no strengths', () => {
    const good = assess(STAR_ANSWER_WITH_METRICS);
    const bad = assess(FILLER_ONE_LINER);
    expect(good.strengths.length).toBeGreaterThanOrEqual(5);
    expect(good.improvements).toEqual([]);
    expect(bad.strengths).toEqual([]);
    expect(bad.improvements.length).toBeGreaterThanOrEqual(4);
  });

  it('is the base score plus the points of every heuristic, clamped to 0..100', () => {
    const { score, results } = assess(
      'We had a slow API. We added some indexes and it got faster, and the team was happy with the outcome overall.',
    );
    const raw = 45 + results.reduce((sum, r) => sum + r.points, 0);
    expect(score).toBe(Math.min(100, Math.max(0, raw)));
  });

  it('explains every point it adds or takes away', () => {
    for (const answer of [STAR_ANSWER_WITH_METRICS, FILLER_ONE_LINER, answerOfWords(60), answerOfWords(500)])
      for (const r of assess(answer).results) if (r.points !== 0) expect(r.strength ?? r.improvement, r.id).toBeTruthy();
  });

  it('summarises with the verdict, the score, the top strength and the top improvement', () => {
    const feedback = assess(answerOfWords(60));
    expect(feedback.summary).toContain(`(${feedback.score}/100)`);
    expect(feedback.summary).toContain(`Best: ${headline(feedback.strengths[0]!)}.`);
    expect(feedback.summary).toContain(`Next time: ${headline(feedback.improvements[0]!)}.`);
  });

  it('gives an empty answer a zero and asks for an answer', () => {
    for (const answer of ['', '   ', '🙂🙂', '\u0000']) {
      const feedback = assess(answer);
      expect(feedback.score).toBe(0);
      expect(feedback.strengths).toEqual([]);
      expect(feedback.improvements).toHaveLength(1);
    }
  });

  it('adds points for each improvement a candidate makes', () => {
    const vague =
      'We had a slow API at my previous company. We added some indexes to the database and cached a few things, and it got faster. The team was happy with how it went, and afterwards we moved on to the next project.';
    const withMetrics = vague.replace('it got faster', 'p95 latency went from 900 ms to 120 ms');
    const owned = withMetrics.replaceAll('We added', 'I added');
    expect(assess(withMetrics).score).toBeGreaterThan(assess(vague).score);
    expect(assess(owned).score).toBeGreaterThan(assess(withMetrics).score);
  });

  it('takes points away for filler words', () => {
    const clean = answerOfWords(120);
    const filled = clean.replaceAll('. ', '. Um, basically, you know, ');
    expect(assess(filled).score).toBeLessThan(assess(clean).score);
  });
});

describe('length', () => {
  const lengthOf = (n: number) => length(context(answerOfWords(n)));

  it('calls an answer under fifteen words far too short', () => {
    expect(lengthOf(10).points).toBeLessThan(lengthOf(30).points);
    expect(lengthOf(10).improvement).toMatch(/^Answer is far too short.*\(10 words/);
  });

  it(`calls an answer under ${TOO_SHORT_WORDS} words too short`, () => {
    expect(lengthOf(TOO_SHORT_WORDS - 1).improvement).toMatch(/^Answer is too short/);
    expect(lengthOf(TOO_SHORT_WORDS).improvement ?? '').not.toMatch(/too short/);
  });

  it('praises an answer of a hundred to four hundred words', () => {
    expect(lengthOf(150).strength).toBe('Answer length is well judged (150 words).');
    expect(lengthOf(TOO_LONG_WORDS).points).toBeGreaterThan(0);
  });

  it(`asks to tighten an answer over ${TOO_LONG_WORDS} words`, () => {
    expect(lengthOf(TOO_LONG_WORDS + 1).points).toBeLessThan(0);
    expect(lengthOf(TOO_LONG_WORDS + 1).improvement).toMatch(/runs long/);
  });
});

describe('STAR structure', () => {
  it('finds situation, task, action and result cues', () => {
    expect([...starParts(tokenize(STAR_ANSWER_WITH_METRICS).words)].sort()).toEqual(['action', 'result', 'situation', 'task']);
  });

  it('names the missing parts', () => {
    const result = structure(context('I built a cache for the API because it was slow and everyone was sad about it for weeks.'));
    expect(result.improvement).toMatch(/missing: situation, task, result/);
  });

  it('weighs structure more for a behavioural question than for a technical one', () => {
    const behavioural = structure(context(STAR_ANSWER_WITH_METRICS, 'Tell me about a time you fixed a slow API.'));
    const technical = structure(context(STAR_ANSWER_WITH_METRICS, 'How do you choose indexes in PostgreSQL?'));
    expect(behavioural.points).toBeGreaterThan(technical.points);
    expect(technical.points).toBeGreaterThan(0);
  });
});

describe('filler words', () => {
  const counts = (text: string) => Object.fromEntries(fillerCounts(tokenize(text)));

  it('counts hesitations and stock fillers', () => {
    expect(counts('Um, uh, ummm I basically, actually, you know, sort of did it, kind of.')).toEqual({
      um: 2,
      uh: 1,
      basically: 1,
      actually: 1,
      'you know': 1,
      'sort of': 1,
      'kind of': 1,
    });
  });

  it('counts "like" as filler only where it is one', () => {
    expect(counts('It was like really slow, like, all the time')).toEqual({ like: 2 });
    expect(counts('I would like to use tools like Redis, and I like testing')).toEqual({});
  });

  it('does not count "do you know" or "what kind of" as filler', () => {
    expect(counts('Do you know what kind of index this is?')).toEqual({});
  });

  it('praises a long answer without filler and penalises one full of it', () => {
    expect(filler(context(answerOfWords(120))).strength).toMatch(/no filler/);
    const heavy = filler(context(FILLER_ONE_LINER));
    expect(heavy.points).toBeLessThan(0);
    expect(heavy.improvement).toMatch(/^Cut the filler words \("um" x2, "like" x2/);
  });
});

describe('concrete numbers', () => {
  const found = (text: string) => metricsIn(text, tokenize(text).words);

  it('finds percentages, money, multipliers, durations and counts', () => {
    expect(found('Cut costs 40% ($2m), served 3x the traffic, p95 of 150 ms, for 12,000 users, 2.5 faster; revenue doubled.')).toEqual([
      '40%',
      '$2m',
      '3x',
      '150 ms',
      '12,000 users',
      '2.5',
      'doubled',
    ]);
  });

  it('ignores bare years and small counts', () => {
    expect(found('In 2019 I had 2 options and 3 colleagues.')).toEqual([]);
  });

  it('counts the same value once', () => {
    expect(found('from 2.4 seconds to 300 ms, yes 2.4 s')).toEqual(['2.4 seconds', '300 ms']);
  });

  it('does not read numbers inside words or versions as metrics', () => {
    expect(found('We ran v2.0 on ec2 in Q3.')).toEqual([]);
  });
});

describe('ownership', () => {
  it('asks what the candidate did when they only say "we"', () => {
    const result = ownership(context('We designed it, we shipped it and our team was proud of it. We did well.'));
    expect(result.points).toBeLessThan(0);
    expect(result.improvement).toMatch(/"I" x0, "we" x4/);
  });

  it('praises clear first-person ownership', () => {
    expect(ownership(context('I designed it and I shipped it with my team, and we celebrated.')).strength).toMatch(/ownership/);
  });
});

describe('skills in the answer', () => {
  it('praises naming the skills the posting asks for', () => {
    expect(roleSkills(context('I tuned postgres and rewrote the GraphQL resolvers.')).strength).toBe(
      "Connects the answer to the role's skills (PostgreSQL, GraphQL).",
    );
  });

  it("suggests the posting's skills when the answer names none", () => {
    expect(roleSkills(context('I fixed it.')).improvement).toBe(
      "Connect the answer to the role's skills (e.g. TypeScript, PostgreSQL, GraphQL).",
    );
  });

  it('says nothing about skills when the posting has none', () => {
    const result = roleSkills(context('I fixed it.', 'Why?', posting({ skills: [], title: 'Engineer', description: '' })));
    expect(result).toEqual({ id: 'role-skills', points: 0 });
  });

  it('checks that the answer addresses the skill in the question', () => {
    expect(questionFocus(context('I added a cache.', 'How do you tune Kubernetes autoscaling?')).improvement).toMatch(/\(Kubernetes\)/);
    expect(questionFocus(context('I tuned the k8s HPA.', 'How do you tune Kubernetes autoscaling?')).points).toBeGreaterThan(0);
  });
});

describe('speed', () => {
  it('assesses a 400-word answer in well under a millisecond', () => {
    const answer = answerOfWords(400);
    for (let i = 0; i < 50; i++) assess(answer); // warm up
    const runs = 300;
    const start = performance.now();
    for (let i = 0; i < runs; i++) assess(answer);
    expect((performance.now() - start) / runs).toBeLessThan(1);
  });
});
