// The request policy, in the order it must run: transport checks, persisted operations, limits on
// the document, then cost; all of it before execution. yoga.ts puts these at its `policy` slot.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { useDocumentLimits } from '../plugins/use-document-limits.js';
import { usePersistedOperations } from '../plugins/use-persisted-operations.js';
import { useQueryCost } from '../plugins/use-query-cost.js';
import { useRejectionStatus } from '../plugins/use-rejection-status.js';
import { loadManifest } from './persisted.js';

export type PolicyConfig = Pick<Config, 'allowIntrospection' | 'persistedOperationsOnly' | 'adminApiKeyHashes' | 'QUERY_COST_LIMIT'>;

/** The header a GET or a form-encoded POST must carry (browsers cannot send it cross-site without a preflight). */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

export function policyPlugins(config: PolicyConfig): Plugin[] {
  return [
    // A "simple" request (GET, or a form or text/plain POST) needs no CORS preflight, so a hostile
    // page could send one with the victim's cookies; refuse it without a custom header (403).
    useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
    // Ahead of the limits (a persisted document is resolved to its text first) and of any response cache.
    usePersistedOperations({
      manifest: loadManifest(),
      required: config.persistedOperationsOnly,
      adminKeyHashes: config.adminApiKeyHashes,
    }),
    useDocumentLimits({ introspection: config.allowIntrospection, suggestions: config.allowIntrospection }),
    useQueryCost({ maxCost: config.QUERY_COST_LIMIT }),
    useRejectionStatus(),
  ];
}

export { LIMITS } from './limits.js';
