// The one place error codes are defined: every error a client can see carries one of these codes.
import { GraphQLError } from 'graphql';

/** Stable `extensions.code` values and the HTTP status each implies. */
export const ErrorCode = {
  // GraphQL's and Yoga's own request-level codes: not a document for this schema, or not a GraphQL
  // request at all. Cadence answers them 400 whatever the Accept header (src/plugins/use-rejection-status.ts).
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  COST_LIMIT_EXCEEDED: 400,
  PERSISTED_QUERY_NOT_IN_LIST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  // A missing object (or another user's: the two answer alike) is a field error beside other data,
  // so it keeps HTTP 200 rather than failing the whole response.
  NOT_FOUND: 200,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

export interface AppErrorOptions {
  /** Extra, safe-to-show fields for `extensions` (e.g. the offending argument). */
  extensions?: Record<string, unknown>;
  /** Extra HTTP headers (e.g. `WWW-Authenticate`, `Retry-After`). */
  headers?: Record<string, string>;
}

/** A GraphQL error the client is meant to see, with a stable code and HTTP status. */
export function appError(code: ErrorCodeName, message: string, options: AppErrorOptions = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code,
      ...options.extensions,
      http: { status: ErrorCode[code], ...(options.headers ? { headers: options.headers } : {}) },
    },
  });
}

export const badInput = (message: string, argument?: string) =>
  appError('BAD_USER_INPUT', message, argument ? { extensions: { argument } } : {});

export const notFound = (what: string) => appError('NOT_FOUND', `${what} not found`);

export const unauthenticated = (message = 'A valid API key is required: send "Authorization: Bearer <key>"') =>
  appError('UNAUTHENTICATED', message, { headers: { 'WWW-Authenticate': 'Bearer realm="cadence"' } });

export const forbidden = (message = 'Not allowed') => appError('FORBIDDEN', message);

export const conflict = (message: string) => appError('CONFLICT', message);

/** A dependency (PostgreSQL) cannot serve now: 503 with a hint of when to retry. */
export const serviceUnavailable = (retryAfterSeconds = 1) =>
  appError('SERVICE_UNAVAILABLE', 'The database is unavailable right now; retry shortly', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/** The request ran past its deadline, or the database past its statement timeout: 504. */
export const timedOut = (message = 'The request took too long and was stopped; retry shortly') =>
  appError('TIMEOUT', message, { headers: { 'Retry-After': '1' } });

/** The row, or NOT_FOUND: for rows a concurrent request may have deleted since they were written. */
export function found<T>(row: T | null, what: string): T {
  if (row === null) throw notFound(what);
  return row;
}

/** True for errors made by `appError` (safe to show unmasked). */
export function isAppError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && typeof error.extensions?.code === 'string' && error.extensions.code in ErrorCode;
}
