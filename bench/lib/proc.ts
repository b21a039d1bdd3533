// CPU time of processes from /proc (Linux): a server's own, PostgreSQL backends', the machine's.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, usually 100. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process (all its threads), in milliseconds; null if it is gone. */
export function processCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicks();
}

/**
 * CPU ms of a process and everything it started (a WEB_CONCURRENCY cluster's workers): the living
 * descendants' utime + stime, and the root's cutime + cstime for children it has already reaped
 * (a replaced worker). Null if the root is gone.
 */
export function treeCpuMs(root: number): number | null {
  const own = statFields(root);
  if (!own) return null;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of descendants(root)) {
    const f = statFields(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / clockTicks();
}

/** Resident set size of a process and its living descendants, MB (null when the root is gone). */
export function treeRssMb(root: number): number | null {
  const own = rssMb(root);
  if (own === null) return null;
  let total = own;
  for (const pid of descendants(root)) total += rssMb(pid) ?? 0;
  return Math.round(total * 10) / 10;
}

/** /proc/<pid>/stat from field 3 (state) on; null if the process is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Pids whose parent chain leads to `root`. */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f) parentOf.set(Number(entry), Number(f[1]));
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/** Sum of the CPU time of these processes; gone ones count as 0. */
export function sumCpuMs(pids: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== null) out.set(pid, ms);
  }
  return out;
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU ms so far of every process visible in /proc, by pid, with a short name. */
export function allProcesses(): Map<number, { name: string; cpuMs: number }> {
  const out = new Map<number, { name: string; cpuMs: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    const cpuMs = processCpuMs(pid);
    if (cpuMs === null) continue;
    let name = '';
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // `node …/tsc --noEmit` reads better with its script; skip preloads (`--import x`, `-r x`).
      const script = args.find(
        (a, i) => i > 0 && !a.startsWith('-') && !/^(--import|--require|-r|--loader)$/.test(args[i - 1] ?? '') && /[/.]/.test(a),
      );
      name = [args[0]?.split('/').pop(), script?.split('/').slice(-2).join('/')].filter(Boolean).join(' ');
    } catch {
      // gone, or a kernel thread
    }
    out.set(pid, { name: name.slice(0, 60) || `pid ${pid}`, cpuMs });
  }
  return out;
}

/** The processes (but `exclude`) that used the most CPU between two `allProcesses()` snapshots, as "name NN%". */
export function topConsumers(
  before: Map<number, { name: string; cpuMs: number }>,
  after: Map<number, { name: string; cpuMs: number }>,
  wallMs: number,
  n = 3,
  exclude: ReadonlySet<number> = new Set(),
): string {
  // A process that started in between counts from 0; one that ended in between is lost.
  return [...after]
    .filter(([pid]) => !exclude.has(pid))
    .map(([pid, p]) => ({ name: p.name, pct: ((p.cpuMs - (before.get(pid)?.cpuMs ?? 0)) / wallMs) * 100 }))
    .filter((p) => p.pct >= 5)
    .sort((a, b) => b.pct - a.pct)
    .slice(0, n)
    .map((p) => `${p.name} ${Math.round(p.pct)}%`)
    .join(', ');
}

/** Resident set size of a process, MB (null when it is gone). */
export function rssMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}
