// One reload per event per instance instead of one per subscriber. Both buses hand every listener of
// a session the same event object (RedisPubSub parses a message once for all its listeners; the
// in-process bus emits the one object), so a load memoised on that object is shared by the
// subscribers of the session on this instance and lives only as long as the event is being
// delivered. The key names the viewer and the exact Prisma selection: a subscriber only ever shares a
// load made for the same user (all subscribers of a session are its owner, and every load still
// filters by the viewer) asking for the same fields.
const loads = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Counts for tests and the bench: loads run, and loads answered by another subscriber's. */
export const sharedEventLoadStats = { loaded: 0, shared: 0 };

export function sharedEventLoad<T>(event: object, userId: string, selection: unknown, load: () => Promise<T>): Promise<T> {
  let byKey = loads.get(event);
  if (!byKey) loads.set(event, (byKey = new Map()));
  const key = `${userId}\u0000${JSON.stringify(selection)}`;
  const existing = byKey.get(key) as Promise<T> | undefined;
  if (existing) {
    sharedEventLoadStats.shared++;
    return existing;
  }
  sharedEventLoadStats.loaded++;
  const loading = load();
  byKey.set(key, loading);
  return loading;
}
