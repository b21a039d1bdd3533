// Request ids: keep a safe incoming X-Request-ID, replace anything else, echo it on every response.
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

// Word characters, dots, dashes and colons only: nothing that could forge a log line or a header.
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const ids = new WeakMap<Request, string>();

/** The id of a request seen by `useRequestId` (a fresh one if it was not). */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const incoming = request.headers.get('x-request-id');
    id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    ids.set(request, id);
  }
  return id;
}

export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      requestIdOf(request);
    },
    onResponse({ request, response }) {
      response.headers.set('X-Request-ID', requestIdOf(request));
    },
  };
}
