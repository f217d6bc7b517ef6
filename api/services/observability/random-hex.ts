/** Random hex ids. */
import { randomHex } from '../../lib/random-bytes.js';

/**
 * Ids that start with the time: a trace id is the 48-bit millisecond clock and 80 random bits, a
 * span id the 32-bit second and 32 random bits. Rows keyed by them land next to each other in the
 * span store's indexes instead of on random pages (far fewer pages written per commit).
 */
export function timeOrderedHex(bytes: 16 | 8): string {
  if (bytes === 16) return Date.now().toString(16).padStart(12, '0').slice(-12) + randomHex(10);
  return (Math.floor(Date.now() / 1000) >>> 0).toString(16).padStart(8, '0') + randomHex(4);
}
