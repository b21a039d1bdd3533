// `npm run loadtest -- --full-pages` (bench/lib/full-pages.ts): each user's first page (20) holds
// copies of the user's own sessions, with their messages and feedback, sorted before the seeded
// ones and after nothing a run creates; removing them leaves the seed as it was.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillFirstPages, removeFilledPages } from '../../bench/lib/full-pages.js';
import { seedScale, type SeededKey } from '../../src/db/seed/scale.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

let scratch: ScratchDatabase;
let client: pg.Client;
let tmp: string;
let users: string[];
let seededAt: string;

const count = async (sql: string, params: unknown[] = []) => Number((await client.query<{ n: string }>(sql, params)).rows[0]!.n);

beforeAll(async () => {
  scratch = await createScratchDatabase('cadence_full_pages');
  tmp = await mkdtemp(path.join(tmpdir(), 'cadence-full-pages-'));
  const keysOut = path.join(tmp, 'keys.json');
  await seedScale({ databaseUrl: scratch.url, users: 4, sessionsPerUser: 7, messagesPerSession: 6, feedbackPerSession: 2, keysOut });
  users = (JSON.parse(await readFile(keysOut, 'utf8')) as SeededKey[]).map((k) => k.userId);
  seededAt = new Date().toISOString();
  client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.end();
  await scratch?.drop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('fillFirstPages', () => {
  it('fills the given users to a full page with copies that carry their messages and feedback, and removes them', async () => {
    const before = {
      sessions: await count('SELECT count(*) AS n FROM interview_sessions'),
      messages: await count('SELECT count(*) AS n FROM session_messages'),
      feedback: await count('SELECT count(*) AS n FROM feedback'),
    };
    // Three of the four users: the fourth must be left alone.
    const filled = await fillFirstPages(scratch.url, users.slice(0, 3), 20, seededAt);
    expect(filled.sessionIds).toHaveLength(3 * 13);
    expect(filled.messages).toBe(3 * 13 * 6);
    expect(filled.feedback).toBe(3 * 13 * 2);
    for (const [i, user] of users.entries()) {
      expect(await count('SELECT count(*) AS n FROM interview_sessions WHERE user_id = $1', [user])).toBe(i < 3 ? 20 : 7);
    }
    // The first page, newest first, starts with the copies; each copy's feedback points at its own messages.
    const page = await client.query<{ id: string }>(
      'SELECT id FROM interview_sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 13',
      [users[0]],
    );
    expect(page.rows.every((r) => filled.sessionIds.includes(r.id))).toBe(true);
    expect(
      await count(
        `SELECT count(*) AS n FROM feedback f JOIN session_messages m ON m.id = f.message_id
         WHERE f.session_id = ANY($1::uuid[]) AND m.session_id <> f.session_id`,
        [filled.sessionIds],
      ),
    ).toBe(0);
    expect(
      await count('SELECT count(*) AS n FROM interview_sessions WHERE created_at < $1 AND id = ANY($2::uuid[])', [
        seededAt,
        filled.sessionIds,
      ]),
    ).toBe(0);
    // Already full: a second call copies nothing.
    expect((await fillFirstPages(scratch.url, users.slice(0, 3), 20, seededAt)).sessionIds).toHaveLength(0);

    expect(await removeFilledPages(scratch.url, filled)).toBe(3 * 13);
    expect({
      sessions: await count('SELECT count(*) AS n FROM interview_sessions'),
      messages: await count('SELECT count(*) AS n FROM session_messages'),
      feedback: await count('SELECT count(*) AS n FROM feedback'),
    }).toEqual(before);
  });
});
