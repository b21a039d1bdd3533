// What the compiler knows of the schema: for each GraphQL object type it may compile, its table
// and how each field reads from a row. Anything not listed here is unsupported, and an operation
// that selects it runs on graphql-js + Pothos (the reference executor). `checkMapping` compares
// this table with the built schema at start-up, so a schema change that breaks it turns
// compilation off for the operations concerned instead of answering differently.
import { getNamedType, getNullableType, isListType, isNonNullType, type GraphQLSchema } from 'graphql';

/** How a column's value becomes the JSON that graphql-js would have serialised. */
export type Codec = 'string' | 'int' | 'enum' | 'dateTime';

export type FieldMapping =
  /** `Node.id`: base64url("Type:uuid") of the primary key (src/schema/ids.ts). */
  | { kind: 'globalId'; typename: string }
  | { kind: 'column'; column: string; codec: Codec; nullable: boolean }
  /** A to-one relation through a foreign key on this row (plugin-prisma `t.relation`). */
  | { kind: 'toOne'; type: string; localKey: string; targetKey: string }
  /** A to-many relation as a list, in the order the schema's relation query names. */
  | { kind: 'toMany'; type: string; foreignKey: string; orderBy: OrderTerm[] }
  /** A plugin-prisma `relatedConnection` with cursor `id`: literal `first` only. */
  | { kind: 'connection'; type: string; foreignKey: string; orderBy: OrderTerm[] };

export interface OrderTerm {
  column: string;
  direction: 'ASC' | 'DESC';
}

export interface TypeMapping {
  table: string;
  fields: Record<string, FieldMapping>;
}

const timestamp = (column: string, nullable = false): FieldMapping => ({ kind: 'column', column, codec: 'dateTime', nullable });
const text = (column: string): FieldMapping => ({ kind: 'column', column, codec: 'string', nullable: false });
const int = (column: string): FieldMapping => ({ kind: 'column', column, codec: 'int', nullable: false });
const enumeration = (column: string): FieldMapping => ({ kind: 'column', column, codec: 'enum', nullable: false });

/** Mirrors src/schema/{session,message,feedback,job-posting}.ts and prisma/schema.prisma. */
export const TYPES: Record<string, TypeMapping> = {
  InterviewSession: {
    table: 'interview_sessions',
    fields: {
      id: { kind: 'globalId', typename: 'InterviewSession' },
      status: enumeration('status'),
      createdAt: timestamp('created_at'),
      startedAt: timestamp('started_at'),
      completedAt: timestamp('completed_at', true),
      jobPosting: { kind: 'toOne', type: 'JobPosting', localKey: 'job_posting_id', targetKey: 'id' },
      messages: { kind: 'connection', type: 'SessionMessage', foreignKey: 'session_id', orderBy: [{ column: 'seq', direction: 'ASC' }] },
      feedback: {
        kind: 'toMany',
        type: 'Feedback',
        foreignKey: 'session_id',
        orderBy: [{ column: 'created_at', direction: 'ASC' }, { column: 'id', direction: 'ASC' }],
      },
    },
  },
  JobPosting: {
    table: 'job_postings',
    fields: {
      id: { kind: 'globalId', typename: 'JobPosting' },
      title: text('title'),
      company: text('company'),
      createdAt: timestamp('created_at'),
    },
  },
  SessionMessage: {
    table: 'session_messages',
    fields: {
      id: { kind: 'globalId', typename: 'SessionMessage' },
      seq: int('seq'),
      role: enumeration('role'),
      content: text('content'),
      createdAt: timestamp('created_at'),
    },
  },
  Feedback: {
    table: 'feedback',
    fields: {
      id: { kind: 'globalId', typename: 'Feedback' },
      score: int('score'),
      summary: text('summary'),
      createdAt: timestamp('created_at'),
    },
  },
};

/** Root fields the compiler can answer. */
export interface RootConnection {
  kind: 'rootConnection';
  type: string;
  /** Rows are the viewer's own: `<ownerColumn> = viewer's user id`, always. */
  ownerColumn: string;
  /** Optional enum arguments that filter a column when given. */
  filters: Record<string, { column: string; pgType: string }>;
  orderBy: OrderTerm[];
}

export const ROOT_FIELDS: Record<string, RootConnection> = {
  sessions: {
    kind: 'rootConnection',
    type: 'InterviewSession',
    ownerColumn: 'user_id',
    filters: { status: { column: 'status', pgType: '"SessionStatus"' } },
    orderBy: [{ column: 'created_at', direction: 'DESC' }, { column: 'id', direction: 'DESC' }],
  },
};

/** Pothos settings the connections follow (src/builder.ts). */
export const CONNECTION = { defaultSize: 20, maxSize: 100 } as const;

/**
 * Problems between this table and the schema (empty when they agree): every mapped field must
 * exist with the expected nullability and named type, so the JSON shapes match.
 */
export function checkMapping(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [typeName, mapping] of Object.entries(TYPES)) {
    const type = schema.getType(typeName);
    if (!type || !('getFields' in type)) {
      problems.push(`${typeName} is not an object type`);
      continue;
    }
    const fields = type.getFields();
    for (const [fieldName, field] of Object.entries(mapping.fields)) {
      const graphqlField = fields[fieldName];
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
      if (field.kind === 'toMany' && !isListType(getNullableType(graphqlField.type))) problems.push(`${typeName}.${fieldName} is not a list`);
    }
  }
  const query = schema.getQueryType()?.getFields() ?? {};
  for (const [name, root] of Object.entries(ROOT_FIELDS)) {
    const field = query[name];
    if (!field) problems.push(`Query.${name} does not exist`);
    else if (getNamedType(field.type).name !== `Query${capitalise(name)}Connection`) {
      problems.push(`Query.${name} is not the ${root.type} connection it was`);
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
      return field.type;
    case 'connection':
      return null;
    case 'column':
      return field.codec === 'string' ? 'String' : field.codec === 'int' ? 'Int' : field.codec === 'dateTime' ? 'DateTime' : null;
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
