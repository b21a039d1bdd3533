// A deadline per request (REQUEST_DEADLINE_MS, 10 s): a request stuck on a stalled database
// connection answers 504 TIMEOUT at its deadline instead of waiting for TCP keepalive (about 11
// minutes in a network black hole). It wraps the execute function (so everything that touches the
// database there, idempotency records included) and the context's key lookup (`withinDeadline`).
// What is still running when the deadline passes is left to end by itself: its statements time
// out (statement_timeout, and pg's query_timeout for a dead peer), and PostgreSQL rolls back a
// transaction whose connection is gone. A write that answered 504 may still have committed; the
// client retries with the same Idempotency-Key to learn its outcome.
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { timedOut } from '../errors.js';

const started = new WeakMap<Request, number>();

export function useDeadline(deadlineMs: number): Plugin {
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      setExecuteFn(async (executeArgs) => {
        try {
          return await withinDeadline(
            Promise.resolve(executeFn(executeArgs)) as Promise<ExecutionResult>,
            remainingMs(request, deadlineMs),
            deadlineMs,
          );
        } catch (error) {
          if (error instanceof DeadlineExceeded)
            return { errors: [timedOut(`The request did not finish within ${deadlineMs} ms and was stopped; retry shortly`)] };
          throw error;
        }
      });
    },
  };
}

/** Time left of the request's deadline. */
export function remainingMs(request: Request | undefined, deadlineMs: number): number {
  const start = request ? started.get(request) : undefined;
  return start === undefined ? deadlineMs : Math.max(0, deadlineMs - (performance.now() - start));
}

export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/** `promise`, or DeadlineExceeded after `ms` (the promise goes on, unobserved). */
export function withinDeadline<T>(promise: Promise<T>, ms: number, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`deadline of ${deadlineMs} ms passed`)), ms);
  });
  // A rejection after the deadline must not become an unhandled one.
  promise.catch(() => {});
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
