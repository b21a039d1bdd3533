import { describe, expect, it } from 'vitest';
import { knownSkillsInText, postingSkills, SKILLS, skillsMentioned } from '../../src/coach/skills.js';
import { SKILL_QUESTIONS } from '../../src/coach/question-bank.js';
import { tokenize } from '../../src/coach/text.js';
import { posting } from './fixtures.js';

const ids = (p: Parameters<typeof postingSkills>[0]) => postingSkills(p).map((s) => (s.kind === 'known' ? s.id : `custom:${s.label}`));

describe('the skill catalogue', () => {
  it('knows about twenty skills, each with at least three questions', () => {
    expect(SKILLS.length).toBeGreaterThanOrEqual(20);
    for (const skill of SKILLS) expect(SKILL_QUESTIONS[skill.id].length, skill.id).toBeGreaterThanOrEqual(3);
  });

  it('has no alias claimed by two skills', () => {
    const owners = new Map<string, string>();
    for (const skill of SKILLS)
      for (const alias of [...skill.aliases, ...(skill.listOnlyAliases ?? [])]) {
        expect(owners.get(alias), `${alias} in ${skill.id}`).toBeUndefined();
        owners.set(alias, skill.id);
      }
  });
});

describe('matching a posting to skills', () => {
  it.each([
    ['postgres', 'postgresql'],
    ['PostgreSQL', 'postgresql'],
    ['pg', 'postgresql'],
    ['k8s', 'kubernetes'],
    ['Kubernetes', 'kubernetes'],
    ['TS', 'typescript'],
    ['golang', 'go'],
    ['Go', 'go'],
    ['Node.js', 'node'],
    ['ReactJS', 'react'],
    ['ML', 'machine-learning'],
    ['Amazon Web Services', 'aws'],
    ['Data', 'data'],
    ['System Design', 'system-design'],
  ])('reads the skills-list entry %j as %s', (entry, id) => {
    expect(ids(posting({ skills: [entry], title: '', description: '' }))).toEqual([id]);
  });

  it('keeps the skills list order, then adds skills from the title, then the description', () => {
    expect(ids(posting({ skills: ['GraphQL', 'TS'], title: 'Python Developer', description: 'We run on k8s and AWS.' }))).toEqual([
      'graphql',
      'typescript',
      'python',
      'kubernetes',
      'aws',
    ]);
  });

  it('does not list a skill twice', () => {
    expect(ids(posting({ skills: ['postgres', 'PostgreSQL', 'pg'], title: 'Postgres DBA', description: 'postgres all day' }))).toEqual([
      'postgresql',
    ]);
  });

  it('does not read the English words "go" or "data" in prose as skills', () => {
    expect(ids(posting({ skills: [], title: 'Engineer', description: 'Ready to go? We love data and shipping.' }))).toEqual([]);
  });

  it('reads Node.js as Node, not as JavaScript', () => {
    expect(ids(posting({ skills: [], title: '', description: 'Experience with Node.js required.' }))).toEqual(['node']);
  });

  it('keeps unknown skills-list entries as custom skills, and drops sentence-length or empty ones', () => {
    expect(
      ids(
        posting({
          skills: ['Rust', '  ', '\u0000', 'rust', 'Experience with all of the many things we do here daily'],
          title: '',
          description: '',
        }),
      ),
    ).toEqual(['custom:Rust']);
  });

  it('survives a posting whose fields are missing at runtime', () => {
    expect(postingSkills({} as never)).toEqual([]);
  });
});

describe('finding skills in answers', () => {
  const skills = postingSkills(posting({ skills: ['Go', 'PostgreSQL', 'Rust'], title: '', description: '' }));
  const mentioned = (answer: string) => skillsMentioned(tokenize(answer).words, skills).map((s) => s.label);

  it('finds aliases and custom skills case-insensitively', () => {
    expect(mentioned('I rewrote the service in Go on top of postgres, later some RUST.')).toEqual(['Go', 'PostgreSQL', 'Rust']);
  });

  it('does not count "go" as a verb', () => {
    expect(mentioned('I had to go and fix it.')).toEqual([]);
  });

  it('recognises known skills in free text', () => {
    expect(knownSkillsInText('We deploy Docker containers to EKS and test with Vitest')).toEqual(['docker', 'kubernetes', 'testing']);
  });
});
