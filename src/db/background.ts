// Background work (the feedback worker) in an async context of its own: its statements belong to
// no request, and it always reads from the primary.
import { AsyncLocalStorage } from 'node:async_hooks';

const background = new AsyncLocalStorage<boolean>();

/** Runs `fn` (and all it starts) as background work: its statements are not a request's. */
export function runInBackground<T>(fn: () => T): T {
  return background.run(true, fn);
}

/** Whether the caller runs as background work (`runInBackground`). */
export function inBackground(): boolean {
  return background.getStore() === true;
}
