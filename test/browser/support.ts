// Browser tests: Cadence on a real HTTP port (its own scratch PostgreSQL database with the demo data
// and key, as `npm start` has them) and Debian's Chromium driven by playwright-core, headless, with a
// fresh profile and every request it makes recorded, so a test can show that none left the machine.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { openDatabase, useDatabase, type Database } from '../../src/db/client.js';
import { issueDemoKey, seedDemo } from '../../src/db/seed/demo.js';
import { createLogger } from '../../src/log.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots are kept here (gitignored; CI keeps .test-results). */
export const ARTIFACTS = fileURLToPath(new URL('../../.test-results/browser/', import.meta.url));

export interface BrowserApp {
  base: string;
  demoKey: string;
  database: Database;
  /** The request pool's size (the dashboard's pool tile shows it). */
  poolMax: number;
  /** POSTs a GraphQL document with the demo key; returns the response's request id and body. */
  graphql(query: string, variables?: Record<string, unknown>): Promise<{ requestId: string; body: { data?: unknown; errors?: unknown } }>;
  close(): Promise<void>;
}

/** Cadence in development mode (GraphiQL, dashboard) listening on 127.0.0.1 at a free port. */
export async function startBrowserApp(prefix: string, env: Record<string, string> = {}): Promise<BrowserApp> {
  const scratch: ScratchDatabase = await createScratchDatabase(prefix);
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: scratch.url,
    ABUSE_MAX_REJECTIONS: '0',
    // The dashboard test sends bursts of requests with one key; the limits have their own tests.
    RATE_LIMIT_BURST: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const database = await openDatabase(config);
  useDatabase(database);
  const demo = await seedDemo(database.prisma);
  const demoKey = await issueDemoKey(database.prisma, demo.userId);
  const { createCadence } = await import('../../src/http/yoga.js');
  const yoga = createCadence({
    config,
    log: createLogger({ level: 'silent' }),
    database,
    graphiqlHeaders: { Authorization: `Bearer ${demoKey}` },
  });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    base,
    demoKey,
    database,
    poolMax: config.DB_POOL_SIZE,
    async graphql(query, variables = {}) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demoKey}` },
        body: JSON.stringify({ query, variables }),
      });
      return {
        requestId: response.headers.get('x-request-id') ?? '',
        body: (await response.json()) as { data?: unknown; errors?: unknown },
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await yoga.dispose();
      await database.close();
      await scratch.drop();
    },
  };
}

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Every URL the browser requested, in order. */
  requests: string[];
  /** Uncaught page errors and failed requests. */
  problems: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a new empty profile and the flags that keep it off the network on its own. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  const profile = mkdtempSync(join(tmpdir(), 'cadence-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const requests: string[] = [];
  const problems: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A navigation cancels what the previous page was still loading; that is not a failure.
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${reason}`);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    page,
    context,
    requests,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Hosts of requests that left the machine (anything but 127.0.0.1/localhost; data: and blob: stay local). */
export function remoteRequests(urls: string[]): string[] {
  return urls.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
    return !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
