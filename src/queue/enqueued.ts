// "Jobs were enqueued": writers call `jobsEnqueued()` after the commit that inserted operations, so
// this process's worker starts them at once instead of at its next poll. Other instances' workers
// find them by polling.
const listeners = new Set<() => void>();

export function onJobsEnqueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function jobsEnqueued(): void {
  for (const listener of listeners) listener();
}
