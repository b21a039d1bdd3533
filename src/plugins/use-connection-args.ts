// Connection arguments checked before execution: `first`/`last` within 1..MAX_PAGE_SIZE and
// `after`/`before` cursors well formed. A bad page never reaches a resolver or the database.
import { decodeBase64, decodeCursorChunk } from '@pothos/core';
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from '../errors.js';

export const MAX_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ConnectionArgsOptions {
  /** Largest `first`/`last` accepted. @default 100 */
  maxPageSize?: number;
}

export function useConnectionArgs(options: ConnectionArgsOptions = {}): Plugin {
  const max = options.maxPageSize ?? MAX_PAGE_SIZE;
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = findConnectionArgError(args.schema, args.document, args.variableValues ?? {}, max);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/** A connection field in a document, with what its arguments are read from. */
interface ConnectionSite {
  def: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

// Yoga hands the same DocumentNode back for the same query text (its parse cache), so the walk
// with TypeInfo happens once per document and each request only reads argument values.
const sitesByDocument = new WeakMap<DocumentNode, ConnectionSite[]>();

function connectionSites(schema: GraphQLSchema, document: DocumentNode): ConnectionSite[] {
  let sites = sitesByDocument.get(document);
  if (sites) return sites;
  sites = [];
  const found = sites;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        const type = def && getNamedType(getNullableType(def.type));
        if (def && type && isObjectType(type) && type.name.endsWith('Connection')) found.push({ def, node });
      },
    }),
  );
  sitesByDocument.set(document, sites);
  return sites;
}

/** The first bad connection argument in the document, or null. */
export function findConnectionArgError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  max: number,
): GraphQLError | null {
  for (const { def, node } of connectionSites(schema, document)) {
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(def, node, variables);
    } catch {
      continue; // Left to GraphQL's own coercion errors.
    }
    const error = checkPage(values, max) ?? checkCursor(values);
    if (error) return error;
  }
  return null;
}

function checkPage(values: Record<string, unknown>, max: number): GraphQLError | null {
  for (const name of ['first', 'last'] as const) {
    const value = values[name];
    if (value !== undefined && value !== null && (typeof value !== 'number' || value < 1 || value > max)) {
      return badInput(`"${name}" must be between 1 and ${max}`, name);
    }
  }
  return null;
}

function checkCursor(values: Record<string, unknown>): GraphQLError | null {
  for (const name of ['after', 'before'] as const) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    if (!isValidCursor(value)) return badInput(`"${name}" is not a cursor from this API`, name);
  }
  return null;
}

/** Cursors are @pothos/plugin-prisma's `GPC:` encoding of a uuid primary key. */
export function isValidCursor(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 200) return false;
  try {
    const decoded = decodeBase64(value);
    if (!decoded.startsWith('GPC:')) return false;
    const id = decodeCursorChunk(decoded.slice(4));
    return typeof id === 'string' && UUID.test(id);
  } catch {
    return false;
  }
}
