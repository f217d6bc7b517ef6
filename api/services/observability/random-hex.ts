/** Hex ids for traces and spans. */
import { randomHex } from '../../lib/random-bytes.js';

/**
 * A trace id: the 48-bit millisecond clock and 80 random bits. Ids that start with the time land
 * next to each other in the span store's indexes instead of on random pages (far fewer pages
 * written per commit).
 */
export function traceIdHex(): string {
  return Date.now().toString(16).padStart(12, '0').slice(-12) + randomHex(10);
}

let second = -1;
let next = 0;

/**
 * A span id: the 32-bit second, then a 32-bit number that starts at a random value each second
 * and counts up. The span store keys rows by span id alone, so ids must not repeat across traces:
 * with 32 random bits per id, a busy hub repeated one every few seconds, and the later span
 * overwrote the earlier one in another trace. Counting makes ids unique within the process; another process writing to the same
 * store in the same second repeats one only if its range of numbers meets this one's.
 */
export function spanIdHex(): string {
  const now = Math.floor(Date.now() / 1000) >>> 0;
  if (now !== second) {
    second = now;
    next = Number.parseInt(randomHex(4), 16);
  }
  const n = next;
  next = (next + 1) >>> 0;
  return now.toString(16).padStart(8, '0') + n.toString(16).padStart(8, '0');
}
