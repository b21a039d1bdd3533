// What the compiler knows of the schema: for each GraphQL object type it may compile, its table
// and how each field reads from a row (derived from the schema's metadata by derive.ts), the root
// fields it answers with the owner column that limits rows to the viewer's (derived from their
// resolvers by derive-roots.ts), and the few computed fields it knows (declared here). Anything else
// is unsupported, and an operation that selects it runs on graphql-js + Pothos (the reference
// executor). `checkMapping` holds the declared parts to the built schema at start-up, so a schema
// change that breaks them turns compilation off instead of answering differently.
import { getNamedType, getNullableType, isListType, isNonNullType, type GraphQLSchema } from 'graphql';
import { builder } from '../builder.js';

/** How a column's value becomes the JSON that graphql-js would have serialised. */
export type Codec = 'string' | 'int' | 'enum' | 'dateTime' | 'stringList';

export type FieldMapping =
  /** `Node.id`: base64url("Type:uuid") of the primary key (src/schema/ids.ts). */
  | { kind: 'globalId'; typename: string }
  | { kind: 'column'; column: string; codec: Codec; nullable: boolean }
  /** A to-one relation through a foreign key on this row (plugin-prisma `t.relation`). */
  | { kind: 'toOne'; type: string; localKey: string; targetKey: string }
  /** A to-many relation as a list, in the order (and up to the `take`) the schema's relation query names. */
  | { kind: 'toMany'; type: string; foreignKey: string; orderBy: OrderTerm[]; limit?: number }
  /** A to-one relation through a unique foreign key on the other row (null when there is none). */
  | { kind: 'toOneBy'; type: string; foreignKey: string }
  /** A plugin-prisma `relatedConnection` with cursor `id` (forward paging: `first`, `after`). */
  | { kind: 'connection'; type: string; foreignKey: string; orderBy: OrderTerm[] }
  /** `t.relationCount`: rows of `table` whose `foreignKey` is this row's id. */
  | { kind: 'count'; table: string; foreignKey: string }
  /**
   * The mean of a column over related rows matching `filter`, as a float (what the loader's
   * Prisma `_avg` answers: PostgreSQL's numeric mean read as a double); null when there are none.
   */
  | { kind: 'average'; table: string; foreignKey: string; column: string; filter: string }
  /** One of two enum values by whether a column is null (Feedback.scope). */
  | { kind: 'nullSwitch'; column: string; whenNull: string; otherwise: string; type: string }
  /** A Boolean: whether a nullable column holds a value (ApiKey.revoked). */
  | { kind: 'present'; column: string };

export interface OrderTerm {
  column: string;
  direction: 'ASC' | 'DESC';
}

export interface TypeMapping {
  table: string;
  fields: Record<string, FieldMapping>;
}

/**
 * A field whose value is computed rather than read (a loader, an expression), in the Prisma
 * model's names: the schema's metadata does not say what it computes, so it is declared here and
 * derive.ts turns it into SQL names; every other field is derived from the schema.
 */
export type CustomField =
  /** The mean of `field` over the rows of `relation` whose `whereNotNull` is set (null when none). */
  | { kind: 'average'; relation: string; field: string; whereNotNull: string }
  | { kind: 'nullSwitch'; field: string; whenNull: string; otherwise: string; type: string }
  | { kind: 'present'; field: string };

export const CUSTOM_FIELDS: Record<string, Record<string, CustomField>> = {
  // ctx.loaders.averageScore (src/loaders.ts): Prisma's `_avg` of the per-answer scores.
  InterviewSession: { averageScore: { kind: 'average', relation: 'feedback', field: 'score', whereNotNull: 'messageId' } },
  // src/schema/feedback.ts: SESSION without a message, ANSWER with one.
  Feedback: { scope: { kind: 'nullSwitch', field: 'messageId', whenNull: 'SESSION', otherwise: 'ANSWER', type: 'FeedbackScope' } },
  // src/schema/api-key.ts: revokedAt is set.
  ApiKey: { revoked: { kind: 'present', field: 'revokedAt' } },
};

/** Root fields the compiler can answer, as derive-roots.ts finds them in the resolvers. */
export type RootField = RootConnection | RootNode | RootViewer;

export interface RootConnection {
  kind: 'rootConnection';
  type: string;
  /** Rows are the viewer's own: `<ownerColumn> = viewer's user id`, always. */
  ownerColumn: string;
  /** Optional enum arguments that filter a column when given. */
  filters: Record<string, { column: string; pgType: string }>;
  orderBy: OrderTerm[];
}

/**
 * One of the viewer's rows by its global id (`session(id:)`): `<ownerColumn> = viewer` and the id.
 * When there is no such row the reference executor answers (its NOT_FOUND error is the contract).
 */
export interface RootNode {
  kind: 'rootNode';
  type: string;
  ownerColumn: string;
  /** The argument holding the global id, and the type name it must carry. */
  idArg: string;
}

/** The viewer's own row (`viewer`). A missing row is the reference's to answer (its error). */
export interface RootViewer {
  kind: 'rootViewer';
  type: string;
}

/** Pothos' connection sizes (src/builder.ts), which the compiled pages follow. */
export const CONNECTION = {
  defaultSize: builder.options.prisma.defaultConnectionSize ?? 20,
  maxSize: builder.options.prisma.maxConnectionSize ?? 100,
} as const;

/**
 * Problems between the declared parts and the schema (empty when they agree): each custom field
 * must have the named type its SQL produces. Any problem turns compilation off (the registry says why). A custom field
 * whose names did not resolve is only unknown, like any field derive.ts could not derive.
 */
export function checkMapping(schema: GraphQLSchema, types: Record<string, TypeMapping>): string[] {
  const problems: string[] = [];
  for (const [typeName, custom] of Object.entries(CUSTOM_FIELDS)) {
    const mapping = types[typeName];
    if (!mapping) {
      problems.push(`${typeName} was not derived from the schema`);
      continue;
    }
    const fields = Object.fromEntries(Object.keys(custom).map((name) => [name, mapping.fields[name]]));
    const type = schema.getType(typeName);
    if (!type || !('getFields' in type)) {
      problems.push(`${typeName} is not an object type`);
      continue;
    }
    const schemaFields = type.getFields();
    for (const [fieldName, field] of Object.entries(fields)) {
      if (!field) continue;
      const graphqlField = schemaFields[fieldName];
      if (!graphqlField) {
        problems.push(`${typeName}.${fieldName} does not exist`);
        continue;
      }
      const named = getNamedType(graphqlField.type).name;
      const expected = expectedNamedType(field);
      if (expected && named !== expected) problems.push(`${typeName}.${fieldName} is ${named}, not ${expected}`);
      if (field.kind === 'column' && field.nullable === isNonNullType(graphqlField.type)) {
        problems.push(`${typeName}.${fieldName} nullability differs`);
      }
      if (field.kind === 'toMany' && !isListType(getNullableType(graphqlField.type)))
        problems.push(`${typeName}.${fieldName} is not a list`);
    }
  }
  return problems;
}

function expectedNamedType(field: FieldMapping): string | null {
  switch (field.kind) {
    case 'globalId':
      return 'ID';
    case 'toOne':
    case 'toMany':
    case 'toOneBy':
    case 'nullSwitch':
      return field.type;
    case 'connection':
      return null;
    case 'count':
      return 'Int';
    case 'average':
      return 'Float';
    case 'present':
      return 'Boolean';
    case 'column':
      return field.codec === 'string' || field.codec === 'stringList'
        ? 'String'
        : field.codec === 'int'
          ? 'Int'
          : field.codec === 'dateTime'
            ? 'DateTime'
            : null;
  }
}
