// A compiled plan for one persisted document: derived once at start-up, it turns a request's
// variables and viewer into one SQL statement and its bound parameters, or into `null`, which
// means "let the reference executor answer" (a missing viewer, variables graphql-js would reject,
// a page size or cursor the plan does not cover). A plan never answers what it is unsure of.
import { decodeBase64, decodeCursorChunk } from '@pothos/core';
import {
  getArgumentValues,
  getVariableValues,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  visit,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { parseId } from '../schema/ids.js';
import { CONNECTION, type RootField, type TypeMapping } from './mapping.js';
import { Build, rootConnectionJson, rootNodeJson, rootViewerJson, type NestedPage } from './sql.js';
import { Unsupported, operationOf, selectedFields, type SelectedField } from './selection.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Arguments of a connection the plan must see unset (it does not page backwards). */
const BACKWARD_ARGS = ['last', 'before'];
/** The arguments of a nested connection (plugin-prisma's relatedConnection) the plan knows. */
const PAGE_ARGS = new Set(['first', 'after', 'last', 'before']);

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

/** A nested connection whose page comes from the request's variables (bound per request). */
interface PageSite {
  node: FieldNode;
  definition: GraphQLField<unknown, unknown>;
}

/** Which optional values a statement variant binds: per root, then per page site. */
interface Presence {
  roots: { filters: string[]; after: boolean }[];
  /** Per page site: whether it pages from an `after` cursor. */
  sites: boolean[];
}

export class CompiledPlan {
  /** One statement text per combination of optional arguments present (the planner picks its index per text). */
  private readonly variants = new Map<string, string>();

  private constructor(
    readonly operationName: string | null,
    private readonly schema: GraphQLSchema,
    private readonly types: Readonly<Record<string, TypeMapping>>,
    private readonly operation: OperationDefinitionNode,
    private readonly roots: RootPart[],
    private readonly sites: PageSite[],
    /** Nested connections whose arguments are literals: their page, fixed at start-up. */
    private readonly fixedPages: ReadonlyMap<FieldNode, NestedPage>,
  ) {}

  /** Compiles `source` over `types` and `roots` (registry.ts); throws `Unsupported` (with the reason) for what it cannot answer. */
  static compile(
    schema: GraphQLSchema,
    types: Readonly<Record<string, TypeMapping>>,
    rootFields: Readonly<Record<string, RootField>>,
    source: string,
  ): CompiledPlan {
    const operation = operationOf(parse(source));
    const queryType = schema.getQueryType()!;
    const roots = selectedFields(operation.selectionSet).map((selection): RootPart => {
      const root = rootFields[selection.name];
      const definition = queryType.getFields()[selection.name];
      if (!root || !definition) throw new Unsupported(`Query.${selection.name}`);
      return { key: selection.key, root, definition, selection };
    });
    const sites: PageSite[] = [];
    const fixedPages = new Map<FieldNode, NestedPage>();
    for (const part of roots) {
      const objects = part.root.kind === 'rootConnection' ? nodesOf(part.selection.children) : part.selection.children;
      findConnections(schema, types, part.root.type, objects, sites, fixedPages);
    }
    const plan = new CompiledPlan(operation.name?.value ?? null, schema, types, operation, roots, sites, fixedPages);
    // Every variant now, so an unsupported selection is found at start-up, not on a request.
    for (const present of allPresence(roots, sites)) plan.statement(present);
    return plan;
  }

  /** The statement for this request, or null to use the reference executor. */
  bind(variables: Record<string, unknown> | null | undefined, userId: string | null): BoundStatement | null {
    if (!userId) return null; // The reference answers UNAUTHENTICATED exactly as it should.
    const coerced = getVariableValues(this.schema, this.operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) return null;
    const params: unknown[] = [userId];
    const present: Presence = { roots: [], sites: [] };
    for (const part of this.roots) {
      const args = argumentsOf(part.definition, part.selection.node, coerced.coerced);
      if (args === null) return null;
      if (part.root.kind === 'rootViewer') {
        present.roots.push({ filters: [], after: false });
        continue;
      }
      if (part.root.kind === 'rootNode') {
        const id = nodeId(args[part.root.idArg], part.root.type);
        if (id === null) return null;
        params.push(id);
        present.roots.push({ filters: [], after: false });
        continue;
      }
      const page = pageOf(args);
      if (page === null) return null;
      params.push(page.first);
      const filters: string[] = [];
      for (const name of Object.keys(part.root.filters)) {
        const value = args[name];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string') return null;
        filters.push(name);
        params.push(value);
      }
      if (page.after !== null) params.push(page.after);
      present.roots.push({ filters, after: page.after !== null });
    }
    for (const site of this.sites) {
      const args = argumentsOf(site.definition, site.node, coerced.coerced);
      const page = args && pageOf(args);
      if (!page) return null;
      params.push(page.first);
      if (page.after !== null) params.push(page.after);
      present.sites.push(page.after !== null);
    }
    return { sql: this.statement(present), params };
  }

  private statement(present: Presence): string {
    const key = JSON.stringify(present);
    let sql = this.variants.get(key);
    if (sql === undefined) {
      sql = buildStatement(this.types, this.roots, this.sites, this.fixedPages, present);
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
    return allPresence(this.roots, this.sites).map((present) => this.statement(present));
  }
}

/**
 * `$1` is the viewer; then, per root field, its id or its first, the filters present and the
 * cursor; then, per page site, its first and its cursor when present.
 */
function buildStatement(
  types: Readonly<Record<string, TypeMapping>>,
  roots: RootPart[],
  sites: PageSite[],
  fixedPages: ReadonlyMap<FieldNode, NestedPage>,
  present: Presence,
): string {
  let next = 2;
  const rootParams = roots.map((part, i) => {
    if (part.root.kind === 'rootViewer') return null;
    if (part.root.kind === 'rootNode') return { id: `$${next++}::uuid` };
    const p = present.roots[i]!;
    const first = `$${next++}::int`;
    const filters: Record<string, string> = {};
    for (const name of p.filters) filters[name] = `$${next++}`;
    const after = p.after ? `$${next++}::uuid` : null;
    return { first, filters, after };
  });
  const pages = new Map(fixedPages);
  for (const [i, site] of sites.entries()) {
    const first = `$${next++}::int`;
    pages.set(site.node, { first, after: present.sites[i] ? `$${next++}::uuid` : null });
  }
  const build = new Build(types, pages);
  const viewer = '$1::uuid';
  const objects: string[] = [];
  const parts = roots.map((part, i) => {
    const alias = `r${i}`;
    const params = rootParams[i];
    let json: string;
    if (part.root.kind === 'rootViewer') {
      json = rootViewerJson(build, part.root, viewer, part.selection.children);
      objects.push(alias);
    } else if (part.root.kind === 'rootNode') {
      json = rootNodeJson(build, part.root, { viewer, id: (params as { id: string }).id }, part.selection.children);
      objects.push(alias);
    } else {
      const { first, filters, after } = params as { first: string; filters: Record<string, string>; after: string | null };
      json = rootConnectionJson(build, part.root, { viewer, first, filters, after }, part.selection.children);
    }
    return { key: part.key, json, alias };
  });
  // Each root value once, in a derived row, so `complete` can test the objects without rebuilding them.
  const values = parts.map((p) => `${p.json} AS ${p.alias}`).join(', ');
  const object = parts.map((p) => `'${p.key}', r.${p.alias}`).join(', ');
  const complete = objects.length === 0 ? 'true' : objects.map((alias) => `r.${alias} IS NOT NULL`).join(' AND ');
  return `SELECT json_build_object(${object})::text AS data, ${complete} AS complete FROM (SELECT ${values}) r`;
}

function allPresence(roots: RootPart[], sites: PageSite[]): Presence[] {
  let combos: Presence['roots'][] = [[]];
  for (const part of roots) {
    if (part.root.kind !== 'rootConnection') {
      combos = combos.map((combo) => [...combo, { filters: [], after: false }]);
      continue;
    }
    const names = Object.keys(part.root.filters);
    const options: Presence['roots'] = [];
    for (let mask = 0; mask < 1 << names.length; mask++) {
      const filters = names.filter((_, bit) => mask & (1 << bit));
      options.push({ filters, after: false }, { filters, after: true });
    }
    combos = combos.flatMap((combo) => options.map((option) => [...combo, option]));
  }
  let siteCombos: boolean[][] = [[]];
  for (const _ of sites) siteCombos = siteCombos.flatMap((combo) => [false, true].map((after) => [...combo, after]));
  return combos.flatMap((rootsPresent) => siteCombos.map((sitesPresent) => ({ roots: rootsPresent, sites: sitesPresent })));
}

/** The objects of a connection's selection: what `edges { node { … } }` selects. */
function nodesOf(selection: SelectedField[]): SelectedField[] {
  return selection
    .filter((f) => f.name === 'edges')
    .flatMap((edges) => edges.children.filter((f) => f.name === 'node').flatMap((n) => n.children));
}

/**
 * Walks the selection under `typeName` for nested connections: those with variables in their
 * arguments become page sites, bound per request; the others get their page now. What the mapping
 * does not know is left for sql.ts to refuse.
 */
function findConnections(
  schema: GraphQLSchema,
  types: Readonly<Record<string, TypeMapping>>,
  typeName: string,
  selection: SelectedField[],
  sites: PageSite[],
  fixedPages: Map<FieldNode, NestedPage>,
): void {
  const mapping = types[typeName];
  const type = schema.getType(typeName);
  if (!mapping || !isObjectType(type)) return;
  for (const field of selection) {
    const fieldMapping = mapping.fields[field.name];
    if (!fieldMapping) continue;
    if (fieldMapping.kind === 'toOne' || fieldMapping.kind === 'toMany' || fieldMapping.kind === 'toOneBy') {
      findConnections(schema, types, fieldMapping.type, field.children, sites, fixedPages);
      continue;
    }
    if (fieldMapping.kind !== 'connection') continue;
    const definition = type.getFields()[field.name];
    if (!definition) continue;
    const unknown = definition.args.find((arg) => !PAGE_ARGS.has(arg.name));
    if (unknown) throw new Unsupported(`the argument ${unknown.name} of ${typeName}.${field.name}`);
    if (usesVariables(field.node)) {
      sites.push({ node: field.node, definition });
    } else {
      const args = argumentsOf(definition, field.node, {});
      const page = args && pageOf(args);
      if (!page) throw new Unsupported(`the arguments of ${typeName}.${field.name}`);
      // The literal cursor's id passed the UUID pattern: safe to write into the SQL.
      fixedPages.set(field.node, { first: String(page.first), after: page.after === null ? null : `'${page.after}'::uuid` });
    }
    findConnections(schema, types, fieldMapping.type, nodesOf(field.children), sites, fixedPages);
  }
}

function usesVariables(node: FieldNode): boolean {
  let found = false;
  for (const argument of node.arguments ?? []) {
    visit(argument.value, {
      [Kind.VARIABLE]: () => {
        found = true;
      },
    });
  }
  return found;
}

/** A field's argument values as graphql-js would coerce them, or null when it would reject them. */
function argumentsOf(
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> | null {
  try {
    return getArgumentValues(definition, node, variables);
  } catch {
    return null;
  }
}

/** A forward page within Pothos' bounds, or null for anything the reference should judge. */
function pageOf(args: Record<string, unknown>): { first: number; after: string | null } | null {
  if (BACKWARD_ARGS.some((name) => args[name] !== undefined)) return null;
  const first = args.first === undefined ? CONNECTION.defaultSize : args.first;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > CONNECTION.maxSize) return null;
  if (args.after === undefined || args.after === null) return { first, after: null };
  const after = cursorId(args.after);
  return after === null ? null : { first, after };
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
