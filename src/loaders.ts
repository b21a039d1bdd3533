// Per-request DataLoaders for what @pothos/plugin-prisma cannot fold into one query (aggregates).
// Created for each request in the context: never module-scoped, never shared across users.
import DataLoader from 'dataloader';
import { db } from './db/client.js';

export interface Loaders {
  /** Mean score of a session's per-answer feedback, or null when nothing is scored yet. */
  averageScore: DataLoader<string, number | null>;
}

export function createLoaders(): Loaders {
  return {
    averageScore: new DataLoader(async (sessionIds) => {
      const rows = await db().feedback.groupBy({
        by: ['sessionId'],
        where: { sessionId: { in: [...sessionIds] }, messageId: { not: null } },
        _avg: { score: true },
      });
      const bySession = new Map(rows.map((row) => [row.sessionId, row._avg.score]));
      return sessionIds.map((id) => bySession.get(id) ?? null);
    }),
  };
}
