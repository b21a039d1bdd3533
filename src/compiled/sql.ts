// Builds the one SQL statement of a compiled operation: PostgreSQL assembles the response's
// `data` as `json` (not `jsonb`: cheaper to build, and its text keeps the key order given here,
// the selection's order) and returns it as text. Only identifiers and literals from the mapping
// and the document (response keys, type names) are written into the SQL; every value that comes
// from a request is a bound parameter.
import type { FieldNode } from 'graphql';
import type { FieldMapping, OrderTerm, RootConnection, RootNode, RootViewer, TypeMapping } from './mapping.js';
import { Unsupported, type SelectedField } from './selection.js';

/** json_build_object takes at most 100 arguments. */
const MAX_KEYS = 50;

/**
 * base64url("Type:uuid") without padding, as src/schema/ids.ts encodes it. Four replace() calls
 * rather than one translate(): translate looks up every character and costs PostgreSQL about
 * 1.9 µs per id against 0.6 µs (300,000 ids, docs/performance.md), and a SessionsList page has
 * about 180 ids.
 */
const globalId = (typename: string, column: string) =>
  `replace(replace(replace(replace(encode(convert_to('${typename}:' || ${column}::text, 'UTF8'), 'base64'), '=', ''), E'\\n', ''), '+', '-'), '/', '_')`;
/** plugin-prisma's cursor for an `id` string column: base64("GPC:S:<id>"), padded. */
const cursorOf = (column: string) => `replace(encode(convert_to('GPC:S:' || ${column}::text, 'UTF8'), 'base64'), E'\\n', '')`;
/** Date#toISOString of a timestamptz(3). */
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const literalKey = (key: string) => {
  if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(key)) throw new Unsupported(`the key ${key}`);
  return `'${key}'`;
};
const orderSql = (alias: string, orderBy: readonly OrderTerm[], reverse = false) =>
  orderBy.map((t) => `${alias}.${t.column} ${reverse === (t.direction === 'ASC') ? 'DESC' : 'ASC'}`).join(', ');

/** A nested connection's page in one statement variant: SQL expressions (literals or bound parameters). */
export interface NestedPage {
  first: string;
  /** The `after` cursor's row id, when the variant pages from one. */
  after: string | null;
}

/** One statement being built: the types, fresh table aliases, and the page of each nested connection. */
export class Build {
  private next = 0;
  constructor(
    readonly types: Readonly<Record<string, TypeMapping>>,
    private readonly pages: ReadonlyMap<FieldNode, NestedPage>,
  ) {}
  alias(): string {
    return `t${this.next++}`;
  }
  page(field: FieldNode): NestedPage {
    const page = this.pages.get(field);
    if (!page) throw new Unsupported(`the arguments of ${field.name.value}`);
    return page;
  }
}

/** What a connection's page is: where, order, size. Sizes are SQL expressions (a literal or a bound parameter). */
interface PageSpec {
  type: string;
  /** The connection's rows, cursor aside (what totalCount counts). */
  scope: (alias: string) => string[];
  /** Rows at or past the cursor, when paging from one. */
  cursor: ((alias: string) => string) | null;
  orderBy: readonly OrderTerm[];
  first: string;
  offset: string;
}

/** A connection's JSON: `pageInfo { hasNextPage endCursor }` and `edges { cursor node }`. */
export function connectionJson(build: Build, page: PageSpec, selection: SelectedField[]): string {
  const mapping = build.types[page.type];
  if (!mapping) throw new Unsupported(`connections of ${page.type}`);
  const a = build.alias();
  const columns = new Set<string>(['id', ...page.orderBy.map((t) => t.column)]);
  const parts = selection.map((field) => {
    if (field.node.arguments?.length) throw new Unsupported(`arguments on ${field.name}`);
    if (field.name === 'totalCount') {
      const c = build.alias();
      return `${literalKey(field.key)}, (SELECT count(*)::int FROM ${mapping.table} ${c} WHERE ${page.scope(c).join(' AND ')})`;
    }
    if (field.name === 'pageInfo') {
      const info = field.children.map((f) => {
        if (f.name === 'hasNextPage') return `${literalKey(f.key)}, count(*) > ${page.first}`;
        if (f.name === 'endCursor') {
          return `${literalKey(f.key)}, (array_agg(${cursorOf(`${a}.id`)} ORDER BY ${a}.__n DESC) FILTER (WHERE ${a}.__n <= ${page.first}))[1]`;
        }
        throw new Unsupported(`pageInfo.${f.name}`);
      });
      return `${literalKey(field.key)}, json_build_object(${info.join(', ')})`;
    }
    if (field.name === 'edges') {
      const edge = field.children.map((f) => {
        if (f.node.arguments?.length) throw new Unsupported(`arguments on ${f.name}`);
        if (f.name === 'cursor') return `${literalKey(f.key)}, ${cursorOf(`${a}.id`)}`;
        if (f.name === 'node') return `${literalKey(f.key)}, ${objectJson(build, page.type, a, f.children, columns)}`;
        throw new Unsupported(`edges.${f.name}`);
      });
      return `${literalKey(field.key)}, COALESCE(json_agg(json_build_object(${edge.join(', ')}) ORDER BY ${a}.__n) FILTER (WHERE ${a}.__n <= ${page.first}), '[]'::json)`;
    }
    throw new Unsupported(`the connection field ${field.name}`);
  });
  const list = [...columns].map((c) => `${a}.${c}`).join(', ');
  // One row past the page says whether there is a next page (read only when asked); only the
  // selected columns are read.
  const wantsNext = selection.some((f) => f.name === 'pageInfo' && f.children.some((c) => c.name === 'hasNextPage'));
  const inner =
    `SELECT ${list} FROM ${mapping.table} ${a} WHERE ${[...page.scope(a), ...(page.cursor ? [page.cursor(a)] : [])].join(' AND ')} ` +
    `ORDER BY ${orderSql(a, page.orderBy)} LIMIT ${page.first}${wantsNext ? ' + 1' : ''} OFFSET ${page.offset}`;
  const numbered = `SELECT ${a}.*, row_number() OVER (ORDER BY ${orderSql(a, page.orderBy)}) AS __n FROM (${inner}) ${a}`;
  return `(SELECT json_build_object(${parts.join(', ')}) FROM (${numbered}) ${a})`;
}

/** One row of `type` (at `alias`) as the selection's JSON object; records the columns it reads. */
export function objectJson(build: Build, type: string, alias: string, selection: SelectedField[], columns: Set<string>): string {
  const mapping = build.types[type];
  if (!mapping) throw new Unsupported(`the type ${type}`);
  if (selection.length === 0 || selection.length > MAX_KEYS) throw new Unsupported(`${selection.length} fields on ${type}`);
  const parts = selection.map((field) => {
    const fieldMapping = mapping.fields[field.name];
    if (!fieldMapping) throw new Unsupported(`${type}.${field.name}`);
    return `${literalKey(field.key)}, ${fieldJson(build, alias, field, fieldMapping, columns)}`;
  });
  return `json_build_object(${parts.join(', ')})`;
}

function fieldJson(build: Build, alias: string, field: SelectedField, mapping: FieldMapping, columns: Set<string>): string {
  if (mapping.kind !== 'connection' && field.node.arguments?.length) throw new Unsupported(`arguments on ${field.name}`);
  switch (mapping.kind) {
    case 'globalId':
      columns.add('id');
      return globalId(mapping.typename, `${alias}.id`);
    case 'column':
      columns.add(mapping.column);
      return mapping.codec === 'dateTime' ? isoTime(`${alias}.${mapping.column}`) : `${alias}.${mapping.column}`;
    case 'present':
      columns.add(mapping.column);
      return `(${alias}.${mapping.column} IS NOT NULL)`;
    case 'nullSwitch':
      columns.add(mapping.column);
      return `CASE WHEN ${alias}.${mapping.column} IS NULL THEN '${mapping.whenNull}' ELSE '${mapping.otherwise}' END`;
    case 'count':
      columns.add('id');
      return `(SELECT count(*)::int FROM ${mapping.table} WHERE ${mapping.foreignKey} = ${alias}.id)`;
    case 'average':
      columns.add('id');
      return `(SELECT avg(${mapping.column})::float8 FROM ${mapping.table} WHERE ${mapping.foreignKey} = ${alias}.id AND ${mapping.filter})`;
    case 'toOneBy': {
      columns.add('id');
      const target = build.types[mapping.type]!;
      const b = build.alias();
      const object = objectJson(build, mapping.type, b, field.children, new Set());
      return `(SELECT ${object} FROM ${target.table} ${b} WHERE ${b}.${mapping.foreignKey} = ${alias}.id)`;
    }
    case 'toOne': {
      columns.add(mapping.localKey);
      const target = build.types[mapping.type]!;
      const b = build.alias();
      const object = objectJson(build, mapping.type, b, field.children, new Set());
      return `(SELECT ${object} FROM ${target.table} ${b} WHERE ${b}.${mapping.targetKey} = ${alias}.${mapping.localKey})`;
    }
    case 'toMany': {
      columns.add('id');
      const target = build.types[mapping.type]!;
      const b = build.alias();
      const read = new Set<string>(mapping.orderBy.map((t) => t.column));
      const object = objectJson(build, mapping.type, b, field.children, read);
      const order = orderSql(b, mapping.orderBy);
      const where = `${b}.${mapping.foreignKey} = ${alias}.id`;
      // A bounded list takes its rows first (only the columns read), then builds their objects.
      const from =
        mapping.limit === undefined
          ? `${target.table} ${b} WHERE ${where}`
          : `(SELECT ${[...read].map((c) => `${b}.${c}`).join(', ')} FROM ${target.table} ${b} WHERE ${where} ORDER BY ${order} LIMIT ${mapping.limit}) ${b}`;
      return `COALESCE((SELECT json_agg(${object} ORDER BY ${order}) FROM ${from}), '[]'::json)`;
    }
    case 'connection': {
      columns.add('id');
      const { first, after } = build.page(field.node);
      const target = build.types[mapping.type]!;
      return connectionJson(
        build,
        {
          type: mapping.type,
          scope: (b) => [`${b}.${mapping.foreignKey} = ${alias}.id`],
          cursor: after === null ? null : (b) => cursorPredicate(b, target.table, mapping.orderBy, after),
          orderBy: mapping.orderBy,
          first,
          offset: after === null ? '0' : '1',
        },
        field.children,
      );
    }
  }
}

/** Positions of a root connection's bound parameters in one statement variant. */
export interface RootParams {
  viewer: string;
  first: string;
  filters: Record<string, string>;
  /** The `after` cursor's id, when the variant pages from one. */
  after: string | null;
}

/**
 * A root connection over the viewer's rows. `after` follows Prisma's cursor semantics exactly
 * (what the reference executor runs): rows at or beyond the cursor row's position in the order,
 * wherever that row is, then the first skipped (OFFSET 1).
 */
export function rootConnectionJson(build: Build, root: RootConnection, params: RootParams, selection: SelectedField[]): string {
  // The count behind a root totalCount is the resolver's own callback, which derive-roots.ts cannot see.
  if (selection.some((field) => field.name === 'totalCount')) throw new Unsupported('a root totalCount');
  const table = build.types[root.type]!.table;
  const scope = (a: string) => {
    const terms = [`${a}.${root.ownerColumn} = ${params.viewer}`];
    for (const [name, position] of Object.entries(params.filters)) {
      const filter = root.filters[name]!;
      terms.push(`${a}.${filter.column} = ${position}::text::${filter.pgType}`);
    }
    return terms;
  };
  const after = params.after;
  const cursor = after === null ? null : (a: string) => cursorPredicate(a, table, root.orderBy, after);
  return connectionJson(
    build,
    { type: root.type, scope, cursor, orderBy: root.orderBy, first: params.first, offset: after === null ? '0' : '1' },
    selection,
  );
}

/** One of the viewer's rows by id, or SQL null when there is none. */
export function rootNodeJson(build: Build, root: RootNode, params: { viewer: string; id: string }, selection: SelectedField[]): string {
  const table = build.types[root.type]!.table;
  const a = build.alias();
  const object = objectJson(build, root.type, a, selection, new Set());
  return `(SELECT ${object} FROM ${table} ${a} WHERE ${a}.id = ${params.id} AND ${a}.${root.ownerColumn} = ${params.viewer})`;
}

/** The viewer's own row, or SQL null when there is none. */
export function rootViewerJson(build: Build, root: RootViewer, viewer: string, selection: SelectedField[]): string {
  const a = build.alias();
  const object = objectJson(build, root.type, a, selection, new Set());
  return `(SELECT ${object} FROM ${build.types[root.type]!.table} ${a} WHERE ${a}.id = ${viewer})`;
}

/**
 * Prisma's cursor semantics, which the reference executor runs: rows at or beyond the cursor
 * row's position in the order, wherever that row is (no row: none).
 */
function cursorPredicate(a: string, table: string, orderBy: readonly OrderTerm[], after: string): string {
  const at = (column: string) => `(SELECT ${column} FROM ${table} WHERE id = ${after})`;
  const alternatives = orderBy.map((term, i) => {
    const equal = orderBy.slice(0, i).map((t) => `${a}.${t.column} = ${at(t.column)}`);
    const last = i === orderBy.length - 1;
    const op = term.direction === 'DESC' ? (last ? '<=' : '<') : last ? '>=' : '>';
    return `(${[...equal, `${a}.${term.column} ${op} ${at(term.column)}`].join(' AND ')})`;
  });
  return `(${alternatives.join(' OR ')})`;
}
