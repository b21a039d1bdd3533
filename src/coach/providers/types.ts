// A feedback provider: what turns an answer (or a whole session) into feedback. The queue's worker
// calls it; it may be slow, rate-limited and failing (a language model), so it is asynchronous,
// takes an AbortSignal and throws ProviderError for what a retry may fix.
import type { AnswerFeedback, CoachJobPosting } from '../types.js';

export interface AnswerInput {
  jobPosting: CoachJobPosting;
  question: string;
  answer: string;
}

export interface SessionInput {
  jobPosting: CoachJobPosting;
  answers: { question: string; answer: string; feedback: AnswerFeedback }[];
}

export interface FeedbackProvider {
  /** Provider and model, e.g. `deterministic` or `openai:gpt-4o-mini`: recorded on the operation and part of the cache key. */
  readonly id: string;
  assessAnswer(input: AnswerInput, signal: AbortSignal): Promise<AnswerFeedback>;
  assessSession(input: SessionInput, signal: AbortSignal): Promise<AnswerFeedback>;
}

/** A failed generation. `message` is safe to store on the operation and show the client. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
}
