// Starts Cadence: config, database (migrated and with demo data on the embedded default), HTTP server.
import { createServer } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, useDatabase } from './db/client.js';
import { createLogger } from './log.js';
import { createRedis } from './redis.js';

const HELP = `Usage: npm start

Starts the Cadence GraphQL API on http://HOST:PORT/graphql (GraphiQL in the browser).
Without DATABASE_URL it runs on embedded PGlite under PGLITE_DIR, migrates it, loads demo data
and prints a fresh demo API key. Every setting is an environment variable; see README.md
("Configuration") for the full table.`;

async function main(config: Config): Promise<void> {
  const log = createLogger({ level: config.LOG_LEVEL });
  const database = await openDatabase(config);
  useDatabase(database);

  let demoKey: string | undefined;
  if (database.kind === 'pglite') {
    const { applyMigrations } = await import('./db/migrations.js');
    const { applied } = await applyMigrations({ kind: 'pglite', client: database.pglite });
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  if (config.demo) {
    const { seedDemo, issueDemoKey } = await import('./db/seed/demo.js');
    const demo = await seedDemo(database.prisma);
    if (demo.created) log.info('demo data loaded');
    demoKey = await issueDemoKey(database.prisma, demo.userId);
  }

  // Imported after the database is open so the schema's Prisma client resolves to it.
  const { createCadence } = await import('./http/yoga.js');
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log.child({ component: 'redis' })) : undefined;
  const yoga = createCadence({
    config,
    log,
    database,
    redis,
    graphiqlHeaders: demoKey ? { Authorization: `Bearer ${demoKey}` } : undefined,
  });
  const server = createServer(yoga);
  // GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP.
  const { attachWebSocket } = await import('./http/websocket.js');
  const webSocket = attachWebSocket(server, yoga, { config, log });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));

  const where = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}/graphql`;
  log.info({ url: where, database: database.kind }, 'Cadence is listening');
  if (demoKey) {
    // Printed plainly (not only as a log line) so a person starting the demo sees it at once.
    process.stdout.write(
      `\n  Cadence is running: ${where}\n  Demo API key (GraphiQL has it pre-filled):\n    Authorization: Bearer ${demoKey}\n\n`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void webSocket.close();
    // Stop accepting, let requests in flight finish, then close the database.
    server.close(() => {
      void Promise.allSettled([database.close(), redis?.quit()]).finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
} else {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  main(config).catch((error: unknown) => {
    console.error(`Cadence failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
