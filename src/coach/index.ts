// The interview coach: picks questions and gives feedback. Callers depend on the `Coach` interface, so another
// implementation (an LLM-backed coach, say) can replace `defaultCoach` without changing them. The default is the
// offline, deterministic rule-based coach.
import type { Coach } from './types.js';
import { RuleBasedCoach } from './rule-based-coach.js';

export type { AnswerFeedback, Coach, CoachJobPosting, CoachResume, TranscriptTurn } from './types.js';
export { RuleBasedCoach } from './rule-based-coach.js';
export { INTERVIEW_LENGTH } from './question-bank.js';

export const defaultCoach: Coach = new RuleBasedCoach();
