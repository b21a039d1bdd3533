// The skills the coach knows, their aliases, and matching them in postings, questions and answers.
import type { CoachJobPosting } from './types.js';
import { cleanForAnalysis, cleanForDisplay, PhraseMatcher, tokenize } from './text.js';

export type SkillId =
  | 'typescript'
  | 'javascript'
  | 'react'
  | 'node'
  | 'graphql'
  | 'postgresql'
  | 'sql'
  | 'python'
  | 'go'
  | 'java'
  | 'kubernetes'
  | 'aws'
  | 'docker'
  | 'system-design'
  | 'leadership'
  | 'communication'
  | 'testing'
  | 'security'
  | 'data'
  | 'machine-learning';

export interface SkillDefinition {
  id: SkillId;
  /** How the skill is named in questions and feedback. */
  label: string;
  /** Phrases that mean this skill anywhere: skills list, title, description, questions, answers. Case-insensitive. */
  aliases: readonly string[];
  /** Phrases too ambiguous in prose ("go", "data") that count only as an entry of the posting's skills list. */
  listOnlyAliases?: readonly string[];
}

export const SKILLS: readonly SkillDefinition[] = [
  { id: 'typescript', label: 'TypeScript', aliases: ['typescript', 'ts', 'tsc'] },
  { id: 'javascript', label: 'JavaScript', aliases: ['javascript', 'js', 'ecmascript', 'es6', 'es2015'] },
  { id: 'react', label: 'React', aliases: ['react', 'reactjs', 'react js', 'react native', 'next js', 'nextjs', 'redux'] },
  { id: 'node', label: 'Node.js', aliases: ['node', 'nodejs', 'node js', 'nestjs', 'express js'] },
  { id: 'graphql', label: 'GraphQL', aliases: ['graphql', 'graph ql', 'apollo'] },
  {
    id: 'postgresql',
    label: 'PostgreSQL',
    aliases: ['postgresql', 'postgres', 'psql', 'pgsql', 'postgre sql'],
    listOnlyAliases: ['pg'],
  },
  {
    id: 'sql',
    label: 'SQL',
    aliases: ['sql', 'mysql', 'mariadb', 'sqlite', 'sql server', 't sql', 'rdbms', 'relational database', 'relational databases'],
  },
  { id: 'python', label: 'Python', aliases: ['python', 'python3', 'django', 'flask', 'fastapi'] },
  {
    id: 'go',
    label: 'Go',
    aliases: [
      'golang',
      'go lang',
      "go's",
      'in go',
      'with go',
      'using go',
      'go code',
      'go service',
      'go services',
      'goroutine',
      'goroutines',
    ],
    listOnlyAliases: ['go'],
  },
  { id: 'java', label: 'Java', aliases: ['java', 'jvm', 'spring boot', 'java ee', 'jakarta ee'] },
  { id: 'kubernetes', label: 'Kubernetes', aliases: ['kubernetes', 'k8s', 'kubectl', 'helm', 'eks', 'gke', 'aks'] },
  {
    id: 'aws',
    label: 'AWS',
    aliases: ['aws', 'amazon web services', 'ec2', 's3', 'aws lambda', 'dynamodb', 'cloudformation', 'ecs', 'fargate'],
  },
  {
    id: 'docker',
    label: 'Docker',
    aliases: ['docker', 'dockerfile', 'container', 'containers', 'containerization', 'containerised', 'containerized'],
  },
  {
    id: 'system-design',
    label: 'system design',
    aliases: [
      'system design',
      'systems design',
      'distributed systems',
      'distributed system',
      'software architecture',
      'architecture',
      'scalability',
      'scalable systems',
    ],
  },
  {
    id: 'leadership',
    label: 'leadership',
    aliases: [
      'leadership',
      'lead',
      'tech lead',
      'team lead',
      'leading',
      'mentoring',
      'mentorship',
      'mentor',
      'people management',
      'engineering manager',
    ],
  },
  {
    id: 'communication',
    label: 'communication',
    aliases: [
      'communication',
      'communicate',
      'communicating',
      'communicator',
      'stakeholder',
      'stakeholders',
      'collaboration',
      'collaborate',
      'presenting',
    ],
  },
  {
    id: 'testing',
    label: 'testing',
    aliases: ['testing', 'tests', 'test', 'unit tests', 'tdd', 'qa', 'jest', 'vitest', 'cypress', 'playwright', 'test automation'],
  },
  {
    id: 'security',
    label: 'security',
    aliases: [
      'security',
      'secure',
      'appsec',
      'owasp',
      'authentication',
      'authorization',
      'oauth',
      'encryption',
      'vulnerability',
      'vulnerabilities',
      'infosec',
    ],
  },
  {
    id: 'data',
    label: 'data engineering',
    aliases: [
      'data engineering',
      'data engineer',
      'data pipeline',
      'data pipelines',
      'data warehouse',
      'data warehousing',
      'data modeling',
      'data modelling',
      'etl',
      'elt',
      'analytics',
      'spark',
      'airflow',
      'dbt',
      'kafka',
      'bigquery',
      'snowflake',
    ],
    listOnlyAliases: ['data'],
  },
  {
    id: 'machine-learning',
    label: 'machine learning',
    aliases: [
      'machine learning',
      'ml',
      'deep learning',
      'pytorch',
      'tensorflow',
      'llm',
      'llms',
      'nlp',
      'mlops',
      'artificial intelligence',
      'ai',
    ],
  },
];

const BY_ID = new Map(SKILLS.map((s) => [s.id, s]));

export function skillLabel(id: SkillId): string {
  return BY_ID.get(id)?.label ?? id;
}

const PROSE_MATCHER = new PhraseMatcher<SkillId>(SKILLS.flatMap((s) => s.aliases.map((a) => [a, s.id] as const)));
const LIST_MATCHER = new PhraseMatcher<SkillId>(
  SKILLS.flatMap((s) => [...s.aliases, ...(s.listOnlyAliases ?? [])].map((a) => [a, s.id] as const)),
);

/** Known skills named in prose (title, description, question, answer), in order of first mention. */
export function knownSkillsInText(text: string): SkillId[] {
  return PROSE_MATCHER.distinct(tokenize(cleanForAnalysis(text)).words);
}

/** A skill the posting asks for: one the coach knows, or a free-form entry of its skills list ("Rust", "Terraform"). */
export type PostingSkill = { kind: 'known'; id: SkillId; label: string } | { kind: 'custom'; label: string; words: string[] };

/** Entries of the skills list beyond this are ignored (bounds the work on hostile input). */
export const MAX_SKILL_ENTRIES = 50;
const MAX_CUSTOM_LABEL_CHARS = 60;
/** A skills-list entry longer than this is a sentence, not a skill name, and is not used as a custom skill. */
const MAX_CUSTOM_SKILL_WORDS = 6;

/**
 * The posting's skills, most important first: entries of its skills list in order, then skills found in its title,
 * then in its description. Entries the coach does not know become custom skills.
 */
export function postingSkills(posting: CoachJobPosting): PostingSkill[] {
  const result: PostingSkill[] = [];
  const seen = new Set<string>();
  const addKnown = (id: SkillId) => {
    if (seen.has(id)) return;
    seen.add(id);
    result.push({ kind: 'known', id, label: skillLabel(id) });
  };
  const entries = Array.isArray(posting?.skills) ? posting.skills.slice(0, MAX_SKILL_ENTRIES) : [];
  for (const entry of entries) {
    const words = tokenize(cleanForAnalysis(entry)).words;
    const known = LIST_MATCHER.distinct(words);
    if (known.length > 0) {
      known.forEach(addKnown);
      continue;
    }
    const key = `custom:${words.join(' ')}`;
    const label = cleanForDisplay(entry, MAX_CUSTOM_LABEL_CHARS);
    if (words.length === 0 || words.length > MAX_CUSTOM_SKILL_WORDS || seen.has(key) || label === '') continue;
    seen.add(key);
    result.push({ kind: 'custom', label, words });
  }
  knownSkillsInText(posting?.title).forEach(addKnown);
  knownSkillsInText(posting?.description).forEach(addKnown);
  return result;
}

/** Which of `skills` a text (given as its words, see `tokenize`) mentions, in the order of `skills`. */
export function skillsMentioned(words: readonly string[], skills: readonly PostingSkill[]): PostingSkill[] {
  if (skills.length === 0) return [];
  const known = new Set(PROSE_MATCHER.distinct(words));
  const custom = new Set(customSkillMatcher(skills).distinct(words));
  return skills.filter((s) => (s.kind === 'known' ? known.has(s.id) : custom.has(s.label)));
}

/** Skills a question (given as its words) asks about: known skills it names, plus the posting's custom skills it names. */
export function skillsInQuestion(words: readonly string[], posting: readonly PostingSkill[]): PostingSkill[] {
  const known: PostingSkill[] = PROSE_MATCHER.distinct(words).map((id) => ({ kind: 'known', id, label: skillLabel(id) }));
  const custom = new Set(customSkillMatcher(posting).distinct(words));
  return [...known, ...posting.filter((s) => s.kind === 'custom' && custom.has(s.label))];
}

function customSkillMatcher(skills: readonly PostingSkill[]): PhraseMatcher<string> {
  return new PhraseMatcher(skills.flatMap((s) => (s.kind === 'custom' ? [[s.words.join(' '), s.label] as const] : [])));
}
