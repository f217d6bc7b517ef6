import { InsufficientCreditsError } from '../../errors.js';
import { nanoToCredits } from '../../lib/decimal.js';

/** The 402 of API.md §2, with `link` when a top-up link is known. */
export function insufficientCredits(needNano: number, availableNano: number, link?: string): InsufficientCreditsError {
  const available = nanoToCredits(Math.max(0, availableNano));
  return new InsufficientCreditsError(
    `Insufficient credits: this call may cost up to ${nanoToCredits(needNano)} credits and the available balance is ${available}`,
    { code: 'insufficient_credits', extra: link ? { link } : undefined },
  );
}
