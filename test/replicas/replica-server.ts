// A real PostgreSQL streaming replica of the local server for tests: pg_basebackup into a temp
// directory, started with pg_ctl on a free port as the `postgres` OS user, stopped and deleted after.
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ADMIN_URL } from '../support/scratch-db.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);

const bin = (name: string) => {
  const version = readdirSync('/usr/lib/postgresql').sort().at(-1) as string;
  return `/usr/lib/postgresql/${version}/bin/${name}`;
};

/** Runs a PostgreSQL binary as the postgres OS user when we are root (postgres refuses root). */
function asPostgres(file: string, args: string[]) {
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Makes sure the local server accepts replication connections from 127.0.0.1. The Debian default
 * pg_hba.conf has none; this appends one trust line (additive; nothing else changes) and reloads.
 * Returns true when it had to add the line.
 */
export async function allowReplication(): Promise<boolean> {
  const rules = await query<{ n: number }>(
    ADMIN_URL,
    `SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND error IS NULL`,
  );
  if ((rules[0]?.n ?? 0) > 0) return false;
  const [{ hba_file: file } = { hba_file: '' }] = await query<{ hba_file: string }>(ADMIN_URL, 'SHOW hba_file');
  // The file belongs to the server's host, which is this machine in tests.
  appendFileSync(file, '\n# added by Cadence test/replicas\nhost replication all 127.0.0.1/32 trust\n');
  await query(ADMIN_URL, 'SELECT pg_reload_conf()');
  return true;
}

export interface ReplicaServer {
  port: number;
  dir: string;
  /** A URL for `database` on the replica. */
  url(database: string): string;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Kills the replica (immediate shutdown: connections drop as in a crash). */
  kill(): Promise<void>;
  remove(): Promise<void>;
}

export async function startReplica(): Promise<ReplicaServer> {
  const primary = new URL(ADMIN_URL);
  const dir = mkdtempSync(join(tmpdir(), 'cadence-replica-'));
  chmodSync(dir, 0o700);
  const ids = await run('id', ['-u', 'postgres']).then(async (u) => ({
    uid: Number(u.stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  }));
  if (process.getuid?.() === 0) chownSync(dir, ids.uid, ids.gid);
  const port = await freePort();
  // A hot standby needs these at least as high as on the primary.
  const settings = await query<{ name: string; setting: string }>(
    ADMIN_URL,
    `SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')`,
  );
  let running = false;
  try {
    // -c fast: checkpoint now rather than wait for the next one.
    await asPostgres(bin('pg_basebackup'), [
      '-h',
      primary.hostname,
      '-p',
      primary.port || '5432',
      '-U',
      'postgres',
      '-D',
      dir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    // Debian keeps postgresql.conf and pg_hba.conf in /etc: the copy gets its own minimal ones.
    const conf = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'hot_standby = on',
      'shared_buffers = 32MB',
      'fsync = off',
      `logging_collector = off`,
      ...settings.map((s) => `${s.name} = ${s.setting}`),
    ];
    writeFileSync(join(dir, 'postgresql.conf'), `${conf.join('\n')}\n`);
    writeFileSync(join(dir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    if (process.getuid?.() === 0) {
      chownSync(join(dir, 'postgresql.conf'), ids.uid, ids.gid);
      chownSync(join(dir, 'pg_hba.conf'), ids.uid, ids.gid);
    }
    await asPostgres(bin('pg_ctl'), ['-D', dir, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    running = true;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;

  return {
    port,
    dir,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async pauseReplay() {
      await query(admin, 'SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await query(admin, 'SELECT pg_wal_replay_resume()');
    },
    async kill() {
      if (!running) return;
      running = false;
      await asPostgres(bin('pg_ctl'), ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    },
    async remove() {
      if (running) {
        running = false;
        await asPostgres(bin('pg_ctl'), ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
