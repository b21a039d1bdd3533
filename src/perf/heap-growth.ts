// Bounds how far V8's old generation grows between major collections. V8 sets the next limit at
// the live size times a factor it picks from how cheap collection has been; under Cadence's steady
// load collection is cheap (mutator utilisation 0.998), so it picks the maximum and the heap swings
// between the live size (~70-100 MB) and four times that: RSS went 470 -> 640 MB and back in a
// soak, with the same live data (docs/scaling.md, "Memory over a soak"). A fixed factor keeps the
// heap, and RSS with it, within that factor of the live size, for about 1 % more time in GC.
import v8 from 'node:v8';

/** Fixes V8's heap growing factor at 1 + percent/100 (0: V8's own, dynamic choice). Process-wide. */
export function limitHeapGrowth(percent: number): void {
  // V8 reads the flag each time it recomputes the limit, so setting it after start-up applies
  // from the next collection on (node's command line would not reach cluster workers or tsx).
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
