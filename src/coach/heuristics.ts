// Explainable heuristics for one answer. Each looks at one thing, returns points and says why in one sentence.
import type { AnswerFeedback, CoachJobPosting } from './types.js';
import { postingSkills, skillsInQuestion, skillsMentioned, type PostingSkill } from './skills.js';
import { cleanForAnalysis, PhraseMatcher, tokenize, type Tokens } from './text.js';

/** Everything the heuristics need, computed once per answer. */
export interface AnswerContext {
  /** The answer, cleaned (see `cleanForAnalysis`). */
  text: string;
  tokens: Tokens;
  /** Whether the question asks for a story ("tell me about a time…"), where STAR structure matters most. */
  behaviouralQuestion: boolean;
  /** Skills the question names. */
  questionSkills: PostingSkill[];
  /** The posting's skills, most important first. */
  postingSkills: PostingSkill[];
}

export type HeuristicId = 'length' | 'structure' | 'question-focus' | 'role-skills' | 'filler' | 'metrics' | 'ownership';

export interface HeuristicResult {
  id: HeuristicId;
  /** Added to BASE_SCORE; negative for problems. */
  points: number;
  strength?: string;
  improvement?: string;
}

export type Heuristic = (context: AnswerContext) => HeuristicResult;

/** Score before any heuristic; the final score is clamped to 0..100. */
export const BASE_SCORE = 45;

// Sentences are "Headline (details)." — the headline alone is stable across answers, which session feedback relies on.
function sentence(headline: string, details?: string): string {
  return details ? `${headline} (${details}).` : `${headline}.`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listOf(items: readonly string[], max = 3): string {
  return items.length > max ? `${items.slice(0, max).join(', ')}, …` : items.join(', ');
}

// ---- length -------------------------------------------------------------------------------------------------------

export const TOO_SHORT_WORDS = 40;
export const TOO_LONG_WORDS = 400;
const FAR_TOO_SHORT_WORDS = 15;
const DEEP_ENOUGH_WORDS = 80;

export const length: Heuristic = ({ tokens }) => {
  const n = tokens.words.length;
  const words = plural(n, 'word');
  if (n < FAR_TOO_SHORT_WORDS)
    return {
      id: 'length',
      points: -20,
      improvement: sentence('Answer is far too short to show your experience', `${words}; aim for 100-300`),
    };
  if (n < TOO_SHORT_WORDS) return { id: 'length', points: -10, improvement: sentence('Answer is too short', `${words}; aim for 100-300`) };
  if (n < DEEP_ENOUGH_WORDS)
    return { id: 'length', points: 0, improvement: sentence('Go one level deeper with specifics', `${words}; 100-300 is typical`) };
  if (n <= TOO_LONG_WORDS) return { id: 'length', points: 10, strength: sentence('Answer length is well judged', words) };
  return {
    id: 'length',
    points: -8,
    improvement: sentence('Answer runs long; lead with the key points', `${words}; aim for under ${TOO_LONG_WORDS}`),
  };
};

// ---- structure (STAR) ---------------------------------------------------------------------------------------------

type StarPart = 'situation' | 'task' | 'action' | 'result';
const STAR_PARTS: readonly StarPart[] = ['situation', 'task', 'action', 'result'];

export const STAR_CUES: Readonly<Record<StarPart, readonly string[]>> = {
  situation: [
    'situation',
    'context',
    'background',
    'at the time',
    'at my last',
    'at my previous',
    'in my last',
    'in my previous',
    'previously',
    'last year',
    'we had',
    'there was',
    'the problem was',
    'the issue was',
    'our team',
    'my team',
    'when i was',
    'we were',
    'faced',
  ],
  task: [
    'task',
    'goal',
    'objective',
    'responsible',
    'responsibility',
    'needed to',
    'had to',
    'my job was',
    'my role was',
    'asked to',
    'challenge',
    'deadline',
    'requirement',
    'requirements',
    'aim was',
    'wanted to',
    'was to',
  ],
  action: [
    'i built',
    'i implemented',
    'i designed',
    'i decided',
    'i led',
    'i wrote',
    'i created',
    'i proposed',
    'i introduced',
    'i organised',
    'i organized',
    'i refactored',
    'i migrated',
    'i added',
    'i analysed',
    'i analyzed',
    'i investigated',
    'i profiled',
    'i automated',
    'i coordinated',
    'i negotiated',
    'i rewrote',
    'i deployed',
    'i shipped',
    'i launched',
    'i mentored',
    'i optimised',
    'i optimized',
    'i fixed',
    'i prototyped',
    'i measured',
    'i benchmarked',
    'i set up',
    'i drove',
    'i owned',
    'i reviewed',
    'i instrumented',
    'i paired',
    'i escalated',
    'i presented',
    'i documented',
    'i tested',
    'i talked',
    'i met',
    'i reached out',
    'i scheduled',
    'i split',
    'i replaced',
    'i moved',
    'i started',
    'i spoke',
    'i asked',
    'i suggested',
    'i changed',
    'i ran',
    'i traced',
    'i wrote up',
    'i took',
    'implemented',
    'refactored',
    'migrated',
    'profiled',
    'automated',
  ],
  result: [
    'result',
    'results',
    'resulted',
    'as a result',
    'outcome',
    'in the end',
    'ultimately',
    'reduced',
    'increased',
    'improved',
    'saved',
    'cut',
    'grew',
    'dropped',
    'decreased',
    'halved',
    'doubled',
    'led to',
    'which meant',
    'impact',
    'learned',
    'learnt',
    'lesson',
    'delivered',
    'successfully',
    'achieved',
    'shipped on time',
    'went from',
    'fell',
  ],
};

const STAR_MATCHER = new PhraseMatcher<StarPart>(STAR_PARTS.flatMap((part) => STAR_CUES[part].map((cue) => [cue, part] as const)));

const BEHAVIOURAL_CUES = new PhraseMatcher<true>(
  [
    'tell me about a time',
    'describe a time',
    'describe a situation',
    'give me an example',
    'give an example',
    'a time when',
    'a time you',
    'walk me through a time',
    'have you ever',
  ].map((cue) => [cue, true] as const),
);

export function isBehaviouralQuestion(words: readonly string[]): boolean {
  return BEHAVIOURAL_CUES.matches(words).length > 0;
}

export function starParts(words: readonly string[]): Set<StarPart> {
  return new Set(STAR_MATCHER.distinct(words));
}

const STAR_POINTS = [-5, -5, 2, 9, 15] as const; // by number of STAR parts present

export const structure: Heuristic = ({ tokens, behaviouralQuestion }) => {
  const present = starParts(tokens.words);
  const missing = STAR_PARTS.filter((p) => !present.has(p));
  // Stories are judged fully on STAR; technical answers still benefit from a concrete example, at half weight.
  const full = STAR_POINTS[present.size] ?? 0;
  const points = behaviouralQuestion ? full : Math.trunc(full / 2);
  if (missing.length === 0)
    return { id: 'structure', points, strength: sentence('Clear STAR structure', 'situation, task, action and result are all there') };
  if (present.size === 3)
    return { id: 'structure', points, strength: sentence('Mostly well structured', `add the ${missing[0]} to complete STAR`) };
  return {
    id: 'structure',
    points,
    improvement: sentence('Structure the answer as STAR: Situation, Task, Action, Result', `missing: ${missing.join(', ')}`),
  };
};

// ---- skills -------------------------------------------------------------------------------------------------------

export const questionFocus: Heuristic = ({ tokens, questionSkills }) => {
  if (questionSkills.length === 0) return { id: 'question-focus', points: 0 };
  const labels = questionSkills.map((s) => s.label);
  if (skillsMentioned(tokens.words, questionSkills).length > 0)
    return { id: 'question-focus', points: 5, strength: sentence('Speaks directly to what was asked', listOf(labels)) };
  return { id: 'question-focus', points: -5, improvement: sentence('Address the skill the question asks about', listOf(labels)) };
};

export const roleSkills: Heuristic = ({ tokens, postingSkills: skills }) => {
  if (skills.length === 0) return { id: 'role-skills', points: 0 };
  const mentioned = skillsMentioned(tokens.words, skills).map((s) => s.label);
  if (mentioned.length === 0)
    return {
      id: 'role-skills',
      points: -5,
      improvement: sentence("Connect the answer to the role's skills", `e.g. ${listOf(skills.map((s) => s.label))}`),
    };
  return {
    id: 'role-skills',
    points: mentioned.length >= 2 ? 8 : 4,
    strength: sentence("Connects the answer to the role's skills", listOf(mentioned)),
  };
};

// ---- filler words -------------------------------------------------------------------------------------------------

const HESITATION = /^(?:u+m+|u+h+m*|e+r+m+|e+r+|h+m+|a+h+)$/;
// "like" is a filler after these ("it was like really slow"), not in "I would like to" or "things like caching".
const LIKE_FILLER_AFTER = new Set([
  'was',
  'is',
  'were',
  "it's",
  "that's",
  'and',
  'but',
  'so',
  'just',
  "i'm",
  "we're",
  "they're",
  'um',
  'uh',
  'like',
  'basically',
  'actually',
]);
// "you know" is a question after these ("do you know"), "sort of"/"kind of" a real noun after these ("what kind of").
const YOU_KNOW_NOT_AFTER = new Set(['do', 'did', 'if', "don't", 'what', 'whether', 'would', 'might']);
const KIND_OF_NOT_AFTER = new Set([
  'what',
  'this',
  'that',
  'the',
  'a',
  'any',
  'every',
  'which',
  'same',
  'one',
  'these',
  'those',
  'some',
  'different',
  'right',
  'wrong',
]);

/** Filler words in an answer, with counts, in order of first use. */
export function fillerCounts(tokens: Tokens): Map<string, number> {
  const { words, breakBefore } = tokens;
  const counts = new Map<string, number>();
  const add = (filler: string) => counts.set(filler, (counts.get(filler) ?? 0) + 1);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const previous = i > 0 ? (words[i - 1] as string) : '';
    const next = words[i + 1];
    if (word.length <= 5 && HESITATION.test(word))
      add(word.startsWith('u') ? (word.includes('m') ? 'um' : 'uh') : word.replace(/(.)\1+/g, '$1'));
    else if (word === 'basically' || word === 'actually' || word === 'literally') add(word);
    else if (word === 'like') {
      const commaAfter = next !== undefined && breakBefore[i + 1] === true;
      if (commaAfter || (!breakBefore[i] && LIKE_FILLER_AFTER.has(previous))) add('like');
    } else if (word === 'you' && next === 'know' && !(i > 0 && !breakBefore[i] && YOU_KNOW_NOT_AFTER.has(previous))) {
      add('you know');
      i++;
    } else if ((word === 'sort' || word === 'kind') && next === 'of' && !(!breakBefore[i] && KIND_OF_NOT_AFTER.has(previous))) {
      add(`${word} of`);
      i++;
    }
  }
  return counts;
}

export const filler: Heuristic = ({ tokens }) => {
  const n = tokens.words.length;
  const counts = fillerCounts(tokens);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0)
    return n >= TOO_SHORT_WORDS
      ? { id: 'filler', points: 4, strength: sentence('Crisp delivery with no filler words') }
      : { id: 'filler', points: 0 };
  const details = [...counts].sort((a, b) => b[1] - a[1]).map(([word, count]) => `"${word}" x${count}`);
  const per100 = (total / Math.max(n, 1)) * 100;
  if (per100 <= 2) return { id: 'filler', points: 0 };
  return {
    id: 'filler',
    points: per100 <= 5 ? -6 : -12,
    improvement: sentence('Cut the filler words', listOf(details)),
  };
};

// ---- concrete numbers ---------------------------------------------------------------------------------------------

// A number, optionally with currency before it and a unit after it. The look-behind stops retries inside a digit run,
// so this stays linear even on 20,000 digits.
const METRIC =
  /(?<![\p{L}\p{N}.,])([$£€]\s?)?(\d+(?:[.,]\d+)*)(\s?(?:%|(?:percent|pct|x|k|m|bn|ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?|users?|customers?|clients?|requests?|rps|qps|people|engineers?|developers?|teams?|services?|tickets?|bugs?|incidents?|gb|tb|mb|points?)(?![\p{L}\p{N}])))?/giu;
const METRIC_WORDS = new Set(['doubled', 'tripled', 'quadrupled', 'halved', 'tenfold', 'twofold', 'threefold']);
const MAX_METRIC_CHARS = 24;

/** Concrete figures in an answer ("40%", "$2m", "3x", "150 ms", "doubled"), in order; a value written twice counts once. */
export function metricsIn(text: string, words: readonly string[]): string[] {
  const found = new Map<string, string>(); // value -> first way it was written ("2.4 seconds", later "2.4 s")
  for (const match of text.matchAll(METRIC)) {
    const [whole, currency, digits = '', unit] = match;
    const bare = !currency && !unit;
    const value = Number(digits.replaceAll(',', ''));
    // Bare years ("in 2019") and small counts ("2 options") are not metrics; decimals and larger numbers are.
    if (bare && /^(?:19|20)\d\d$/.test(digits)) continue;
    if (bare && !digits.includes('.') && value < 10) continue;
    const key = `${currency ?? ''}${digits}${unit?.trim() === '%' ? '%' : ''}`.slice(0, MAX_METRIC_CHARS);
    if (!found.has(key)) found.set(key, whole.trim().slice(0, MAX_METRIC_CHARS));
  }
  for (const word of words) if (METRIC_WORDS.has(word) && !found.has(word)) found.set(word, word);
  return [...found.values()];
}

export const metrics: Heuristic = ({ text, tokens }) => {
  const found = metricsIn(text, tokens.words);
  if (found.length === 0)
    return {
      id: 'metrics',
      points: -5,
      improvement: sentence('Quantify the impact', 'time saved, % improvement, users, cost, error rates'),
    };
  return { id: 'metrics', points: found.length >= 2 ? 12 : 6, strength: sentence('Backs claims with concrete numbers', listOf(found)) };
};

// ---- ownership ----------------------------------------------------------------------------------------------------

const FIRST_PERSON = new Set(['i', "i'm", "i've", "i'd", "i'll", 'my', 'me', 'myself']);
const TEAM = new Set(['we', "we're", "we've", "we'd", "we'll", 'our', 'us', 'ourselves']);

export const ownership: Heuristic = ({ tokens }) => {
  let mine = 0;
  let ours = 0;
  for (const word of tokens.words) {
    if (FIRST_PERSON.has(word)) mine++;
    else if (TEAM.has(word)) ours++;
  }
  const counts = `"I" x${mine}, "we" x${ours}`;
  if (mine === 0 && ours >= 2)
    return { id: 'ownership', points: -6, improvement: sentence('Say what you did, not only what the team did', counts) };
  if (mine === 0 && ours < 2)
    return tokens.words.length >= FAR_TOO_SHORT_WORDS
      ? { id: 'ownership', points: -5, improvement: sentence('Describe your own actions in the first person', counts) }
      : { id: 'ownership', points: 0 };
  if (ours > 3 * mine) return { id: 'ownership', points: -3, improvement: sentence('Make your own part more visible', counts) };
  if (mine >= 2) return { id: 'ownership', points: 8, strength: sentence('Shows clear personal ownership', counts) };
  return { id: 'ownership', points: 0 };
};

// ---- putting it together ------------------------------------------------------------------------------------------

export const HEURISTICS: readonly Heuristic[] = [length, structure, questionFocus, roleSkills, filler, metrics, ownership];

export function answerContext(input: { jobPosting: CoachJobPosting; question: string; answer: string }): AnswerContext {
  const text = cleanForAnalysis(input.answer);
  const questionWords = tokenize(cleanForAnalysis(input.question)).words;
  const skills = postingSkills(input.jobPosting);
  return {
    text,
    tokens: tokenize(text),
    behaviouralQuestion: isBehaviouralQuestion(questionWords),
    questionSkills: skillsInQuestion(questionWords, skills),
    postingSkills: skills,
  };
}

export function clampScore(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.min(100, Math.max(0, Math.round(score)));
}

export function verdict(score: number): string {
  if (score >= 85) return 'Excellent answer';
  if (score >= 70) return 'Strong answer';
  if (score >= 50) return 'Solid answer with room to grow';
  if (score >= 30) return 'This answer needs work';
  return 'Weak answer';
}

/** Strips a feedback sentence to its headline: "Cut the filler words (\"um\" x3)." -> "Cut the filler words". */
export function headline(message: string): string {
  const trimmed = message.trim().replace(/\.$/, '');
  const paren = trimmed.indexOf(' (');
  return paren > 0 ? trimmed.slice(0, paren) : trimmed;
}

export const EMPTY_ANSWER_IMPROVEMENT = sentence('Give an answer, ideally built around one specific example');

/** Feedback on one answer: every heuristic's points added to BASE_SCORE, biggest wins and biggest problems first. */
export function assessAnswerWithHeuristics(
  input: { jobPosting: CoachJobPosting; question: string; answer: string },
  heuristics: readonly Heuristic[] = HEURISTICS,
): AnswerFeedback & { results: HeuristicResult[] } {
  const context = answerContext(input);
  if (context.tokens.words.length === 0) {
    return { score: 0, strengths: [], improvements: [EMPTY_ANSWER_IMPROVEMENT], summary: 'No answer to assess.', results: [] };
  }
  const results = heuristics.map((h) => h(context));
  const score = clampScore(results.reduce((sum, r) => sum + r.points, BASE_SCORE));
  // Stable sorts: ties keep the heuristics' order.
  const strengths = results
    .filter((r) => r.strength)
    .sort((a, b) => b.points - a.points)
    .map((r) => r.strength as string);
  const improvements = results
    .filter((r) => r.improvement)
    .sort((a, b) => a.points - b.points)
    .map((r) => r.improvement as string);
  const parts = [`${verdict(score)} (${score}/100).`];
  if (strengths[0]) parts.push(`Best: ${headline(strengths[0])}.`);
  if (improvements[0]) parts.push(`Next time: ${headline(improvements[0])}.`);
  return { score, strengths, improvements, summary: parts.join(' '), results };
}
