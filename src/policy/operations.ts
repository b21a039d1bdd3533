// Calling the frontend's typed operations (schema/generated, from codegen) over Yoga's fetch API or
// HTTP: by persisted id by default, as the production frontend does. Used by the gates, the tests
// and the benchmarks.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print } from 'graphql';

/** A typed document as the client preset emits it: its persisted hash is in `__meta__`. */
export type Operation<R = unknown, V = Record<string, unknown>> = TypedDocumentNode<R, V> & {
  __meta__?: { hash?: string };
};

export interface Transport {
  fetch(url: string, init: RequestInit): Response | Promise<Response>;
}

export interface OperationResponse<R> {
  status: number;
  headers: Headers;
  body: {
    data?: R | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
    extensions?: Record<string, unknown>;
  };
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Send `{ documentId }` (true) or the document text (false). @default true */
  persisted?: boolean;
  /** @default 'http://cadence.test/graphql' */
  url?: string;
}

/** The operation's name (`SessionsList`). */
export function operationName(operation: Operation<unknown, never>): string {
  const name = getOperationAST(operation)?.name?.value;
  if (!name) throw new Error('A frontend operation must be named');
  return name;
}

/** The id the persisted-operations plugin knows this document by (SHA-256 hex). */
export function persistedId(operation: Operation<unknown, never>): string {
  const hash = operation.__meta__?.hash;
  if (!hash) throw new Error(`${operationName(operation)} has no persisted hash: run \`npm run codegen\``);
  return hash.replace(/^sha256:/, '');
}

export async function callOperation<R, V>(
  transport: Transport,
  operation: Operation<R, V>,
  variables: V,
  options: CallOptions = {},
): Promise<OperationResponse<R>> {
  const op = operation as Operation<unknown, never>;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
    ...options.headers,
  };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const payload =
    options.persisted === false
      ? { query: print(op), operationName: operationName(op), variables }
      : { documentId: persistedId(op), operationName: operationName(op), variables };
  const response = await transport.fetch(options.url ?? 'http://cadence.test/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify(payload),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as OperationResponse<R>['body'] };
}

/** Data of a call that must succeed; throws with the errors otherwise. */
export async function mustCall<R, V>(
  transport: Transport,
  operation: Operation<R, V>,
  variables: V,
  options: CallOptions = {},
): Promise<R> {
  const response = await callOperation(transport, operation, variables, options);
  if (response.status !== 200 || response.body.errors?.length || !response.body.data) {
    const name = operationName(operation as Operation<unknown, never>);
    throw new Error(`${name} failed with HTTP ${response.status}: ${JSON.stringify(response.body.errors ?? response.body)}`);
  }
  return response.body.data;
}
