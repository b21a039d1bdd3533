// The one Pothos builder: plugins, scalars, auth scopes and root types. Defines no object types.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import TracingPlugin, { isRootField, pathToString, runFunction } from '@pothos/plugin-tracing';
import type PrismaTypes from '../prisma/generated/pothos-types.js';
import { getDatamodel } from '../prisma/generated/pothos-types.js';
import type { Context } from './context.js';
import { db } from './db/client.js';
import { forbidden, unauthenticated } from './errors.js';
import { decodeGlobalId, encodeGlobalId } from './schema/ids.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { public: boolean; viewer: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
}>({
  // Tracing first so its wrapper times everything the other plugins add to a resolver.
  plugins: [TracingPlugin, ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  tracing: {
    // Narrow on purpose: root fields, plus fields that opt in (`tracing: true`, e.g. loader-backed
    // aggregates). Exposed columns and relations folded into the parent's query cost nothing worth
    // timing, and wrapping every resolver would cost more than it tells.
    default: (config) => isRootField(config),
    wrap: (resolver) => (parent, args, ctx, info) =>
      runFunction(
        () => resolver(parent, args, ctx, info),
        (_error, durationMs) => ctx.perf.addResolver({ path: pathToString(info), durationMs }),
      ),
  },
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (ctx) => ({ public: true, viewer: ctx.viewer !== null }),
    // A missing key is UNAUTHENTICATED (401); a key that lacks a scope would be FORBIDDEN.
    unauthorizedError: (_parent, ctx) => (ctx.viewer ? forbidden() : unauthenticated()),
  },
  prisma: {
    client: () => db(),
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    // A resolver that forgets to spread `query` would silently fetch relations one by one.
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'error',
    defaultConnectionSize: 20,
    maxConnectionSize: 100,
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    // Defined in src/schema/node.ts: one bad id must not fail the others.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO-8601 string in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return date;
  },
});

builder.queryType({});
builder.mutationType({});
