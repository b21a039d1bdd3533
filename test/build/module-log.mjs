// Preloaded (NODE_OPTIONS=--import) into the server a test starts: writes the process's argv and
// every module URL Node's ESM loader loads to MODULE_LOG, one JSON line each, so the test can show
// what the process ran (no TypeScript, no tsx). Plain .mjs: it must load without any tooling.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

const out = process.env.MODULE_LOG;
if (out) {
  appendFileSync(out, `${JSON.stringify({ pid: process.pid, argv: process.argv, execArgv: process.execArgv })}\n`);
  register('./module-log-hooks.mjs', import.meta.url, { data: { out, pid: process.pid } });
}
