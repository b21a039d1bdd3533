import { describe, expect, it } from 'vitest';
import * as coachModule from '../../src/coach/index.js';
import { defaultCoach, INTERVIEW_LENGTH, RuleBasedCoach, type Coach } from '../../src/coach/index.js';
import { FILLER_ONE_LINER, HOSTILE_TEXTS, PERFORMANCE_QUESTION, posting, STAR_ANSWER_WITH_METRICS } from './fixtures.js';

const UNSAFE_OUTPUT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202E]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function expectWellFormed(feedback: ReturnType<Coach['assessAnswer']>) {
  expect(Number.isInteger(feedback.score)).toBe(true);
  expect(feedback.score).toBeGreaterThanOrEqual(0);
  expect(feedback.score).toBeLessThanOrEqual(100);
  expect(Object.keys(feedback).sort()).toEqual(['improvements', 'score', 'strengths', 'summary']);
  for (const text of [...feedback.strengths, ...feedback.improvements, feedback.summary]) {
    expect(typeof text).toBe('string');
    expect(text).not.toMatch(UNSAFE_OUTPUT);
    expect(text.length).toBeLessThan(500);
  }
  expect(feedback.summary.length).toBeGreaterThan(0);
}

describe('the coach module', () => {
  it('exports the rule-based coach as the default coach', () => {
    expect(defaultCoach).toBeInstanceOf(RuleBasedCoach);
    expect(coachModule.INTERVIEW_LENGTH).toBe(INTERVIEW_LENGTH);
  });

  it('gives identical feedback for identical input, from any instance', () => {
    const input = { jobPosting: posting(), question: PERFORMANCE_QUESTION, answer: STAR_ANSWER_WITH_METRICS };
    expect(new RuleBasedCoach().assessAnswer(input)).toEqual(defaultCoach.assessAnswer(input));
    expect(defaultCoach.assessAnswer(input)).toEqual(defaultCoach.assessAnswer(structuredClone(input)));
  });

  it('returns plain feedback objects that survive a JSON round trip unchanged', () => {
    const feedback = defaultCoach.assessAnswer({ jobPosting: posting(), question: PERFORMANCE_QUESTION, answer: FILLER_ONE_LINER });
    expect(JSON.parse(JSON.stringify(feedback))).toEqual(feedback);
    expectWellFormed(feedback);
  });
});

describe('hostile input', () => {
  it.each(Object.entries(HOSTILE_TEXTS))('scores an answer that is %s as an integer within 0..100', (_, text) => {
    const start = performance.now();
    const feedback = defaultCoach.assessAnswer({ jobPosting: posting(), question: PERFORMANCE_QUESTION, answer: text });
    expect(performance.now() - start).toBeLessThan(200);
    expectWellFormed(feedback);
  });

  it.each(Object.entries(HOSTILE_TEXTS))('copes when the posting, question and answer are all %s', (_, text) => {
    const jobPosting = { title: text, company: text, description: text, skills: [text, text, text] };
    const start = performance.now();
    const feedback = defaultCoach.assessAnswer({ jobPosting, question: text, answer: text });
    const session = defaultCoach.assessSession({ jobPosting, answers: [{ question: text, answer: text, feedback }] });
    expect(performance.now() - start).toBeLessThan(500);
    expectWellFormed(feedback);
    expectWellFormed(session);
  });

  it('copes with a posting that has thousands of skills', () => {
    const jobPosting = posting({ skills: Array.from({ length: 5_000 }, (_, i) => `skill${i}`) });
    expectWellFormed(defaultCoach.assessAnswer({ jobPosting, question: 'Q', answer: STAR_ANSWER_WITH_METRICS }));
    expect(defaultCoach.nextQuestion({ jobPosting, resume: { title: '', content: '' }, questionIndex: 1, sessionId: 's' })).toMatch(
      /skill[0-3]\b/,
    );
  });

  it('analyses only the first 50,000 characters of a huge answer', () => {
    const huge = `${STAR_ANSWER_WITH_METRICS} `.repeat(2_000); // ~1.6 MB
    const start = performance.now();
    expectWellFormed(defaultCoach.assessAnswer({ jobPosting: posting(), question: PERFORMANCE_QUESTION, answer: huge }));
    expect(performance.now() - start).toBeLessThan(500);
  });
});
