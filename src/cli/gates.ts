// `npm run gates`: the frontend's operations against their budgets, on a fresh in-memory database.
import { loadConfig } from '../config.js';
import { openDatabase, useDatabase } from '../db/client.js';
import { applyMigrations } from '../db/migrations.js';
import { createLogger } from '../log.js';
import { formatGateTable, GATE_ENV_TTL_MS, runGates } from '../policy/gates.js';

const HELP = `Usage: npm run gates [-- --json]

Runs every operation of schema/operations/*.graphql once, by persisted id (persisted operations
required, as in production), against a fresh embedded PGlite database seeded through the API, and
prints one table: static cost, depth and SQL statements against the budgets in
src/policy/budgets.ts and the limits in src/policy/limits.ts. Exits 1 when any operation fails its
gate, including an operation without a budget.
  --json    print the rows as JSON instead of a Markdown table.
  --help    this text.`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length) {
    console.error(`Unknown argument(s): ${unknown.join(' ')}\n\n${HELP}`);
    return 2;
  }
  // Deterministic: in-memory PGlite whatever DATABASE_URL says, nothing outside this process.
  // The key stays warm in the API-key cache for the whole run (as for nearly every real request),
  // so a slow machine cannot add a lookup to whichever operation runs after the TTL.
  const config = loadConfig({
    NODE_ENV: 'test',
    PGLITE_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    PERSISTED_OPERATIONS_ONLY: 'true',
    AUTH_CACHE_TTL_MS: String(GATE_ENV_TTL_MS),
    // The gates measure resolution: a cached answer would count no SQL at all.
    RESPONSE_CACHE_TTL_MS: '0',
    // Every gate request uses one key, far beyond the default rate limits.
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_BURST: '0',
    // No feedback worker: on PGlite its statements share the one connection with the requests',
    // and the gates count a request's own SQL.
    QUEUE_IN_SERVER: 'false',
  });
  const database = await openDatabase(config);
  try {
    if (database.kind === 'pglite') await applyMigrations({ kind: 'pglite', client: database.pglite });
    useDatabase(database);
    const { createCadence } = await import('../http/yoga.js');
    const yoga = createCadence({ config: { ...config, graphiql: false }, log: createLogger({ level: 'silent' }), database });
    const rows = await runGates(yoga);
    await yoga.dispose();
    console.log(args.includes('--json') ? JSON.stringify(rows, null, 2) : formatGateTable(rows));
    const failed = rows.filter((r) => r.failures.length);
    for (const row of failed) console.error(`${row.operation}: ${row.failures.join('; ')}`);
    console.error(
      failed.length ? `${failed.length} of ${rows.length} operations fail their gate.` : `All ${rows.length} operations pass their gate.`,
    );
    return failed.length ? 1 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
