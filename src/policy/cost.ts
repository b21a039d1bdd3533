// The static measure of an operation: cost, depth, breadth and aliases, computed from the document,
// the schema and the variables alone, before any resolver runs.
//
// Cost model (GitHub's "nodes" extended with a few query costs), chosen so that the figure tracks
// the rows a response can hold rather than the number of fields asked for:
// - every item a list can return costs 1: a connection's `edges` count `first`/`last` (default 20),
//   `nodes(ids:)` counts its ids, a plain list counts its known bound (LIST_SIZES);
// - sizes multiply down the tree: 20 sessions × 10 messages each is 200 items;
// - a single object costs nothing more than its parent row (plugin-prisma folds it into the parent's
//   query), except at the root, where each field costs 1 (a query) or MUTATION_FIELD_COST (a write);
// - scalars are free, except the aggregates in LEAF_COSTS, which cost a query of their own.
// Fragments are expanded (memoized, so fragments spread inside fragments stay linear) and fields
// under @skip/@include count as if included: the measure is an upper bound, the same for every
// request of the same document and variables.
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  typeFromAST,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_LIST_SIZE, DEFAULT_PAGE_SIZE, LEAF_COSTS, LIST_SIZES, MUTATION_FIELD_COST } from './limits.js';

export interface Measure {
  /** Static cost (see the model above). */
  cost: number;
  /** Fields on the longest path, leaves included; fragments add no level (as graphql-armor's max-depth with `flattenFragments`). */
  depth: number;
  /** Field selections once fragments are expanded, duplicates included. */
  breadth: number;
  /** Aliased fields once fragments are expanded (`__typename` aliases excluded, as graphql-armor). */
  aliases: number;
  /** Fields selected at the root of the operation. */
  rootFields: number;
  operationType: 'query' | 'mutation' | 'subscription';
}

interface Tally {
  cost: number;
  depth: number;
  breadth: number;
  aliases: number;
}

const ZERO: Tally = { cost: 0, depth: 0, breadth: 0, aliases: 0 };

/** Measures the operation `operationName` (or the only one) of `document`; null when there is none to pick. */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: { operationName?: string | null; variables?: Record<string, unknown> | null } = {},
): Measure | null {
  const operation = getOperationAST(document, options.operationName ?? undefined);
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walker = new Walker(schema, fragments, withDefaults(schema, operation, options.variables ?? {}), operation.operation);
  const tally = walker.selectionSet(operation.selectionSet, rootType, { root: true, pageSize: undefined });
  return { ...tally, rootFields: walker.countRootFields(operation.selectionSet), operationType: operation.operation };
}

/** The variables of `operationName` as the executor will see them: provided values, else the defaults. */
export function variablesWithDefaults(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  provided: Record<string, unknown>,
): Record<string, unknown> {
  const operation = getOperationAST(document, operationName ?? undefined);
  return operation ? withDefaults(schema, operation, provided) : provided;
}

function withDefaults(schema: GraphQLSchema, operation: OperationDefinitionNode, provided: Record<string, unknown>) {
  const variables: Record<string, unknown> = { ...provided };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] !== undefined || !definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type);
    // typeFromAST's overloads want a concrete node kind; any input type is fine here.
    if (type) variables[name] = valueFromAST(definition.defaultValue, type as Parameters<typeof valueFromAST>[1]);
  }
  return variables;
}

interface Scope {
  /** True for the operation's own selection set. */
  root: boolean;
  /** The page size of the connection whose selection set this is (its `edges` list has this many items). */
  pageSize: number | undefined;
}

class Walker {
  private readonly memo = new Map<string, Tally>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly operationType: OperationDefinitionNode['operation'],
  ) {}

  selectionSet(set: SelectionSetNode, parentType: GraphQLNamedType, scope: Scope): Tally {
    let total: Tally = ZERO;
    for (const selection of set.selections) {
      let part: Tally;
      if (selection.kind === Kind.FIELD) {
        part = this.field(selection, parentType, scope);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parentType;
        part = this.selectionSet(selection.selectionSet, type ?? parentType, scope);
      } else {
        part = this.fragment(selection.name.value, scope);
      }
      total = {
        cost: total.cost + part.cost,
        depth: Math.max(total.depth, part.depth),
        breadth: total.breadth + part.breadth,
        aliases: total.aliases + part.aliases,
      };
    }
    return total;
  }

  /** Root fields, looking through fragments at the root (a fragment cycle counts once). */
  countRootFields(set: SelectionSetNode, seen = new Set<string>()): number {
    let count = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) count += 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) count += this.countRootFields(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = this.fragments.get(selection.name.value);
        if (fragment) count += this.countRootFields(fragment.selectionSet, seen);
      }
    }
    return count;
  }

  private fragment(name: string, scope: Scope): Tally {
    const key = `${name}|${scope.root}|${scope.pageSize ?? ''}`;
    const known = this.memo.get(key);
    if (known) return known;
    const fragment = this.fragments.get(name);
    // An unknown fragment or a cycle is left to validation (KnownFragmentNames, NoFragmentCycles).
    if (!fragment || this.visiting.has(key)) return ZERO;
    const type = this.schema.getType(fragment.typeCondition.name.value);
    if (!type) return ZERO;
    this.visiting.add(key);
    const tally = this.selectionSet(fragment.selectionSet, type, scope);
    this.visiting.delete(key);
    this.memo.set(key, tally);
    return tally;
  }

  private field(node: FieldNode, parentType: GraphQLNamedType, scope: Scope): Tally {
    const name = node.name.value;
    const aliases = node.alias && name !== '__typename' && node.alias.value !== '__typename' ? 1 : 0;
    const leaf: Tally = { cost: 0, depth: 1, breadth: 1, aliases };
    // Introspection is governed by its own switch (ALLOW_INTROSPECTION), not by cost.
    if (name.startsWith('__')) return leaf;
    const def = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
    if (!def) return leaf; // Unknown field: FieldsOnCorrectType reports it.
    const coordinate = `${parentType.name}.${name}`;
    const type = getNamedType(def.type);
    if (isLeafType(type) || !node.selectionSet) return { ...leaf, cost: LEAF_COSTS[coordinate] ?? 0 };

    const args = this.argumentsOf(def, node);
    const isConnection = isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
    const children = this.selectionSet(node.selectionSet, type, {
      root: false,
      pageSize: isConnection ? pageSizeOf(args) : undefined,
    });
    let cost: number;
    if (isListType(getNullableType(def.type))) {
      const items = name === 'edges' && scope.pageSize !== undefined ? scope.pageSize : listSize(coordinate, args);
      cost = items * (1 + children.cost);
    } else {
      const own = scope.root ? (this.operationType === 'mutation' ? MUTATION_FIELD_COST : 1) : 0;
      cost = own + children.cost;
    }
    return { cost, depth: 1 + children.depth, breadth: 1 + children.breadth, aliases: aliases + children.aliases };
  }

  private argumentsOf(def: Parameters<typeof getArgumentValues>[0], node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(def, node, this.variables);
    } catch {
      return {}; // Bad arguments are reported by validation or variable coercion.
    }
  }
}

function pageSizeOf(args: Record<string, unknown>): number {
  for (const value of [args.first, args.last]) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return DEFAULT_PAGE_SIZE;
}

function listSize(coordinate: string, args: Record<string, unknown>): number {
  if (coordinate === 'Query.nodes') return Array.isArray(args.ids) ? args.ids.length : DEFAULT_LIST_SIZE;
  return LIST_SIZES[coordinate] ?? DEFAULT_LIST_SIZE;
}
