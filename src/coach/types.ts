// The coach's contract. Implementations must be deterministic: the same input always gives the same output.

export interface CoachJobPosting {
  title: string;
  company: string;
  description: string;
  skills: string[];
}

export interface CoachResume {
  title: string;
  content: string;
}

export interface TranscriptTurn {
  role: 'INTERVIEWER' | 'CANDIDATE';
  content: string;
}

export interface AnswerFeedback {
  /** Integer 0-100. */
  score: number;
  strengths: string[];
  improvements: string[];
  summary: string;
}

export interface Coach {
  /** Question for turn `questionIndex` (0-based), or null when the interview has asked all its questions. */
  nextQuestion(input: { jobPosting: CoachJobPosting; resume: CoachResume; questionIndex: number; sessionId: string }): string | null;
  /** Feedback on one answer to one question. */
  assessAnswer(input: { jobPosting: CoachJobPosting; question: string; answer: string }): AnswerFeedback;
  /** Feedback on the whole session from its per-answer feedback (may be empty if no answers). */
  assessSession(input: {
    jobPosting: CoachJobPosting;
    answers: { question: string; answer: string; feedback: AnswerFeedback }[];
  }): AnswerFeedback;
}
