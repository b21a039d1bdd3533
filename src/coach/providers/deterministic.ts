// The offline, deterministic coach as a provider: the default (demo, tests, offline) and the
// fallback after a language model's last failure. Running it through the queue like any provider
// keeps the asynchronous path the one always exercised.
import { RuleBasedCoach } from '../rule-based-coach.js';
import type { Coach } from '../types.js';
import type { AnswerInput, FeedbackProvider, SessionInput } from './types.js';

export class DeterministicProvider implements FeedbackProvider {
  readonly id = 'deterministic';

  constructor(private readonly coach: Coach = new RuleBasedCoach()) {}

  async assessAnswer(input: AnswerInput) {
    return this.coach.assessAnswer(input);
  }

  async assessSession(input: SessionInput) {
    return this.coach.assessSession(input);
  }
}
