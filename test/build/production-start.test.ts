// The production build: `npm run build` compiles to dist/, and `NODE_ENV=production npm start` runs
// the compiled server with plain Node against PostgreSQL (a scratch database): it answers persisted
// operations, refuses other documents, serves no GraphiQL or dashboard, stops cleanly when npm gets
// SIGTERM, and the module log of its process shows only JavaScript: no .ts file and nothing of tsx
// was loaded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { freePort, startProcess, type StartedProcess } from './process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODULE_LOG_HOOK = new URL('./module-log.mjs', import.meta.url).href;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const manifest = JSON.parse(readFileSync(`${ROOT}schema/generated/persisted-documents.json`, 'utf8')) as Record<string, string>;
const persistedId = (operation: string) => {
  const entry = Object.entries(manifest).find(
    ([, document]) => document.includes(` ${operation}(`) || document.includes(` ${operation} {`),
  );
  if (!entry) throw new Error(`no persisted document for ${operation}`);
  return entry[0];
};

type LogLine = { pid: number; url?: string; argv?: string[]; execArgv?: string[] };

const readLog = (path: string): LogLine[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine)
    : [];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The process that loaded the compiled entry: npm start's child, the server. */
const serverPidOf = (path: string | undefined) => (path ? readLog(path).find((l) => l.url?.endsWith('/dist/src/main.js'))?.pid : undefined);

describe('npm run build, then NODE_ENV=production npm start', () => {
  let database: ScratchDatabase;
  let server: StartedProcess;
  let base: string;
  let moduleLog: string;
  let buildOutput: string;

  beforeAll(async () => {
    database = await createScratchDatabase('cadence_build');
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    buildOutput = `${build.stdout}\n${build.stderr}`;
    expect(build.status, buildOutput).toBe(0);

    const dir = `${ROOT}.test-results/build`;
    mkdirSync(dir, { recursive: true });
    moduleLog = `${dir}/modules-${process.pid}.jsonl`;
    rmSync(moduleLog, { force: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    server = startProcess('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.url,
        REDIS_URL,
        LOG_LEVEL: 'warn',
        // One process: the modules the server loads are read from its pid (production would
        // otherwise start a cluster primary, which loads none of the server; test/cluster/ covers that).
        WEB_CONCURRENCY: '1',
        NODE_OPTIONS: `--import=${MODULE_LOG_HOOK}`,
        MODULE_LOG: moduleLog,
      },
    });
    await server.waitFor(`${base}/health`);
  }, 300_000);

  afterAll(async () => {
    // npm does not always pass SIGTERM on to its child: stop the server itself too, if still there.
    const serverPid = serverPidOf(moduleLog);
    if (serverPid) {
      try {
        process.kill(serverPid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await server?.stop();
    await database?.drop();
  });

  it('emits the compiled entry and the files it reads at run time', () => {
    for (const file of [
      'dist/src/main.js',
      'dist/prisma/generated/client/client.js',
      'dist/schema/generated/persisted-documents.json',
      'dist/prisma/migrations/migration_lock.toml',
      'dist/schema/operations/SessionsList.graphql',
      'dist/src/http/dashboard/public/dashboard.js',
    ]) {
      expect(existsSync(`${ROOT}${file}`), file).toBe(true);
    }
  });

  it('answers persisted operations from the compiled server on PostgreSQL', async () => {
    const post = (body: unknown, key?: string) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const email = `build-${Date.now()}@example.com`;
    const signUp = await post({ documentId: persistedId('SignUp'), variables: { input: { email, name: 'Build' } } });
    const signUpBody = (await signUp.json()) as { data?: { signUp: { key: string } }; errors?: unknown };
    expect(signUp.status, JSON.stringify(signUpBody)).toBe(200);
    const key = signUpBody.data!.signUp.key;

    const viewer = await post({ documentId: persistedId('Viewer') }, key);
    expect(viewer.status).toBe(200);
    expect(((await viewer.json()) as { data: { viewer: { email: string } } }).data.viewer.email).toBe(email);

    // Production settings are in force: only persisted operations, no GraphiQL.
    const adHoc = await post({ query: '{ viewer { id } }' }, key);
    expect(adHoc.status).toBe(400);
    expect(JSON.stringify(await adHoc.json())).toContain('PERSISTED_QUERY_NOT_IN_LIST');
    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    await page.body?.cancel();
    // No ADMIN_TOKEN here: no dashboard.
    const dashboard = await fetch(`${base}/dashboard`);
    expect(dashboard.status).toBe(404);
    await dashboard.body?.cancel();
  });

  it('loads no TypeScript and no tsx in the server process, and stops cleanly on SIGTERM', async () => {
    const lines = readLog(moduleLog);
    const serverPid = serverPidOf(moduleLog);
    expect(serverPid, 'a process loaded dist/src/main.js').toBeDefined();

    // SIGTERM to npm, as a process manager sends it, reaches the server (the start script execs
    // node, so no shell sits between them): it drains and exits, and npm with it.
    const code = await server.stop();
    expect(code, server.output()).toBe(0);
    expect(alive(serverPid!)).toBe(false);
    const own = lines.filter((l) => l.pid === serverPid);
    const urls = own.flatMap((l) => (l.url ? [l.url] : []));
    const started = own.find((l) => l.argv);

    expect(started?.argv?.[1]).toMatch(/scripts\/start\.mjs$/);
    expect(started?.execArgv?.join(' ') ?? '').not.toMatch(/tsx/);
    // The hook saw the server's own modules, so an empty list below means none were TypeScript.
    expect(urls.filter((u) => u.includes('/dist/src/')).length).toBeGreaterThan(30);
    expect(urls.filter((u) => /\.[cm]?tsx?$/.test(new URL(u).pathname))).toEqual([]);
    expect(urls.filter((u) => u.includes('/node_modules/tsx/'))).toEqual([]);
  });
});
