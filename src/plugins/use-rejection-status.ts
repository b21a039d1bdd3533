// A rejected request answers with a 4xx status and a stable `extensions.code`, whatever the client's
// Accept header. Yoga marks parse and validation errors as "spec" errors, which it answers 200 to
// `application/json` clients (the GraphQL-over-HTTP rule for legacy clients); Cadence's contract
// (README, "Errors") is a 400 for every client, so a proxy or a load test sees rejections as such.
// Errors of Yoga and its plugins that carry no code, or a code of their own, get ours.
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, type ErrorCodeName } from '../errors.js';

/** Codes of Yoga and its plugins, renamed to the one list in src/errors.ts. */
const RENAMED: Record<string, ErrorCodeName> = {
  REQUEST_ENTITY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_IN_LIST',
  PERSISTED_QUERY_ID_REQUIRED: 'BAD_REQUEST',
  // Several operations and no (or no matching) operationName: Yoga resolves the operation before
  // validation, so this precedes UniqueOperationNames' verdict.
  OPERATION_RESOLUTION_FAILURE: 'BAD_REQUEST',
};

/** A code for an error that has an HTTP status but no code (e.g. the CSRF check's 403). */
const BY_STATUS: Record<number, ErrorCodeName> = {
  400: 'BAD_REQUEST',
  403: 'FORBIDDEN',
  405: 'BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'BAD_REQUEST',
};

interface HttpExtension {
  status?: number;
  spec?: boolean;
  headers?: Record<string, string>;
}

export function useRejectionStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        // Only whole-request rejections: a field error beside data keeps its own status.
        if (typeof single !== 'object' || single === null || Symbol.asyncIterator in single || 'data' in single) continue;
        for (const error of single.errors ?? []) normalize(error);
      }
    },
  };
}

function normalize(error: GraphQLError): void {
  const extensions = error.extensions as Record<string, unknown>;
  const http = (extensions.http ?? {}) as HttpExtension;
  let code = typeof extensions.code === 'string' ? extensions.code : undefined;
  if (code && RENAMED[code]) code = RENAMED[code];
  if (!code && http.status) code = BY_STATUS[http.status];
  if (!code || !(code in ErrorCode)) return;
  extensions.code = code;
  // The error objects may be cached by Yoga (parse and validation caches): set, never toggle.
  const status = ErrorCode[code as ErrorCodeName];
  extensions.http = { ...http, spec: false, status: http.status && http.status >= 400 ? http.status : status };
}
