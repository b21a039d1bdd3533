// `npm run db:migration -- <name>`: writes the next migration from the schema.prisma drift.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createMigration, MigrationError, MIGRATIONS_DIR, SCHEMA_PATH, slugifyMigrationName } from '../db/migrations.js';

const HELP = `Usage: npm run db:migration -- <name>

Writes prisma/migrations/<yyyymmddhhmmss>_<name>/migration.sql with the SQL that takes a
database built from the existing migrations to the datamodel in prisma/schema.prisma, like
\`prisma migrate dev --create-only --name <name>\` (without Prisma's native engine). The
migrations are replayed on a throwaway in-memory PostgreSQL (PGlite): no database server,
DATABASE_URL or network is needed, and none is touched. Review the file, then apply it with
\`npm run db:migrate\`.

<name> is slugified like Prisma does ("Add user email" -> add_user_email).
When schema.prisma and the migrations already agree, nothing is written.

Environment: none.
Progress goes to stderr; the path of the new migration goes to stdout.
Exit status: 0 when a migration was written or nothing needed writing, 1 on any error.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new MigrationError('missing migration name: npm run db:migration -- <name> (see --help)');

  const name = positionals.join(' ');
  // Fail on an unusable name before spending seconds on the diff.
  if (slugifyMigrationName(name) === '')
    throw new MigrationError(`"${name}" is not a usable migration name: use letters, digits and underscores.`);
  console.error(`Comparing ${rel(MIGRATIONS_DIR)} with ${rel(SCHEMA_PATH)}…`);
  const folder = await createMigration(name);
  if (folder === null) {
    console.error('schema and migrations agree; nothing to write');
    return 0;
  }
  console.error('Wrote the new migration; review it, then run `npm run db:migrate`:');
  console.log(rel(path.join(folder, 'migration.sql')));
  return 0;
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
    console.error(expected ? `db:migration failed: ${(err as Error).message}` : err);
    process.exitCode = 1;
  },
);
