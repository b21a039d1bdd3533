// Breaking changes of the public schema, found with @graphql-inspector/core, must be announced in
// schema/breaking-changes.json before they land. Checked across every committed version of
// schema/schema.graphql (git history, oldest first) and then the schema the code builds now, so a
// breaking change fails CI in the commit that makes it and in every later run until announced.
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { ROOT } from './codegen.js';

export const SCHEMA_PATH = 'schema/schema.graphql';
export const ANNOUNCEMENTS_PATH = 'schema/breaking-changes.json';

/** One announced breaking change: inspector's change type and path, and why it is acceptable. */
export interface Announcement {
  type: string;
  path: string;
  reason: string;
}

export interface SchemaVersion {
  /** A commit (short hash) or "working tree". */
  label: string;
  sdl: string;
}

export interface FoundChange {
  from: string;
  to: string;
  type: string;
  path: string;
  message: string;
  level: 'BREAKING' | 'DANGEROUS';
  announced: boolean;
}

export function readAnnouncements(): Announcement[] {
  const parsed = JSON.parse(readFileSync(resolve(ROOT, ANNOUNCEMENTS_PATH), 'utf8')) as { announced?: Announcement[] };
  return parsed.announced ?? [];
}

/**
 * Committed versions of schema/schema.graphql on the mainline (first parents), oldest first. Empty outside a git checkout; a
 * shallow clone gives the versions it has.
 */
export function committedVersions(): SchemaVersion[] {
  let log: string;
  try {
    // --first-parent: the mainline's versions. Branches developed side by side each change the
    // schema from the same base; compared with each other in commit-date order they would show
    // differences that no client ever saw.
    log = execFileSync('git', ['log', '--first-parent', '--format=%h', '--reverse', '--', SCHEMA_PATH], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return [];
  }
  return log
    .split('\n')
    .filter(Boolean)
    .map((commit) => ({
      label: commit,
      sdl: execFileSync('git', ['show', `${commit}:${SCHEMA_PATH}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
    }));
}

/** Breaking and dangerous changes between consecutive versions, each marked announced or not. */
export async function schemaChanges(versions: SchemaVersion[], announcements: Announcement[]): Promise<FoundChange[]> {
  const found: FoundChange[] = [];
  for (let i = 1; i < versions.length; i++) {
    const before = versions[i - 1]!;
    const after = versions[i]!;
    if (before.sdl === after.sdl) continue;
    const changes: Change[] = await diff(buildSchema(before.sdl), buildSchema(after.sdl));
    for (const change of changes) {
      const level = change.criticality.level;
      if (level === CriticalityLevel.NonBreaking) continue;
      const path = change.path ?? '';
      found.push({
        from: before.label,
        to: after.label,
        type: change.type,
        path,
        message: change.message,
        level: level === CriticalityLevel.Breaking ? 'BREAKING' : 'DANGEROUS',
        announced: announcements.some((a) => a.type === change.type && a.path === path),
      });
    }
  }
  return found;
}

/** The committed history, then the schema the code builds now (`current`, sorted SDL). */
export async function checkBreakingChanges(current: string): Promise<FoundChange[]> {
  const versions = [...committedVersions(), { label: 'working tree', sdl: current }];
  return schemaChanges(versions, readAnnouncements());
}
