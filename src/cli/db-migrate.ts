// `npm run db:migrate`: applies pending prisma/migrations to PostgreSQL or the embedded PGlite.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, loadConfig } from '../config.js';
import { applyMigrations, MigrationError, type MigrationTarget } from '../db/migrations.js';

const HELP = `Usage: npm run db:migrate [-- --help]

Applies the pending migrations in prisma/migrations, in order, like \`prisma migrate deploy\`
(without Prisma's native engine), and records them in _prisma_migrations. Safe to re-run:
already applied migrations are skipped. Stops with an error if an applied migration failed or
was modified since it was applied.

Environment:
  DATABASE_URL  postgres:// or postgresql:// URL of the database to migrate. When unset, the
                embedded PGlite database is migrated instead.
  PGLITE_DIR    directory of the embedded PGlite database (default .data/pglite; created if
                missing; memory:// for a throwaway in-memory database).

Progress goes to stderr; the names of the applied migrations go to stdout.
Exit status: 0 on success, 1 on any error.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new MigrationError(`unexpected argument "${positionals[0]}" (see --help)`);

  const config = loadConfig();
  const log = (msg: string) => console.error(msg);
  let target: MigrationTarget;
  let client: PGlite | undefined;
  if (config.DATABASE_URL !== undefined) {
    target = { kind: 'postgres', url: config.DATABASE_URL };
  } else {
    const dir = config.PGLITE_DIR;
    if (!dir.startsWith('memory://')) await mkdir(path.resolve(dir), { recursive: true });
    client = new PGlite(dir.startsWith('memory://') ? dir : path.resolve(dir));
    target = { kind: 'pglite', client };
  }
  try {
    const started = Date.now();
    const { applied } = await applyMigrations(target, { log });
    if (applied.length === 0) {
      log('No pending migrations to apply.');
    } else {
      log(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} in ${Date.now() - started} ms:`);
      for (const name of applied) console.log(name);
    }
    return 0;
  } finally {
    await client?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures get one clear line; anything else is a bug and keeps its stack.
    const expected =
      err instanceof MigrationError ||
      err instanceof ConfigError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    console.error(expected ? `db:migrate failed: ${(err as Error).message}` : err);
    process.exitCode = 1;
  },
);
