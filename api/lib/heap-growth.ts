/**
 * How far the V8 heap may grow past what its last full collection kept. Left to itself, V8 lets a
 * busy process's heap grow to about four times that (garbage waiting for a collection), and the
 * pages stay resident afterwards: a hub under load ends up holding several times the memory its
 * calls need. A fixed factor keeps the heap near its live size for a few percent more collection work.
 */
import v8 from 'node:v8';

/** Applies `percent` (e.g. 100: the heap may double between full collections); 0 leaves V8's choice. */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
