// When the event loop stalled, recently: a timer that should fire every TICK_MS notes how late it
// ran. A reply read late because the loop was busy is Node's wait, not the database's, and
// statement-timing.ts subtracts the stalls that overlap a statement's round trip.
const TICK_MS = 10;
/** Stalls kept (a ring); older ones only matter to statements out for longer than they cover. */
const KEEP = 256;

const ends = new Float64Array(KEEP);
const lengths = new Float64Array(KEEP);
let next = 0;
let lastTick = performance.now();
let timer: NodeJS.Timeout | undefined;
let users = 0;

function tick(): void {
  const now = performance.now();
  const late = now - lastTick - TICK_MS;
  // A few ms of timer jitter are not a stall.
  if (late > 2) {
    ends[next] = now;
    lengths[next] = late;
    next = (next + 1) % KEEP;
  }
  lastTick = now;
}

/** Starts watching (shared by all callers); returns a function that stops this caller's watch. */
export function startStallWatch(): () => void {
  if (users++ === 0) {
    lastTick = performance.now();
    timer = setInterval(tick, TICK_MS);
    timer.unref();
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--users === 0) clearInterval(timer);
  };
}

/**
 * Milliseconds the loop stalled between `from` and `now`: recorded stalls that overlap it, plus
 * the stall in progress (the timer is late right now, since the caller runs instead of it).
 */
export function loopStallMsSince(from: number, now = performance.now()): number {
  let total = Math.max(0, now - lastTick - TICK_MS);
  for (let i = 0; i < KEEP; i++) {
    const end = ends[i]!;
    if (end <= from) continue;
    // The stall ran from end - length to end; only the part after `from` counts.
    total += Math.min(lengths[i]!, end - from);
  }
  return total;
}
