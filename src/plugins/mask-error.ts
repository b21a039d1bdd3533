// What a client may see of an error: our own coded errors and GraphQL's; everything else is masked
// as INTERNAL_SERVER_ERROR and its original goes to the log with the request id.
import { GraphQLError } from 'graphql';
import { PothosValidationError } from '@pothos/core';
import type { Logger } from 'pino';
import { dependencyFault } from '../db/faults.js';
import { appError, isAppError, serviceUnavailable, timedOut } from '../errors.js';
import { currentStats } from '../perf/request-stats.js';

export function createMaskError(log: Logger) {
  return (error: unknown, message: string): Error => {
    if (isAppError(error)) return error;
    if (error instanceof GraphQLError) {
      // The client's variables did not fit their types (graphql-js coercion, scalars' parseValue):
      // the client's mistake, answered without echoing the value and never logged.
      const variable = variableError(error);
      if (variable) return variable;
      const original = error.originalError;
      if (isAppError(original)) return withPath(original, error);
      if (original instanceof PothosValidationError) {
        return withPath(appError('BAD_USER_INPUT', original.message), error);
      }
      // Parse and validation errors (no original error) are the client's to see as they are.
      if (!original) return error;
      const fault = faultError(original, log, error.path?.join('.'));
      if (fault) return withPath(fault, error);
      log.error({ err: original, requestId: currentStats()?.requestId, path: error.path?.join('.') }, 'unexpected error in resolver');
    } else {
      const fault = faultError(error, log);
      if (fault) return fault;
      log.error({ err: error, requestId: currentStats()?.requestId }, 'unexpected error');
    }
    return new GraphQLError(message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
    });
  };
}

/** 503 or 504 for a PostgreSQL fault (logged once, as a warning: the fault is not a bug). */
function faultError(error: unknown, log: Logger, path?: string): GraphQLError | undefined {
  const fault = dependencyFault(error);
  if (!fault) return undefined;
  const message = error instanceof Error ? error.message.slice(0, 300) : undefined;
  log.warn({ requestId: currentStats()?.requestId, fault, path, err: { message } }, 'database fault');
  return fault === 'timeout' ? timedOut() : serviceUnavailable();
}

/** Our error, placed where the resolver error happened. */
function withPath(ours: GraphQLError, at: GraphQLError): GraphQLError {
  return new GraphQLError(ours.message, {
    nodes: at.nodes,
    source: at.source,
    positions: at.positions,
    path: at.path,
    extensions: ours.extensions,
  });
}

const VARIABLE = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" /;
const PATH = / at "([_0-9A-Za-z.[\]]{1,200})";/;

/** Why graphql-js refused a value, in words that hold none of it. */
const REASONS: [RegExp, string][] = [
  [/is not defined by type/, 'has a field its input type does not define'],
  [/of required type .* was not provided/, 'lacks a required field'],
  [/does not exist in ".*" enum|Enum ".*" cannot represent/, 'is not a value of its enum'],
  [/cannot represent|Expected type|Expected value of type/, 'is of the wrong type'],
];

/**
 * BAD_USER_INPUT for graphql-js' errors about variables ("got invalid value …", "of non-null type
 * … must not be null", "of required type … was not provided"), or undefined for any other error.
 * The message keeps the variable's name and the path inside it, never the value.
 */
function variableError(error: GraphQLError): GraphQLError | undefined {
  if (error.path !== undefined) return undefined;
  const name = VARIABLE.exec(error.message)?.[1];
  if (!name) return undefined;
  let message: string;
  if (/^Variable "\$[^"]+" got invalid value/.test(error.message)) {
    const at = PATH.exec(error.message)?.[1];
    const reason = REASONS.find(([pattern]) => pattern.test(error.message))?.[1] ?? 'is not valid';
    message = `Variable "$${name}"${at && at !== name ? ` at "${at}"` : ''} ${reason}.`;
  } else if (/must not be null|was not provided/.test(error.message)) {
    message = `Variable "$${name}" is required.`;
  } else {
    message = `Variable "$${name}" is not valid.`;
  }
  return appError('BAD_USER_INPUT', message, { extensions: { variable: name } });
}
