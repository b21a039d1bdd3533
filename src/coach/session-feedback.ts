// Feedback on a whole interview, aggregated from the feedback on its answers.
import type { AnswerFeedback, CoachJobPosting } from './types.js';
import { clampScore, headline } from './heuristics.js';
import { postingSkills, skillsMentioned } from './skills.js';
import { cleanForAnalysis, cleanForDisplay, tokenize } from './text.js';

/** How many recurring strengths and improvements session feedback lists. */
export const TOP_THEMES = 3;
const MAX_QUOTED_QUESTION_CHARS = 70;
const MAX_LISTED_SKILLS = 4;

export interface SessionAnswer {
  question: string;
  answer: string;
  feedback: AnswerFeedback;
}

/**
 * The most frequent themes among per-answer messages, as "Headline (in N of M answers).". Messages are grouped by
 * headline (the text before " (details)"), so "Cut the filler words (\"um\" x3)." and "… (\"like\" x2)." count together.
 * Ties keep first-seen order.
 */
export function recurringThemes(messageLists: readonly (readonly string[])[], max = TOP_THEMES): string[] {
  const counts = new Map<string, number>();
  for (const messages of messageLists) {
    const seenInAnswer = new Set<string>();
    for (const message of Array.isArray(messages) ? messages : []) {
      const key = cleanForDisplay(headline(typeof message === 'string' ? message : ''), 200);
      if (!key || seenInAnswer.has(key)) continue;
      seenInAnswer.add(key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const total = messageLists.length;
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([key, n]) => `${key} (in ${n} of ${total} ${total === 1 ? 'answer' : 'answers'}).`);
}

function quote(question: string): string {
  const text = cleanForDisplay(question, MAX_QUOTED_QUESTION_CHARS);
  return text ? ` ("${text}")` : '';
}

/** Feedback on the session: mean score, recurring strengths and improvements, skills never mentioned, best and weakest answer. */
export function assessSessionAnswers(input: { jobPosting: CoachJobPosting; answers: readonly SessionAnswer[] }): AnswerFeedback {
  const answers = Array.isArray(input.answers) ? input.answers : [];
  if (answers.length === 0) {
    return {
      score: 0,
      strengths: [],
      improvements: ['Answer the interview questions to get feedback on your performance.'],
      summary: 'No answers were given, so there is nothing to assess yet.',
    };
  }

  const scores = answers.map((a) => clampScore(a.feedback?.score ?? 0));
  const score = clampScore(scores.reduce((a, b) => a + b, 0) / scores.length);
  const strengths = recurringThemes(answers.map((a) => a.feedback?.strengths ?? []));
  const improvements = recurringThemes(answers.map((a) => a.feedback?.improvements ?? []));

  // Skills of the posting that no answer mentioned at all.
  const skills = postingSkills(input.jobPosting);
  if (skills.length > 0) {
    const mentioned = new Set<string>();
    for (const a of answers) for (const s of skillsMentioned(tokenize(cleanForAnalysis(a.answer)).words, skills)) mentioned.add(s.label);
    const missing = skills.filter((s) => !mentioned.has(s.label)).map((s) => s.label);
    if (missing.length === 0) strengths.push('Covered every skill the posting asks for across the interview.');
    else {
      const shown = missing.slice(0, MAX_LISTED_SKILLS).join(', ') + (missing.length > MAX_LISTED_SKILLS ? ', …' : '');
      improvements.push(`Bring in the posting's skills you never mentioned (${shown}).`);
    }
  }

  let best = 0;
  let weakest = 0;
  scores.forEach((s, i) => {
    if (s > (scores[best] as number)) best = i;
    if (s < (scores[weakest] as number)) weakest = i;
  });
  const parts = [`Average score ${score}/100 over ${answers.length} ${answers.length === 1 ? 'answer' : 'answers'}.`];
  if (answers.length === 1) parts.push(`Answer 1${quote(answers[0]?.question ?? '')} scored ${scores[0]}.`);
  else if (scores[best] === scores[weakest]) parts.push(`Every answer scored ${scores[best]}.`);
  else {
    parts.push(`Best: answer ${best + 1}${quote(answers[best]?.question ?? '')} with ${scores[best]}.`);
    parts.push(`Weakest: answer ${weakest + 1}${quote(answers[weakest]?.question ?? '')} with ${scores[weakest]}.`);
  }
  if (improvements[0]) parts.push(`Main thing to work on: ${headline(improvements[0])}.`);
  return { score, strengths, improvements, summary: parts.join(' ') };
}
