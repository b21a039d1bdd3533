// Child process of heap-growth.test.ts: applies HEAP_GROWTH_PERCENT the way src/main.ts does, then
// allocates like a server under load (a live set, plus garbage that lives long enough to be
// promoted) and prints the largest committed heap it saw after the live set was built.
import { loadConfig } from '../../../src/config.js';
import { limitHeapGrowth } from '../../../src/perf/heap-growth.js';

limitHeapGrowth(loadConfig().HEAP_GROWTH_PERCENT);

const live: { a: number; b: string }[] = [];
for (let i = 0; i < 600_000; i++) live.push({ a: i, b: `x${i}` });
let recent: { x: number[] }[] = [];
let peak = 0;
for (let round = 0; round < 3_000; round++) {
  for (let i = 0; i < 2_000; i++) recent.push({ x: new Array(20).fill(i) });
  if (recent.length > 200_000) recent = [];
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
console.log(JSON.stringify({ peakHeapMb: Math.round(peak / 1e6), live: live.length }));
