// Two `Authorization` headers are refused (401), never resolved by picking one: node:http keeps
// only the first in `req.headers` (and so in the Fetch Request Yoga builds from it), which would let
// a proxy and the server disagree about who is calling. `rawHeaders` still has every copy.
import type { Plugin } from 'graphql-yoga';
import { unauthenticated } from '../errors.js';
import { nodeRequestOf } from './client-address.js';

/** How many `Authorization` fields the client sent, or undefined when not served by node:http. */
export function authorizationCount(serverContext: unknown): number | undefined {
  const raw = (nodeRequestOf(serverContext) as { rawHeaders?: string[] } | undefined)?.rawHeaders;
  if (!raw) return undefined;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') count++;
  return count;
}

export function useSingleAuthorization(): Plugin {
  return {
    onRequest({ serverContext, endResponse, fetchAPI }) {
      if ((authorizationCount(serverContext) ?? 0) <= 1) return;
      const error = unauthenticated('Send one Authorization header, not several');
      const headers = (error.extensions.http as { headers?: Record<string, string> }).headers;
      endResponse(
        fetchAPI.Response.json({ errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] }, { status: 401, headers }),
      );
    },
  };
}
