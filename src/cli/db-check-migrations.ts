// `npm run db:check-migrations`: CI guard that prisma/migrations and schema.prisma describe the same schema.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { diffMigrationsToSchema, MigrationError, MIGRATIONS_DIR, SCHEMA_PATH } from '../db/migrations.js';

const HELP = `Usage: npm run db:check-migrations

Checks that the migrations in prisma/migrations produce exactly the datamodel of
prisma/schema.prisma, like \`prisma migrate diff --from-migrations prisma/migrations
--to-schema-datamodel prisma/schema.prisma --exit-code\` (without Prisma's native engine).
The migrations are replayed on a throwaway in-memory PostgreSQL (PGlite): no database server,
DATABASE_URL or network is needed.

When they drift apart, the missing SQL is printed to stdout; create the migration with
\`npm run db:migration -- <name>\`.

Environment: none.
Exit status: 0 when they agree, 1 when they drift apart, 2 when the check itself fails
(unreadable files, a migration that does not apply…).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new MigrationError(`unexpected argument "${positionals[0]}" (see --help)`);

  console.error(`Comparing ${rel(MIGRATIONS_DIR)} with ${rel(SCHEMA_PATH)}…`);
  const sql = await diffMigrationsToSchema();
  if (sql === '') {
    console.error('OK: schema.prisma and the migrations agree.');
    return 0;
  }
  console.error(
    `Drift: ${rel(SCHEMA_PATH)} has changes that no migration contains. Pending SQL below; ` +
      'write it as a migration with `npm run db:migration -- <name>`.\n',
  );
  process.stdout.write(sql.endsWith('\n') ? sql : `${sql}\n`);
  return 1;
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures get one clear line; anything else is a bug and keeps its stack.
    const expected =
      err instanceof MigrationError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    console.error(expected ? `db:check-migrations failed: ${(err as Error).message}` : err);
    process.exitCode = 2;
  },
);
