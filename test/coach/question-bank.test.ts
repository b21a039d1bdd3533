import { describe, expect, it } from 'vitest';
import { defaultCoach, INTERVIEW_LENGTH, RuleBasedCoach, type CoachJobPosting } from '../../src/coach/index.js';
import {
  BEHAVIOURAL_QUESTIONS,
  GENERAL_TECHNICAL_QUESTIONS,
  planInterview,
  SKILL_QUESTION_COUNT,
  SKILL_QUESTIONS,
} from '../../src/coach/question-bank.js';
import { HOSTILE_TEXTS, posting, resume } from './fixtures.js';

const coach = new RuleBasedCoach();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function interview(jobPosting: CoachJobPosting, sessionId: string): (string | null)[] {
  return Array.from({ length: INTERVIEW_LENGTH + 2 }, (_, questionIndex) =>
    coach.nextQuestion({ jobPosting, resume, questionIndex, sessionId }),
  );
}

/** The skill questions of an interview (between the opener and the behavioural question). */
function skillQuestions(jobPosting: CoachJobPosting, sessionId: string): string[] {
  return planInterview({ jobPosting, sessionId }).slice(1, 1 + SKILL_QUESTION_COUNT);
}

const sessionIds = Array.from({ length: 30 }, (_, i) => `session-${i}`);

describe('interview length', () => {
  it('asks five questions', () => {
    expect(INTERVIEW_LENGTH).toBe(5);
  });

  it('returns a question for each index below INTERVIEW_LENGTH and null from then on', () => {
    const questions = interview(posting(), 'abc');
    expect(questions.slice(0, INTERVIEW_LENGTH).every((q) => typeof q === 'string' && q.length > 0)).toBe(true);
    expect(questions.slice(INTERVIEW_LENGTH)).toEqual([null, null]);
    expect(coach.nextQuestion({ jobPosting: posting(), resume, questionIndex: 1_000_000, sessionId: 'abc' })).toBeNull();
  });

  it('rejects a negative or fractional question index', () => {
    for (const questionIndex of [-1, 0.5, Number.NaN])
      expect(() => coach.nextQuestion({ jobPosting: posting(), resume, questionIndex, sessionId: 'abc' })).toThrow(RangeError);
  });

  it('never repeats a question within an interview', () => {
    for (const jobPosting of [
      posting(),
      posting({ skills: ['Go'], description: '', title: 'Engineer' }),
      posting({ skills: [], description: '', title: '' }),
    ])
      for (const id of sessionIds) expect(new Set(planInterview({ jobPosting, sessionId: id })).size).toBe(INTERVIEW_LENGTH);
  });
});

describe('interview shape', () => {
  it('opens with a question naming the posting title and company', () => {
    for (const id of sessionIds) {
      const opener = planInterview({ jobPosting: posting(), sessionId: id })[0];
      expect(opener).toContain('Senior Backend Engineer');
      expect(opener).toContain('Acme Robotics');
    }
  });

  it('refers to "this role" when the posting has no title or company', () => {
    const opener = planInterview({ jobPosting: posting({ title: ' ', company: '' }), sessionId: 'x' })[0];
    expect(opener).toContain('this role');
    expect(opener).not.toContain(' at ');
  });

  it('asks a behavioural question fourth', () => {
    for (const id of sessionIds) expect(BEHAVIOURAL_QUESTIONS).toContain(planInterview({ jobPosting: posting(), sessionId: id })[3]);
  });
});

describe('determinism', () => {
  it('gives the same session the same questions every time, across coach instances', () => {
    const first = interview(posting(), 'session-42');
    expect(interview(posting(), 'session-42')).toEqual(first);
    expect(
      Array.from({ length: INTERVIEW_LENGTH }, (_, questionIndex) =>
        defaultCoach.nextQuestion({ jobPosting: posting(), resume, questionIndex, sessionId: 'session-42' }),
      ),
    ).toEqual(first.slice(0, INTERVIEW_LENGTH));
  });

  it('varies the questions between sessions', () => {
    const plans = new Set(sessionIds.map((id) => planInterview({ jobPosting: posting(), sessionId: id }).join('\n')));
    expect(plans.size).toBeGreaterThan(5);
  });

  it('varies the behavioural question between sessions', () => {
    const behavioural = new Set(sessionIds.map((id) => planInterview({ jobPosting: posting(), sessionId: id })[3]));
    expect(behavioural.size).toBeGreaterThan(2);
  });

  it('keeps the opener and behavioural question when only the skills change', () => {
    const before = planInterview({ jobPosting: posting({ skills: ['Go'] }), sessionId: 's' });
    const after = planInterview({ jobPosting: posting({ skills: ['Java', 'AWS'] }), sessionId: 's' });
    expect([after[0], after[3], after[4]]).toEqual([before[0], before[3], before[4]]);
  });
});

describe('skill questions', () => {
  const only = (skills: string[], extra: Partial<CoachJobPosting> = {}) =>
    posting({ skills, title: 'Engineer', description: '', ...extra });

  it('asks a PostgreSQL question when the posting lists postgres', () => {
    for (const id of sessionIds) {
      const questions = skillQuestions(only(['postgres']), id);
      expect(questions.every((q) => SKILL_QUESTIONS.postgresql.includes(q))).toBe(true);
    }
  });

  it('asks a Kubernetes question when the posting lists k8s', () => {
    expect(skillQuestions(only(['k8s']), 's').every((q) => SKILL_QUESTIONS.kubernetes.includes(q))).toBe(true);
  });

  it('asks a TypeScript question when the posting lists TS', () => {
    expect(skillQuestions(only(['TS']), 's').every((q) => SKILL_QUESTIONS.typescript.includes(q))).toBe(true);
  });

  it('finds skills in the title and description when the skills list is empty', () => {
    expect(skillQuestions(only([], { title: 'Golang Engineer' }), 's').every((q) => SKILL_QUESTIONS.go.includes(q))).toBe(true);
    expect(
      skillQuestions(only([], { description: 'You will run our EKS clusters.' }), 's').every((q) => SKILL_QUESTIONS.kubernetes.includes(q)),
    ).toBe(true);
  });

  it('asks about two different skills when the posting has two', () => {
    for (const id of sessionIds) {
      const [a, b] = skillQuestions(only(['React', 'GraphQL']), id);
      const inReact = (q: string | undefined) => SKILL_QUESTIONS.react.includes(q ?? '');
      const inGraphql = (q: string | undefined) => SKILL_QUESTIONS.graphql.includes(q ?? '');
      expect((inReact(a) && inGraphql(b)) || (inGraphql(a) && inReact(b))).toBe(true);
    }
  });

  it('draws skill questions only from the first four skills of the posting', () => {
    const jobPosting = only(['React', 'GraphQL', 'Python', 'Java', 'AWS', 'Docker']);
    const late = [...SKILL_QUESTIONS.aws, ...SKILL_QUESTIONS.docker];
    for (const id of sessionIds) expect(skillQuestions(jobPosting, id).some((q) => late.includes(q))).toBe(false);
  });

  it('asks about a skill it does not know by name', () => {
    const questions = skillQuestions(only(['Rust']), 's');
    expect(questions.every((q) => q.includes('Rust'))).toBe(true);
  });

  it('falls back to general technical questions when the posting names no skill', () => {
    expect(skillQuestions(only([]), 's').every((q) => GENERAL_TECHNICAL_QUESTIONS.includes(q))).toBe(true);
  });
});

describe('hostile postings', () => {
  it.each(Object.entries(HOSTILE_TEXTS))('still asks five clean questions when every field is %s', (_, text) => {
    const jobPosting = { title: text, company: text, description: text, skills: [text, text] };
    const questions = interview(jobPosting, text);
    expect(questions.slice(INTERVIEW_LENGTH)).toEqual([null, null]);
    for (const q of questions.slice(0, INTERVIEW_LENGTH)) {
      expect(typeof q).toBe('string');
      expect(q).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202E]/);
      expect(q).not.toMatch(LONE_SURROGATE);
      expect(q!.length).toBeLessThan(400);
    }
  });
});
