#!/usr/bin/env node
// npm start: in production (NODE_ENV=production) the compiled server of `npm run build` with plain
// Node, no TypeScript tooling loaded; otherwise the TypeScript source through tsx's loader, so a
// fresh clone starts with `npm install && npm start` and no build step. One process either way:
// signals reach the server directly, and node:cluster workers re-run this same file.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/main.js', import.meta.url);

if (process.env.NODE_ENV === 'production') {
  if (!existsSync(entry)) {
    console.error('dist/src/main.js is missing: run `npm run build` first (production runs the compiled server).');
    process.exit(1);
  }
  await import(entry.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
