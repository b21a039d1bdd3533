#!/usr/bin/env node
// Runs `prisma generate` without Prisma's native schema engine, which cannot be downloaded here.
// generate only checks that PRISMA_SCHEMA_ENGINE_BINARY names an existing file and never runs it,
// so any existing file will do; the node binary always exists.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

if (process.argv.includes('--help')) {
  console.log('Usage: npm run generate\n\nGenerates the Prisma client and Pothos types into prisma/generated/.');
  process.exit(0);
}
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
process.exit(result.status ?? 1);
