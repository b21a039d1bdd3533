// Persisted operations: the frontend's documents by hash, from the manifest codegen writes
// (schema/generated/persisted-documents.json). When they are required (production by default),
// any other document is refused before parsing, unless the request carries an admin key.
// Keep this plugin ahead of any response cache: the cache keys on the document text it resolves.
import { usePersistedOperations as useYogaPersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { hashApiKey } from '../auth/api-keys.js';
import { ErrorCode } from '../errors.js';

export interface PersistedOperationsOptions {
  /** SHA-256 hex of a document → the document. */
  manifest: ReadonlyMap<string, string>;
  /** Refuse documents that are not in the manifest (admin keys excepted). @default false */
  required?: boolean;
  /** SHA-256 hex digests of the keys that may send any document (the `api_keys.hash` column). @default none */
  adminKeyHashes?: ReadonlySet<string>;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function usePersistedOperations(options: PersistedOperationsOptions): Plugin {
  const { manifest, required = false, adminKeyHashes = new Set<string>() } = options;
  return useYogaPersistedOperations({
    getPersistedOperation: (id) => manifest.get(id) ?? null,
    extractPersistedOperationId,
    // Hashing the header costs no SQL: a document refused here never reaches the key lookup.
    // Whether the admin key is live (not revoked) is still checked by authentication, as for any key.
    allowArbitraryOperations: required ? (request) => isAdminKey(request.headers.get('authorization'), adminKeyHashes) : true,
    customErrors: {
      notFound: {
        message: 'Unknown persisted operation id: it is not in this server’s persisted-documents.json.',
        extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST } },
      },
      persistedQueryOnly: {
        message: 'Only persisted operations are accepted here: send {"documentId": "<sha256>"} instead of a query.',
        extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST } },
      },
      keyNotFound: {
        message: 'Send a "query", or a "documentId" from persisted-documents.json.',
        extensions: { code: 'BAD_REQUEST', http: { status: ErrorCode.BAD_REQUEST } },
      },
    },
  }) as Plugin;
}

/**
 * `documentId` (GraphQL over HTTP's persisted documents, what codegen's client preset sends) or
 * Apollo's `extensions.persistedQuery.sha256Hash`; a `sha256:` prefix is accepted.
 */
export function extractPersistedOperationId(params: GraphQLParams, request?: Request): string | null {
  // Yoga's GET parser keeps only the standard parameters, so a GET's documentId is read from the URL.
  const fromUrl = request?.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null;
  const documentId = (params as GraphQLParams & { documentId?: unknown }).documentId ?? fromUrl;
  const apq = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  const id = typeof documentId === 'string' ? documentId : typeof apq === 'string' ? apq : null;
  return id === null ? null : id.replace(/^sha256:/, '');
}

export function isAdminKey(authorization: string | null, adminKeyHashes: ReadonlySet<string>): boolean {
  if (!authorization || adminKeyHashes.size === 0) return false;
  const key = BEARER.exec(authorization)?.[1];
  return key !== undefined && adminKeyHashes.has(hashApiKey(key));
}
