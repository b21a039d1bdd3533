// A compiled plan for one persisted document: derived once at start-up, it turns a request's
// variables and viewer into one SQL statement and its bound parameters, or into `null`, which
// means "let the reference executor answer" (a missing viewer, variables graphql-js would reject,
// a page size or cursor the plan does not cover). A plan never answers what it is unsure of.
import { decodeBase64, decodeCursorChunk } from '@pothos/core';
import {
  getArgumentValues,
  getVariableValues,
  isNonNullType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { parseId } from '../schema/ids.js';
import { CONNECTION, ROOT_FIELDS, type RootField } from './mapping.js';
import { Aliases, rootConnectionJson, rootNodeJson } from './sql.js';
import { Unsupported, operationOf, selectedFields, type SelectedField } from './selection.js';
import { parse } from 'graphql';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Arguments of a root connection the plan must see unset (it does not page backwards). */
const BACKWARD_ARGS = ['last', 'before'];

export interface BoundStatement {
  /** Returns one row: `data` (the response's data as JSON text) and `complete`. */
  sql: string;
  params: unknown[];
}

/**
 * The statement's row. `complete` is false when a root object was not found: the reference
 * executor then answers, so its error (NOT_FOUND, with its message and path) stays the contract.
 */
export interface StatementRow {
  data: string;
  complete: boolean;
}

interface RootPart {
  key: string;
  root: RootField;
  definition: GraphQLField<unknown, unknown>;
  selection: SelectedField;
}

export class CompiledPlan {
  /** One statement text per combination of optional arguments present (the planner picks its index per text). */
  private readonly variants = new Map<string, string>();

  private constructor(
    readonly operationName: string | null,
    private readonly schema: GraphQLSchema,
    private readonly operation: OperationDefinitionNode,
    private readonly roots: RootPart[],
  ) {}

  /** Compiles `source`; throws `Unsupported` (with the reason) for what it cannot answer. */
  static compile(schema: GraphQLSchema, source: string): CompiledPlan {
    const operation = operationOf(parse(source));
    const queryType = schema.getQueryType()!;
    const roots = selectedFields(operation.selectionSet).map((selection): RootPart => {
      const root = ROOT_FIELDS[selection.name];
      const definition = queryType.getFields()[selection.name];
      if (!root || !definition) throw new Unsupported(`Query.${selection.name}`);
      return { key: selection.key, root, definition, selection };
    });
    const plan = new CompiledPlan(operation.name?.value ?? null, schema, operation, roots);
    // Every variant now, so an unsupported selection is found at start-up, not on a request.
    for (const present of allPresence(roots)) plan.statement(present);
    return plan;
  }

  /** The statement for this request, or null to use the reference executor. */
  bind(variables: Record<string, unknown> | null | undefined, userId: string | null): BoundStatement | null {
    if (!userId) return null; // The reference answers UNAUTHENTICATED exactly as it should.
    const coerced = getVariableValues(this.schema, this.operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) return null;
    const params: unknown[] = [userId];
    const present: Presence[] = [];
    for (const part of this.roots) {
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(part.definition, part.selection.node, coerced.coerced);
      } catch {
        return null;
      }
      if (part.root.kind === 'rootNode') {
        const id = nodeId(args[part.root.idArg], part.root.type);
        if (id === null) return null;
        params.push(id);
        present.push({ filters: [], after: false });
        continue;
      }
      if (BACKWARD_ARGS.some((name) => args[name] !== undefined)) return null;
      const first = args.first === undefined ? CONNECTION.defaultSize : args.first;
      if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > CONNECTION.maxSize) return null;
      params.push(first);
      const filters: string[] = [];
      for (const name of Object.keys(part.root.filters)) {
        const value = args[name];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string') return null;
        filters.push(name);
        params.push(value);
      }
      let after = false;
      if (args.after !== undefined && args.after !== null) {
        const id = cursorId(args.after);
        if (id === null) return null;
        after = true;
        params.push(id);
      }
      present.push({ filters, after });
    }
    return { sql: this.statement(present), params };
  }

  private statement(present: Presence[]): string {
    const key = JSON.stringify(present);
    let sql = this.variants.get(key);
    if (sql === undefined) {
      sql = buildStatement(this.roots, present);
      this.variants.set(key, sql);
    }
    return sql;
  }

  /** `data` of a failed statement, as graphql-js nulls failed root fields (all of it if one is non-null). */
  dataOnError(): Record<string, null> | null {
    if (this.roots.some((r) => isNonNullType(r.definition.type))) return null;
    return Object.fromEntries(this.roots.map((r) => [r.key, null]));
  }

  /** Response keys of the root fields, in order (the trace names the first). */
  get rootKeys(): string[] {
    return this.roots.map((r) => r.key);
  }

  /** Every statement text this plan may run (tests EXPLAIN them all). */
  statements(): string[] {
    return allPresence(this.roots).map((present) => this.statement(present));
  }
}

interface Presence {
  filters: string[];
  after: boolean;
}

/** `$1` is the viewer; then, per root field, first, the filters present, the cursor. */
function buildStatement(roots: RootPart[], present: Presence[]): string {
  const aliases = new Aliases();
  let next = 2;
  const nodes: string[] = [];
  const parts = roots.map((part, i) => {
    if (part.root.kind === 'rootNode') {
      const json = rootNodeJson(aliases, part.root, { viewer: '$1::uuid', id: `$${next++}::uuid` }, part.selection.children);
      nodes.push(`r${i}`);
      return { key: part.key, json, alias: `r${i}` };
    }
    const p = present[i]!;
    const first = `$${next++}::int`;
    const filters: Record<string, string> = {};
    for (const name of p.filters) filters[name] = `$${next++}`;
    const after = p.after ? `$${next++}::uuid` : null;
    const json = rootConnectionJson(aliases, part.root, { viewer: '$1::uuid', first, filters, after }, part.selection.children);
    return { key: part.key, json, alias: `r${i}` };
  });
  // Each root value once, in a derived row, so `complete` can test the objects without rebuilding them.
  const values = parts.map((p) => `${p.json} AS ${p.alias}`).join(', ');
  const object = parts.map((p) => `'${p.key}', r.${p.alias}`).join(', ');
  const complete = nodes.length === 0 ? 'true' : nodes.map((alias) => `r.${alias} IS NOT NULL`).join(' AND ');
  return `SELECT json_build_object(${object})::text AS data, ${complete} AS complete FROM (SELECT ${values}) r`;
}

function allPresence(roots: RootPart[]): Presence[][] {
  let combos: Presence[][] = [[]];
  for (const part of roots) {
    if (part.root.kind === 'rootNode') {
      combos = combos.map((combo) => [...combo, { filters: [], after: false }]);
      continue;
    }
    const names = Object.keys(part.root.filters);
    const options: Presence[] = [];
    for (let mask = 0; mask < 1 << names.length; mask++) {
      const filters = names.filter((_, bit) => mask & (1 << bit));
      options.push({ filters, after: false }, { filters, after: true });
    }
    combos = combos.flatMap((combo) => options.map((option) => [...combo, option]));
  }
  return combos;
}

/** The row id inside a global id of `type`, or null for the reference to judge. */
function nodeId(globalId: unknown, type: string): string | null {
  if (typeof globalId !== 'string') return null;
  try {
    return parseId(globalId, type);
  } catch {
    return null;
  }
}

/** The row id inside a plugin-prisma cursor, or null for anything the reference should judge. */
function cursorId(cursor: unknown): string | null {
  if (typeof cursor !== 'string') return null;
  try {
    const decoded = decodeBase64(cursor);
    if (!decoded.startsWith('GPC:')) return null;
    const value: unknown = decodeCursorChunk(decoded.slice(4));
    return typeof value === 'string' && UUID.test(value) ? value : null;
  } catch {
    return null;
  }
}
