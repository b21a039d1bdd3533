// Loader hooks of module-log.mjs (they run on Node's loader thread).
import { appendFileSync } from 'node:fs';

let out = '';
let pid = 0;

export function initialize(data) {
  out = data.out;
  pid = data.pid;
}

export async function load(url, context, nextLoad) {
  appendFileSync(out, `${JSON.stringify({ pid, url })}\n`);
  return nextLoad(url, context);
}
