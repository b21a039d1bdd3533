// Derives the root fields the compiler answers (mapping.ts' `RootField`) from the resolvers
// themselves, once at start-up: each Query field is executed by graphql-js on the real schema,
// with every plugin, as a viewer whose id is a marker, while `db()` hands out a recorder instead of
// Prisma (the replica routing's own hook, src/db/replicas.ts). What the resolver asked Prisma for
// is what the compiled statement must do:
// - `findMany({ where: { <owner>: viewer, <filter>: arg }, orderBy })` on the node's model: a
//   connection of the viewer's rows, filtered by its optional enum arguments, in that order;
// - `findFirst|findUnique({ where: { id, <owner>: viewer } })`: one of the viewer's rows by global id;
// - `findUnique({ where: { id: viewer } })`: the viewer's own row.
// Anything else (another model, a constant in the where, a where built from context, two calls)
// leaves the field to graphql-js, with the reason. The probe reads only what the resolver
// requests synchronously; the count behind a connection's `totalCount` is asked later (after the
// page resolves), so a root `totalCount` is not derived and falls back (no persisted operation
// selects one today).
import { execute, getNamedType, isEnumType, isNonNullType, isObjectType, parse, type GraphQLField, type GraphQLSchema } from 'graphql';
import pino from 'pino';
import { createContext } from '../context.js';
import { readFrom } from '../db/replicas.js';
import { encodeGlobalId } from '../schema/ids.js';
import { type DataModel, Models, orderTerms, Skip } from './derive.js';
import type { RootField } from './mapping.js';

export interface DerivedRoots {
  roots: Record<string, RootField>;
  /** `Query.field` → why it is not compiled. */
  skipped: Record<string, string>;
}

const VIEWER = '00000000-0000-4000-8000-00000000beef';
const ROW = '00000000-0000-4000-8000-0000000000aa';
const PAGING = new Set(['first', 'after', 'last', 'before']);

interface Call {
  model: string;
  method: string;
  args: Record<string, unknown>;
}

export function deriveRoots(schema: GraphQLSchema, dataModel: DataModel): DerivedRoots {
  const models = new Models(dataModel);
  const roots: Record<string, RootField> = {};
  const skipped: Record<string, string> = {};
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    try {
      roots[field.name] = deriveRoot(schema, field, models);
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      skipped[`Query.${field.name}`] = error.message;
    }
  }
  return { roots, skipped };
}

function deriveRoot(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, models: Models): RootField {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) throw new Skip('not an object type');
  const direct = named.extensions?.pothosPrismaModel;
  if (typeof direct === 'string' && models.has(direct)) {
    const args = field.args.map((a) => a.name);
    if (args.length === 0) return viewerRoot(schema, field, named.name, direct, models);
    if (args.length === 1 && args[0] === 'id') return nodeRoot(schema, field, named.name, direct, models);
    throw new Skip(`the arguments ${args.join(', ')}`);
  }
  const node = getNamedType(connectionNode(named));
  const model = node && isObjectType(node) ? node.extensions?.pothosPrismaModel : undefined;
  if (!node || typeof model !== 'string' || !models.has(model)) throw new Skip('not a Prisma type or a connection of one');
  return connectionRoot(schema, field, node.name, model, models);
}

function connectionRoot(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
  type: string,
  model: string,
  models: Models,
): RootField {
  const filterArgs = field.args
    .filter((a) => !PAGING.has(a.name))
    .map((arg) => {
      if (isNonNullType(arg.type) || !isEnumType(arg.type)) throw new Skip(`the argument ${arg.name}, not an optional enum`);
      // The enum's values must be the column's: Pothos maps each name to itself.
      const values = arg.type.getValues();
      if (values.length === 0 || values.some((v) => v.value !== v.name)) throw new Skip(`the enum of ${arg.name}`);
      return { name: arg.name, value: values[0]!.name };
    });
  const plain = onlyCall(probe(schema, `{ probe: ${field.name}(first: 1) { edges { cursor } } }`), model, ['findMany']);
  const owner = ownerOf(plain.args.where, model, models, []);
  const filters: Record<string, { column: string; pgType: string }> = {};
  for (const arg of filterArgs) {
    const call = onlyCall(probe(schema, `{ probe: ${field.name}(first: 1, ${arg.name}: ${arg.value}) { edges { cursor } } }`), model, [
      'findMany',
    ]);
    const where = asRecord(call.args.where);
    const added = Object.keys(where).filter((key) => !(key in asRecord(plain.args.where)));
    if (added.length !== 1 || where[added[0]!] !== arg.value) throw new Skip(`the argument ${arg.name} is not a column filter`);
    ownerOf(where, model, models, added);
    const scalar = models.scalars(model).find((s) => s.name === added[0]);
    if (scalar?.kind !== 'enum') throw new Skip(`the argument ${arg.name} filters ${added[0]}, not an enum column`);
    filters[arg.name] = { column: models.column(model, added[0]!), pgType: `"${scalar.type}"` };
  }
  const orderBy = orderTerms(plain.args.orderBy, model, models);
  // Pages follow a cursor: the order must be total, so it ends with the primary key.
  const id = models.column(model, models.idField(model));
  if (orderBy.at(-1)?.column !== id) throw new Skip('an order that does not end with the primary key');
  return { kind: 'rootConnection', type, ownerColumn: owner, filters, orderBy };
}

function nodeRoot(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, type: string, model: string, models: Models): RootField {
  if (models.idField(model) !== 'id') throw new Skip(`${model}'s primary key is not \`id\``);
  const globalId = encodeGlobalId(type, ROW);
  const call = onlyCall(probe(schema, `{ probe: ${field.name}(id: ${JSON.stringify(globalId)}) { __typename } }`), model, [
    'findFirst',
    'findUnique',
    'findFirstOrThrow',
    'findUniqueOrThrow',
  ]);
  const where = asRecord(call.args.where);
  if (where.id !== ROW) throw new Skip('it does not look the row up by the id argument');
  return { kind: 'rootNode', type, ownerColumn: ownerOf(where, model, models, ['id']), idArg: 'id' };
}

function viewerRoot(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, type: string, model: string, models: Models): RootField {
  if (models.idField(model) !== 'id') throw new Skip(`${model}'s primary key is not \`id\``);
  const call = onlyCall(probe(schema, `{ probe: ${field.name} { __typename } }`), model, [
    'findUnique',
    'findUniqueOrThrow',
    'findFirst',
    'findFirstOrThrow',
  ]);
  const where = asRecord(call.args.where);
  if (Object.keys(where).length !== 1 || where.id !== VIEWER) throw new Skip("it does not read the viewer's own row");
  return { kind: 'rootViewer', type };
}

/** The column holding the viewer's id: the one key of `where` besides `others` whose value is the viewer. */
function ownerOf(whereValue: unknown, model: string, models: Models, others: string[]): string {
  const where = asRecord(whereValue);
  const rest = Object.keys(where).filter((key) => !others.includes(key));
  if (rest.length !== 1 || where[rest[0]!] !== VIEWER) {
    throw new Skip(`its where (${Object.keys(where).join(', ') || 'empty'}) is not the viewer's rows alone`);
  }
  return models.column(model, rest[0]!);
}

function onlyCall(calls: Call[], model: string, methods: string[]): Call {
  if (calls.length !== 1) throw new Skip(`its resolver made ${calls.length} database calls at once, not one`);
  const call = calls[0]!;
  if (call.model !== model.charAt(0).toLowerCase() + model.slice(1)) throw new Skip(`its resolver reads ${call.model}, not ${model}`);
  if (!methods.includes(call.method)) throw new Skip(`its resolver calls ${call.method}`);
  return call;
}

const silent = pino({ level: 'silent' });

/** Runs `document` on the schema as the marker viewer and returns the database calls made at once. */
function probe(schema: GraphQLSchema, document: string): Call[] {
  const calls: Call[] = [];
  const recorder = new Proxy(
    {},
    {
      get: (_target, model) =>
        new Proxy(
          {},
          {
            get: (_model, method) => (args: unknown) => {
              calls.push({ model: String(model), method: String(method), args: asRecord(args) });
              return Promise.resolve(String(method).startsWith('findMany') ? [] : null);
            },
          },
        ),
    },
  );
  const contextValue = createContext({ viewer: { userId: VIEWER, apiKeyId: ROW }, requestId: 'derive-roots', log: silent });
  let result: unknown;
  try {
    result = readFrom(recorder, () => execute({ schema, document: parse(document), contextValue }));
  } catch {
    throw new Skip('its resolver failed on the probe');
  }
  // Only what was asked synchronously counts; the rest of the execution is let go.
  if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(undefined, () => {});
  return calls;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function connectionNode(connection: ReturnType<typeof getNamedType>) {
  if (!isObjectType(connection)) return undefined;
  const edges = getNamedType(connection.getFields().edges?.type);
  return edges && isObjectType(edges) ? edges.getFields().node?.type : undefined;
}
