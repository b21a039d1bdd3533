// What a client may see of an error: our own coded errors and GraphQL's; everything else is masked
// as INTERNAL_SERVER_ERROR and its original goes to the log with the request id.
import { GraphQLError } from 'graphql';
import { PothosValidationError } from '@pothos/core';
import type { Logger } from 'pino';
import { appError, isAppError } from '../errors.js';
import { currentStats } from '../perf/request-stats.js';

export function createMaskError(log: Logger) {
  return (error: unknown, message: string): Error => {
    if (isAppError(error)) return error;
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      if (isAppError(original)) return withPath(original, error);
      if (original instanceof PothosValidationError) {
        return withPath(appError('BAD_USER_INPUT', original.message), error);
      }
      // Parse and validation errors (no original error) are the client's to see as they are.
      if (!original) return error;
      log.error({ err: original, requestId: currentStats()?.requestId, path: error.path?.join('.') }, 'unexpected error in resolver');
    } else {
      log.error({ err: error, requestId: currentStats()?.requestId }, 'unexpected error');
    }
    return new GraphQLError(message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
    });
  };
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
