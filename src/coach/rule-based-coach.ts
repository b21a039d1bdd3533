// The offline coach: questions from the built-in bank, feedback from explainable heuristics. Deterministic.
import type { AnswerFeedback, Coach, CoachJobPosting, CoachResume } from './types.js';
import { assessAnswerWithHeuristics } from './heuristics.js';
import { INTERVIEW_LENGTH, planInterview } from './question-bank.js';
import { assessSessionAnswers } from './session-feedback.js';

export class RuleBasedCoach implements Coach {
  /**
   * The question for turn `questionIndex`, or null once INTERVIEW_LENGTH questions have been asked.
   * The resume does not influence this coach's questions. Throws RangeError for a negative or non-integer index.
   */
  nextQuestion(input: { jobPosting: CoachJobPosting; resume: CoachResume; questionIndex: number; sessionId: string }): string | null {
    const { questionIndex } = input;
    if (!Number.isInteger(questionIndex) || questionIndex < 0) {
      throw new RangeError(`questionIndex must be a non-negative integer, got ${String(questionIndex)}`);
    }
    if (questionIndex >= INTERVIEW_LENGTH) return null;
    return planInterview(input)[questionIndex] ?? null;
  }

  assessAnswer(input: { jobPosting: CoachJobPosting; question: string; answer: string }): AnswerFeedback {
    const { score, strengths, improvements, summary } = assessAnswerWithHeuristics(input);
    return { score, strengths, improvements, summary };
  }

  assessSession(input: {
    jobPosting: CoachJobPosting;
    answers: { question: string; answer: string; feedback: AnswerFeedback }[];
  }): AnswerFeedback {
    return assessSessionAnswers(input);
  }
}
