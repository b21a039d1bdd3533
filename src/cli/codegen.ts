// `npm run codegen`: writes the outputs of codegen.ts, or checks that the committed ones are current.
import { renderGenerated, staleFiles, writeGenerated } from '../policy/codegen.js';

const HELP = `Usage: npm run codegen [-- --check]

Runs codegen.ts: schema/schema.graphql (sorted SDL of the code-first schema), typed documents for
schema/operations/*.graphql in schema/generated/, and the persisted-operations manifest
schema/generated/persisted-documents.json.
  --check   write nothing; exit 1 and name the files that differ from what the code generates (CI).
  --help    this text.`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`Unknown argument(s): ${unknown.join(' ')}\n\n${HELP}`);
    return 2;
  }
  const files = await renderGenerated();
  const stale = staleFiles(files);
  if (args.includes('--check')) {
    if (stale.length) {
      console.error(`Stale generated files (run \`npm run codegen\` and commit them):\n${stale.map((f) => `  ${f}`).join('\n')}`);
      return 1;
    }
    console.error(`${files.length} generated files are current.`);
    return 0;
  }
  writeGenerated(files);
  console.error(`wrote ${files.length} files${stale.length ? ` (${stale.length} changed: ${stale.join(', ')})` : ' (none changed)'}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
