// Waiting for a quiet machine: the benchmark shares two cores with whatever else runs (test
// suites, type checks), and a round measured next to them says little.
import os from 'node:os';
import { ourPids } from './children.js';
import { log } from './cli.js';
import { allProcesses, machineCpu, topConsumers } from './proc.js';
import { fmt } from './report.js';
import { round } from './stats.js';

/** Below this much CPU (% of one core) used by others, the machine counts as quiet. */
export const QUIET_PCT = 20;

/**
 * Waits (at most `maxS` seconds) until the machine is nearly idle (this process and its servers
 * aside). Returns the other load seen first, in % of one core.
 */
export async function waitForQuiet(maxS: number, stop: () => boolean): Promise<number> {
  let who = '';
  const sample = async () => {
    const a = machineCpu();
    const pa = allProcesses();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const b = machineCpu();
    who = topConsumers(pa, allProcesses(), performance.now() - t0, 3, new Set([process.pid, ...ourPids()]));
    const cores = b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length : 0;
    return cores * 100;
  };
  const first = await sample();
  if (maxS <= 0 || first <= QUIET_PCT) return round(first, 0);
  log(`waiting up to ${maxS} s for other work on the machine to finish (${fmt(first, 0)}% of a core busy${who ? `: ${who}` : ''})…`);
  const deadline = Date.now() + maxS * 1000;
  let last = first;
  while (Date.now() < deadline && !stop()) {
    last = await sample();
    if (last <= QUIET_PCT) return round(first, 0);
  }
  log(`still busy (${fmt(last, 0)}% of a core${who ? `: ${who}` : ''}); measuring anyway`);
  return round(first, 0);
}
