// What the compiler knows of the schema: for each GraphQL object type it may compile, its table
// and how each field reads from a row. Anything not listed here is unsupported, and an operation
// that selects it runs on graphql-js + Pothos (the reference executor). `checkMapping` compares
// this table with the built schema at start-up, so a schema change that breaks it turns
// compilation off for the operations concerned instead of answering differently.
import { getNamedType, getNullableType, isListType, isNonNullType, type GraphQLSchema } from 'graphql';
import { LISTED_API_KEYS } from '../schema/user.js';

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

const timestamp = (column: string, nullable = false): FieldMapping => ({ kind: 'column', column, codec: 'dateTime', nullable });
const text = (column: string): FieldMapping => ({ kind: 'column', column, codec: 'string', nullable: false });
const int = (column: string): FieldMapping => ({ kind: 'column', column, codec: 'int', nullable: false });
const enumeration = (column: string, nullable = false): FieldMapping => ({ kind: 'column', column, codec: 'enum', nullable });
const textList = (column: string): FieldMapping => ({ kind: 'column', column, codec: 'stringList', nullable: false });

/** Mirrors src/schema/{session,message,feedback,job-posting,resume,user,api-key}.ts and prisma/schema.prisma. */
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
      resume: { kind: 'toOne', type: 'Resume', localKey: 'resume_id', targetKey: 'id' },
      messageCount: { kind: 'count', table: 'session_messages', foreignKey: 'session_id' },
      averageScore: { kind: 'average', table: 'feedback', foreignKey: 'session_id', column: 'score', filter: 'message_id IS NOT NULL' },
      operations: {
        kind: 'toMany',
        type: 'Operation',
        foreignKey: 'session_id',
        orderBy: [
          { column: 'created_at', direction: 'ASC' },
          { column: 'id', direction: 'ASC' },
        ],
      },
      messages: { kind: 'connection', type: 'SessionMessage', foreignKey: 'session_id', orderBy: [{ column: 'seq', direction: 'ASC' }] },
      feedback: {
        kind: 'toMany',
        type: 'Feedback',
        foreignKey: 'session_id',
        orderBy: [
          { column: 'created_at', direction: 'ASC' },
          { column: 'id', direction: 'ASC' },
        ],
      },
    },
  },
  JobPosting: {
    table: 'job_postings',
    fields: {
      id: { kind: 'globalId', typename: 'JobPosting' },
      title: text('title'),
      company: text('company'),
      skills: textList('skills'),
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
      feedback: { kind: 'toOneBy', type: 'Feedback', foreignKey: 'message_id' },
    },
  },
  Feedback: {
    table: 'feedback',
    fields: {
      id: { kind: 'globalId', typename: 'Feedback' },
      score: int('score'),
      summary: text('summary'),
      strengths: textList('strengths'),
      improvements: textList('improvements'),
      createdAt: timestamp('created_at'),
      scope: { kind: 'nullSwitch', column: 'message_id', whenNull: 'SESSION', otherwise: 'ANSWER', type: 'FeedbackScope' },
      // Null for session feedback (no message_id): the subquery finds no row.
      message: { kind: 'toOne', type: 'SessionMessage', localKey: 'message_id', targetKey: 'id' },
    },
  },
  Resume: {
    table: 'resumes',
    fields: {
      id: { kind: 'globalId', typename: 'Resume' },
      title: text('title'),
      createdAt: timestamp('created_at'),
    },
  },
  User: {
    table: 'users',
    fields: {
      id: { kind: 'globalId', typename: 'User' },
      name: text('name'),
      email: text('email'),
      createdAt: timestamp('created_at'),
      apiKeys: {
        kind: 'toMany',
        type: 'ApiKey',
        foreignKey: 'user_id',
        orderBy: [
          { column: 'created_at', direction: 'DESC' },
          { column: 'id', direction: 'DESC' },
        ],
        limit: LISTED_API_KEYS,
      },
    },
  },
  ApiKey: {
    table: 'api_keys',
    fields: {
      id: { kind: 'globalId', typename: 'ApiKey' },
      name: text('name'),
      prefix: text('prefix'),
      createdAt: timestamp('created_at'),
      revokedAt: timestamp('revoked_at', true),
      revoked: { kind: 'present', column: 'revoked_at' },
    },
  },
  Operation: {
    table: 'operations',
    fields: {
      id: { kind: 'globalId', typename: 'Operation' },
      kind: enumeration('kind'),
      status: enumeration('status'),
      attempts: int('attempts'),
      error: { kind: 'column', column: 'error', codec: 'string', nullable: true },
      createdAt: timestamp('created_at'),
      updatedAt: timestamp('updated_at'),
      startedAt: timestamp('started_at', true),
      finishedAt: timestamp('finished_at', true),
    },
  },
};

/** Root fields the compiler can answer. */
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

/** The viewer's rows of `type`, newest first (jobPostings, resumes, sessions). */
const newestFirst = (type: string, filters: RootConnection['filters'] = {}): RootConnection => ({
  kind: 'rootConnection',
  type,
  ownerColumn: 'user_id',
  filters,
  orderBy: [
    { column: 'created_at', direction: 'DESC' },
    { column: 'id', direction: 'DESC' },
  ],
});

export const ROOT_FIELDS: Record<string, RootField> = {
  session: { kind: 'rootNode', type: 'InterviewSession', ownerColumn: 'user_id', idArg: 'id' },
  sessions: newestFirst('InterviewSession', { status: { column: 'status', pgType: '"SessionStatus"' } }),
  jobPostings: newestFirst('JobPosting'),
  resumes: newestFirst('Resume'),
  viewer: { kind: 'rootViewer', type: 'User' },
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
      if (field.kind === 'toMany' && !isListType(getNullableType(graphqlField.type)))
        problems.push(`${typeName}.${fieldName} is not a list`);
    }
  }
  const query = schema.getQueryType()?.getFields() ?? {};
  for (const [name, root] of Object.entries(ROOT_FIELDS)) {
    const field = query[name];
    const expected = root.kind === 'rootConnection' ? `Query${capitalise(name)}Connection` : root.type;
    if (!field) problems.push(`Query.${name} does not exist`);
    else if (getNamedType(field.type).name !== expected) {
      problems.push(`Query.${name} is not the ${expected} it was`);
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

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
