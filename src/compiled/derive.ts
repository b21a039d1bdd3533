// Derives the compiler's table of types (mapping.ts' `TypeMapping`) from the schema's own metadata,
// once at start-up:
// - tables and columns: the Prisma data model (`@@map`, `@map`), as prisma/generators/data-model.mjs
//   writes it at `npm run generate`;
// - relations: plugin-prisma's relation field on each `t.relation` / `t.relatedConnection` /
//   `t.relationCount`, its keys from the data model, and its order and `take` from the relation's
//   own `query` (plugin-prisma's select callback, asked with no arguments);
// - plain fields: the column a field's own resolver returns, found by running the resolver (the
//   one Pothos was given, before any plugin wraps it) on a row whose every column holds a
//   distinct marker: `t.exposeString('title')` and `resolve: (p) => p.title` both read `title`.
// What cannot be derived this way (a loader, a computed value) is declared in mapping.ts'
// `CUSTOM_FIELDS` and checked against the schema there. A field neither derived nor declared is
// simply absent: an operation that selects it runs on graphql-js + Pothos.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { CustomField, FieldMapping, OrderTerm, TypeMapping } from './mapping.js';

/** The Prisma data model with its SQL names (prisma/generated/data-model.ts, from prisma/generators/data-model.mjs). */
export interface DataModel {
  models: Record<string, { table: string; fields: readonly DataField[] }>;
}

export interface DataField {
  name: string;
  kind: string;
  /** The SQL column (`@map`); null for a relation. */
  column: string | null;
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  relationName: string | null;
  relationFromFields: readonly string[];
  relationToFields: readonly string[];
}

/** plugin-prisma's relation field (Pothos' copy of the data model's field), on a relation's extensions. */
interface PrismaRelationField {
  name: string;
}

export interface Derived {
  types: Record<string, TypeMapping>;
  /** `Type.field` → why it was not derived (absent from `types`: its operations fall back). */
  skipped: Record<string, string>;
}

/** Why a field is not derived (its operations fall back). */
export class Skip extends Error {}

export function deriveTypes(schema: GraphQLSchema, dataModel: DataModel, custom: Record<string, Record<string, CustomField>>): Derived {
  const types: Record<string, TypeMapping> = {};
  const skipped: Record<string, string> = {};
  const models = new Models(dataModel);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const model = type.extensions?.pothosPrismaModel;
    if (typeof model !== 'string' || !models.has(model)) continue;
    const fields: Record<string, FieldMapping> = {};
    for (const field of Object.values(type.getFields())) {
      try {
        const declared = custom[type.name]?.[field.name];
        fields[field.name] = declared ? customField(model, declared, models) : deriveField(schema, type, field, model, models);
      } catch (error) {
        if (!(error instanceof Skip)) throw error;
        skipped[`${type.name}.${field.name}`] = error.message;
      }
    }
    types[type.name] = { table: models.table(model), fields };
  }
  return { types, skipped };
}

/** A declared computed field in SQL names. */
function customField(model: string, field: CustomField, models: Models): FieldMapping {
  switch (field.kind) {
    case 'average': {
      const relation = models.relation(model, field.relation);
      return {
        kind: 'average',
        table: models.table(relation.type),
        foreignKey: models.column(relation.type, models.foreignKeyOf(relation.type, relation)),
        column: models.column(relation.type, field.field),
        filter: `${models.column(relation.type, field.whereNotNull)} IS NOT NULL`,
      };
    }
    case 'nullSwitch':
      return {
        kind: 'nullSwitch',
        column: models.column(model, field.field),
        whenNull: field.whenNull,
        otherwise: field.otherwise,
        type: field.type,
      };
    case 'present':
      return { kind: 'present', column: models.column(model, field.field) };
  }
}

function deriveField(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  model: string,
  models: Models,
): FieldMapping {
  const extensions = field.extensions as Record<string, unknown>;
  const pothosRelation = extensions.pothosPrismaRelationField as PrismaRelationField | undefined;
  if (pothosRelation) {
    const relation = models.relation(model, pothosRelation.name);
    return relationField(schema, field, model, relation, extensions.pothosPrismaSelect, models);
  }
  const select = extensions.pothosPrismaSelect;
  if (isCountSelect(select)) return countField(field, model, select, models);
  if (field.name === 'id' && type.getInterfaces().some((i) => i.name === 'Node')) {
    if (getNamedType(field.type).name !== 'ID') throw new Skip('a Node id that is not an ID');
    if (models.idField(model) !== 'id') throw new Skip(`${model}'s primary key is not \`id\``);
    return { kind: 'globalId', typename: type.name };
  }
  return columnField(field, model, extensions, models);
}

/** The column the field's resolver returns for a row, with how graphql-js serialises it. */
function columnField(
  field: GraphQLField<unknown, unknown>,
  model: string,
  extensions: Record<string, unknown>,
  models: Models,
): FieldMapping {
  const resolve = extensions.pothosOriginalResolve;
  const scalars = models.scalars(model);
  const row: Record<string, unknown> = {};
  const markers = new Map<unknown, string>();
  for (const scalar of scalars) {
    const marker = Object.freeze({ column: scalar.name });
    row[scalar.name] = marker;
    markers.set(marker, scalar.name);
  }
  let value: unknown;
  try {
    // No context, and of the info only the field's name (graphql-js' default resolver, which
    // Pothos uses for `expose`, reads it): a resolver that needs more (a loader, the viewer) is not a column.
    const info = Object.freeze({ fieldName: field.name });
    value = typeof resolve === 'function' ? resolve(Object.freeze(row), {}, {}, info) : row[field.name];
  } catch {
    throw new Skip('its resolver computes a value');
  }
  if (value !== null && typeof value === 'object' && 'then' in value && typeof value.then === 'function') {
    (value as Promise<unknown>).then(undefined, () => {});
    throw new Skip('its resolver is asynchronous');
  }
  const name = markers.get(value);
  if (!name) throw new Skip('its resolver does not return a column');
  const scalar = scalars.find((s) => s.name === name)!;
  const nullable = !isNonNullType(field.type);
  if (!nullable && !scalar.isRequired) throw new Skip(`non-null over the optional column ${name}`);
  const listed = isListType(getNullableType(field.type));
  if (listed !== scalar.isList) throw new Skip(`list and column ${name} disagree`);
  const named = getNamedType(field.type);
  const column = models.column(model, name);
  if (isEnumType(named)) {
    // The column's text is the enum value's name only when Pothos maps each name to itself.
    if (scalar.kind !== 'enum' || named.getValues().some((v) => v.value !== v.name)) throw new Skip(`enum ${named.name} over ${name}`);
    return { kind: 'column', column, codec: 'enum', nullable };
  }
  const codec = CODECS[`${named.name}:${scalar.type}${listed ? '[]' : ''}`];
  if (!codec) throw new Skip(`${named.name} over a ${scalar.type} column`);
  return { kind: 'column', column, codec, nullable };
}

/** GraphQL type : Prisma type → how the compiler writes the column (the rest is unsupported). */
const CODECS: Record<string, 'string' | 'int' | 'dateTime' | 'stringList'> = {
  'String:String': 'string',
  'Int:Int': 'int',
  'DateTime:DateTime': 'dateTime',
  'String:String[]': 'stringList',
};

function relationField(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
  model: string,
  relation: DataField,
  select: unknown,
  models: Models,
): FieldMapping {
  const target = relation.type;
  if (!models.has(target)) throw new Skip(`the model ${target}`);
  const named = getNamedType(field.type);
  const query = relationQuery(select, relation.name);
  if (relation.isList) {
    const foreignKey = models.column(target, models.foreignKeyOf(target, relation));
    const orderBy = orderTerms(query.orderBy, target, models);
    if (!isListType(getNullableType(field.type))) {
      // plugin-prisma's relatedConnection: the node type, ordered by the relation's query; paging
      // (take, skip, cursor) is the compiler's. Its cursor is the row id (`cursor: 'id'`).
      const node = isObjectType(named) ? getNamedType(connectionNodeType(named)) : undefined;
      if (!node || !isObjectType(node)) throw new Skip('a connection without edges.node');
      assertOnly(query, ['orderBy', 'take', 'skip', 'cursor']);
      return { kind: 'connection', type: node.name, foreignKey, orderBy };
    }
    assertOnly(query, ['orderBy', 'take']);
    if (query.take !== undefined && (typeof query.take !== 'number' || !Number.isInteger(query.take) || query.take < 1))
      throw new Skip('a take that is not a positive integer');
    if (!schema.getType(named.name)) throw new Skip(`the type ${named.name}`);
    return { kind: 'toMany', type: named.name, foreignKey, orderBy, ...(query.take === undefined ? {} : { limit: query.take }) };
  }
  assertOnly(query, []);
  const from = relation.relationFromFields;
  if (from.length > 1) throw new Skip('a compound foreign key');
  if (from.length === 1) {
    if (relation.relationToFields.length !== 1) throw new Skip(`the key ${relation.name} references`);
    return {
      kind: 'toOne',
      type: named.name,
      localKey: models.column(model, from[0]!),
      targetKey: models.column(target, relation.relationToFields[0]!),
    };
  }
  return { kind: 'toOneBy', type: named.name, foreignKey: models.column(target, models.foreignKeyOf(target, relation)) };
}

function countField(field: GraphQLField<unknown, unknown>, model: string, select: CountSelect, models: Models): FieldMapping {
  const counted = Object.entries(select._count.select);
  if (counted.length !== 1 || counted[0]![1] !== true) throw new Skip('a filtered or multiple count');
  if (getNamedType(field.type).name !== 'Int') throw new Skip('a count that is not an Int');
  const relation = models.relation(model, counted[0]![0]);
  return {
    kind: 'count',
    table: models.table(relation.type),
    foreignKey: models.column(relation.type, models.foreignKeyOf(relation.type, relation)),
  };
}

interface CountSelect {
  _count: { select: Record<string, unknown> };
}

function isCountSelect(select: unknown): select is CountSelect {
  if (typeof select !== 'object' || select === null || !('_count' in select)) return false;
  const count = (select as { _count: unknown })._count;
  return typeof count === 'object' && count !== null && typeof (count as { select?: unknown }).select === 'object';
}

/** The relation's own query (orderBy, take, …): plugin-prisma's select callback asked with no arguments. */
function relationQuery(select: unknown, name: string): Record<string, unknown> {
  if (typeof select !== 'function') throw new Skip('no relation select');
  let result: unknown;
  try {
    result = select(
      {},
      {},
      (query: unknown) => query,
      () => new Set(['edges']),
    );
  } catch {
    throw new Skip('a relation query that depends on arguments or context');
  }
  const query = (result as { select?: Record<string, unknown> } | null)?.select?.[name];
  if (typeof query !== 'object' || query === null) throw new Skip('a relation query that is not an object');
  return query as Record<string, unknown>;
}

function assertOnly(query: Record<string, unknown>, allowed: string[]): void {
  const other = Object.keys(query).find((key) => !allowed.includes(key));
  if (other) throw new Skip(`the relation query's ${other}`);
}

/** Prisma's `orderBy` (an object or a list of one-key objects) as columns; nothing else. */
export function orderTerms(orderBy: unknown, model: string, models: Models): OrderTerm[] {
  if (orderBy === undefined) throw new Skip('a list without an order');
  const terms = Array.isArray(orderBy) ? orderBy : [orderBy];
  return terms.flatMap((term: unknown) => {
    if (typeof term !== 'object' || term === null) throw new Skip('an orderBy term that is not an object');
    return Object.entries(term).map(([name, direction]): OrderTerm => {
      if (direction !== 'asc' && direction !== 'desc') throw new Skip(`the order of ${name}`);
      if (!models.scalars(model).some((s) => s.name === name)) throw new Skip(`the order by ${name}`);
      return { column: models.column(model, name), direction: direction === 'asc' ? 'ASC' : 'DESC' };
    });
  });
}

function connectionNodeType(connection: GraphQLObjectType) {
  const edges = getNamedType(connection.getFields().edges?.type);
  return edges && isObjectType(edges) ? edges.getFields().node?.type : undefined;
}

/** Lookups in the data model; anything missing or unusual skips the field. */
export class Models {
  constructor(private readonly dataModel: DataModel) {}

  has(model: string): boolean {
    return model in this.dataModel.models;
  }

  private fields(model: string): readonly DataField[] {
    const found = this.dataModel.models[model];
    if (!found) throw new Skip(`the model ${model}`);
    return found.fields;
  }

  table(model: string): string {
    if (!this.dataModel.models[model]) throw new Skip(`the model ${model}`);
    return this.dataModel.models[model].table;
  }

  column(model: string, field: string): string {
    const column = this.fields(model).find((f) => f.name === field)?.column;
    if (!column) throw new Skip(`the column of ${model}.${field}`);
    return column;
  }

  scalars(model: string): readonly DataField[] {
    return this.fields(model).filter((f) => f.kind === 'scalar' || f.kind === 'enum');
  }

  idField(model: string): string {
    const ids = this.scalars(model).filter((f) => f.isId);
    if (ids.length !== 1) throw new Skip(`${model} has no single-column primary key`);
    return ids[0]!.name;
  }

  relation(model: string, name: string): DataField {
    const field = this.fields(model).find((f) => f.name === name && f.kind === 'object');
    if (!field) throw new Skip(`the relation ${model}.${name}`);
    return field;
  }

  /**
   * The foreign key on `target` that points back along `relation`: one column, referencing the
   * primary key of the relation's own side (what the compiled joins compare it with: `id`).
   */
  foreignKeyOf(target: string, relation: DataField): string {
    const back = this.fields(target).filter(
      (f) => f.kind === 'object' && f.relationName === relation.relationName && f.relationFromFields.length > 0,
    );
    if (back.length !== 1 || back[0]!.relationFromFields.length !== 1) throw new Skip(`the foreign key of ${relation.name}`);
    const referenced = back[0]!.relationToFields;
    if (referenced.length !== 1 || referenced[0] !== this.idField(back[0]!.type))
      throw new Skip(`${relation.name} references a column other than the primary key`);
    return back[0]!.relationFromFields[0]!;
  }
}
