// Writes schema/schema.graphql from the code-first schema, or checks that it is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSchema } from '../schema/print.js';

const HELP = `Usage: npm run schema:print [-- --check]

Writes schema/schema.graphql from the code-first schema (types and fields sorted).
  --check   write nothing; exit 1 if the committed file differs from the schema (CI).`;

const TARGET = new URL('../../schema/schema.graphql', import.meta.url);

if (process.argv.includes('--help')) {
  console.log(HELP);
} else if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(TARGET, 'utf8');
  } catch {
    // A missing file counts as stale.
  }
  if (committed !== renderSchema()) {
    console.error('schema/schema.graphql is stale: run `npm run schema:print` and commit the result.');
    process.exit(1);
  }
  console.error('schema/schema.graphql is current.');
} else {
  writeFileSync(TARGET, renderSchema());
  console.error('wrote schema/schema.graphql');
}
