import { describe, expect, it } from 'vitest';
import { defaultCoach, type AnswerFeedback } from '../../src/coach/index.js';
import { recurringThemes } from '../../src/coach/session-feedback.js';
import { FILLER_ONE_LINER, PERFORMANCE_QUESTION, posting, STAR_ANSWER_WITH_METRICS } from './fixtures.js';

const feedback = (score: number, strengths: string[] = [], improvements: string[] = []): AnswerFeedback => ({
  score,
  strengths,
  improvements,
  summary: '',
});

const noSkills = posting({ skills: [], title: 'Engineer', description: '' });

describe('session feedback', () => {
  it('averages the answer scores, rounded to an integer', () => {
    const result = defaultCoach.assessSession({
      jobPosting: noSkills,
      answers: [
        { question: 'Q1', answer: 'a', feedback: feedback(90) },
        { question: 'Q2', answer: 'b', feedback: feedback(61) },
        { question: 'Q3', answer: 'c', feedback: feedback(40) },
      ],
    });
    expect(result.score).toBe(64); // 191 / 3 = 63.67
  });

  it('names the best and the weakest answer in the summary', () => {
    const result = defaultCoach.assessSession({
      jobPosting: noSkills,
      answers: [
        { question: 'Why us?', answer: 'a', feedback: feedback(55) },
        { question: 'Tell me about a failure.', answer: 'b', feedback: feedback(92) },
        { question: 'Design a cache.', answer: 'c', feedback: feedback(31) },
      ],
    });
    expect(result.summary).toContain('Best: answer 2 ("Tell me about a failure.") with 92.');
    expect(result.summary).toContain('Weakest: answer 3 ("Design a cache.") with 31.');
  });

  it('says so when every answer scored the same', () => {
    const answers = [1, 2].map((i) => ({ question: `Q${i}`, answer: 'x', feedback: feedback(70) }));
    expect(defaultCoach.assessSession({ jobPosting: noSkills, answers }).summary).toContain('Every answer scored 70.');
  });

  it('lists the most common strengths and improvements first, grouped by headline', () => {
    const result = defaultCoach.assessSession({
      jobPosting: noSkills,
      answers: [
        {
          question: 'Q1',
          answer: 'a',
          feedback: feedback(50, ['Tidy (x).'], ['Cut the filler words ("um" x3).', 'Quantify the impact (a).']),
        },
        { question: 'Q2', answer: 'b', feedback: feedback(50, ['Warm.', 'Tidy (y).'], ['Cut the filler words ("like" x1).']) },
        {
          question: 'Q3',
          answer: 'c',
          feedback: feedback(50, ['Warm.', 'Tidy (z).'], ['Answer is too short (3 words).', 'Cut the filler words (uh).']),
        },
      ],
    });
    expect(result.strengths).toEqual(['Tidy (in 3 of 3 answers).', 'Warm (in 2 of 3 answers).']);
    expect(result.improvements).toEqual([
      'Cut the filler words (in 3 of 3 answers).',
      'Quantify the impact (in 1 of 3 answers).',
      'Answer is too short (in 1 of 3 answers).',
    ]);
    expect(result.summary).toContain('Main thing to work on: Cut the filler words.');
  });

  it('keeps at most three recurring themes', () => {
    expect(recurringThemes([['A.', 'B.', 'C.', 'D.', 'E.']])).toEqual([
      'A (in 1 of 1 answer).',
      'B (in 1 of 1 answer).',
      'C (in 1 of 1 answer).',
    ]);
  });

  it("points out the posting's skills that no answer mentioned", () => {
    const result = defaultCoach.assessSession({
      jobPosting: posting({ skills: ['postgres', 'GraphQL', 'Rust'], description: '' }),
      answers: [{ question: 'Q', answer: 'I tuned Postgres.', feedback: feedback(60) }],
    });
    expect(result.improvements).toContain("Bring in the posting's skills you never mentioned (GraphQL, Rust).");
  });

  it('credits covering every skill of the posting', () => {
    const result = defaultCoach.assessSession({
      jobPosting: posting({ skills: ['postgres', 'GraphQL'], description: '' }),
      answers: [
        { question: 'Q1', answer: 'I tuned Postgres.', feedback: feedback(60) },
        { question: 'Q2', answer: 'I built the GraphQL schema.', feedback: feedback(60) },
      ],
    });
    expect(result.strengths).toContain('Covered every skill the posting asks for across the interview.');
  });

  it('returns a zero score and an explanation when there are no answers', () => {
    const result = defaultCoach.assessSession({ jobPosting: posting(), answers: [] });
    expect(result.score).toBe(0);
    expect(result.strengths).toEqual([]);
    expect(result.improvements.length).toBe(1);
    expect(result.summary).toMatch(/No answers/);
  });

  it('treats out-of-range or missing per-answer scores as clamped integers', () => {
    const result = defaultCoach.assessSession({
      jobPosting: noSkills,
      answers: [
        { question: 'Q1', answer: 'a', feedback: feedback(250) },
        { question: 'Q2', answer: 'b', feedback: feedback(Number.NaN) },
        { question: 'Q3', answer: 'c', feedback: undefined as unknown as AnswerFeedback },
      ],
    });
    expect(result.score).toBe(33); // (100 + 0 + 0) / 3
  });

  it('aggregates real answer feedback from the coach', () => {
    const jobPosting = posting();
    const answers = [STAR_ANSWER_WITH_METRICS, FILLER_ONE_LINER].map((answer) => ({
      question: PERFORMANCE_QUESTION,
      answer,
      feedback: defaultCoach.assessAnswer({ jobPosting, question: PERFORMANCE_QUESTION, answer }),
    }));
    const [good, bad] = answers.map((a) => a.feedback.score) as [number, number];
    const result = defaultCoach.assessSession({ jobPosting, answers });
    expect(result.score).toBe(Math.round((good + bad) / 2));
    expect(result.summary).toContain(`Best: answer 1`);
    expect(result.summary).toContain(`Weakest: answer 2`);
    expect(result.strengths[0]).toMatch(/\(in 1 of 2 answers\)\.$/);
    expect(defaultCoach.assessSession({ jobPosting, answers })).toEqual(result);
  });
});
