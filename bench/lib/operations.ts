// The frontend's operations (schema/operations/*.graphql) and how to send them: as a persisted
// document id when the server's manifest (schema/generated/persisted-documents.json) lists the
// operation and the server accepts ids (production Cadence may accept nothing else), otherwise as
// query text. Which form works is found out against the running server, not assumed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection, failureOf, type RequestSpec } from './http-load.js';
import { BenchError, PROJECT_ROOT } from './cli.js';
import type { Db } from '../../src/db/client.js';

export interface Operation {
  name: string;
  kind: 'query' | 'mutation';
  text: string;
  /** `sha256:<hex>` from the persisted-documents manifest, when it lists this operation. */
  documentId: string | null;
}

export type RequestForm = 'documentId' | 'query';

const MANIFEST = path.join(PROJECT_ROOT, 'schema', 'generated', 'persisted-documents.json');

export async function loadOperations(names: string[]): Promise<Map<string, Operation>> {
  let manifest: Record<string, string> = {};
  try {
    manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as Record<string, string>;
  } catch {
    // No manifest: every operation goes as text.
  }
  const out = new Map<string, Operation>();
  for (const name of names) {
    const file = path.join(PROJECT_ROOT, 'schema', 'operations', `${name}.graphql`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new BenchError(`operation file ${path.relative(PROJECT_ROOT, file)} is missing`);
    }
    const kind = /^\s*mutation\b/m.test(text.replace(/#.*$/gm, '')) ? 'mutation' : 'query';
    const pattern = new RegExp(`^(query|mutation)\\s+${name}\\b`);
    const documentId = Object.entries(manifest).find(([, doc]) => pattern.test(doc.trim()))?.[0] ?? null;
    out.set(name, { name, kind, text, documentId });
  }
  return out;
}

export function requestBody(op: Operation, variables: Record<string, unknown>, form: RequestForm): string {
  return form === 'documentId' && op.documentId
    ? JSON.stringify({ documentId: op.documentId, operationName: op.name, variables })
    : JSON.stringify({ query: op.text, operationName: op.name, variables });
}

/**
 * The request form this server answers `op` with: the persisted id when that works (what the
 * frontend sends in production), else the query text. Throws when neither works.
 */
export async function detectRequestForm(
  url: string,
  op: Operation,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<RequestForm> {
  const conn = new Connection(url);
  const failures: string[] = [];
  try {
    for (const form of (op.documentId ? ['documentId', 'query'] : ['query']) as RequestForm[]) {
      const spec: RequestSpec = { op: op.name, body: requestBody(op, variables, form), headers };
      const res = await conn.send(spec);
      const failure = failureOf(res);
      if (!failure) return form;
      failures.push(`${form}: ${failure} ${res.body.slice(0, 200)}`);
    }
  } finally {
    conn.close();
  }
  throw new BenchError(`${url} answers ${op.name} neither by persisted id nor by query text:\n  ${failures.join('\n  ')}`);
}

/** Operations that take one session's global id as `$id`. */
const SESSION_OPS = new Set(['SessionDetail', 'SessionFeedback', 'SessionMessages']);

/**
 * The variables the in-process benches send `opName` with for one user: a session operation asks
 * for the user's newest session, SessionsList for a page of `first`, the others for nothing.
 */
export async function benchVariables(
  db: Pick<Db, 'interviewSession'>,
  opName: string,
  userId: string,
  first: number,
): Promise<Record<string, unknown>> {
  if (!SESSION_OPS.has(opName)) return opName === 'SessionsList' ? { first } : {};
  const session = await db.interviewSession.findFirstOrThrow({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true },
  });
  return { id: Buffer.from(`InterviewSession:${session.id}`).toString('base64url') };
}
