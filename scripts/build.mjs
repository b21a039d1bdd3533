#!/usr/bin/env node
// npm run build: compiles the server to dist/ with tsc (tsconfig.build.json) and copies beside it
// the files the compiled code reads at run time, at the same relative paths as in the repository
// (src/ resolves them from import.meta.url): migrations, the Prisma schema, the persisted-operations
// manifest, the frontend's operations (GraphiQL's examples) and the dashboard's page.
// `node dist/src/main.js` then runs with plain Node: no TypeScript tooling is loaded.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

if (process.argv.includes('--help')) {
  console.log('Usage: npm run build\n\nCompiles Cadence to dist/; start it with NODE_ENV=production npm start.');
  process.exit(0);
}

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = `${root}dist/`;

if (!existsSync(`${root}prisma/generated/client/client.ts`)) {
  console.error('prisma/generated/ is missing: run `npm run generate` (npm install does it) first.');
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const copies = [
  'prisma/migrations',
  'prisma/schema.prisma',
  'schema/generated/persisted-documents.json',
  'schema/operations',
  'schema/breaking-changes.json',
  'src/http/dashboard/public',
];
for (const path of copies) cpSync(`${root}${path}`, `${dist}${path}`, { recursive: true });

console.log(`built dist/ (start: NODE_ENV=production npm start, or node dist/src/main.js)`);
