/** Credits of a call from its usage and its model rate, in exact decimal arithmetic. */
import { creditsToNano, Decimal } from '../../lib/decimal.js';
import type { TokenUsage } from '../../providers/types.js';
import type { RateInfo } from '../gateway/routing.js';

export interface PricedUsage extends TokenUsage {
  images?: number;
  /** Seconds of audio transcribed or translated, or of video generated. */
  seconds?: number;
  /** Characters spoken (text to speech). */
  characters?: number;
}

/**
 * Credits as an exact decimal string. Tokens: input × inputRate + output × outputRate, with cached
 * reads/writes at their own rates when the model has them (else at the input rate). Images:
 * images × outputRate (+ input tokens × inputRate when reported). Audio: (seconds + characters) ×
 * inputRate. Video: seconds × outputRate.
 */
export function computeCredits(rate: Pick<RateInfo, 'type' | 'inputRate' | 'outputRate' | 'cacheReadRate' | 'cacheWriteRate'>, usage: PricedUsage): string {
  const input = new Decimal(rate.inputRate);
  const output = new Decimal(rate.outputRate);
  if (rate.type === 'imageGeneration') {
    return output.times(usage.images ?? 0).plus(input.times(usage.inputTokens)).toFixed();
  }
  if (rate.type === 'audio') return input.times(new Decimal(usage.seconds ?? 0).plus(usage.characters ?? 0)).toFixed();
  if (rate.type === 'video') return output.times(usage.seconds ?? 0).toFixed();
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const uncachedInput = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  return input
    .times(uncachedInput)
    .plus(output.times(usage.outputTokens))
    .plus(new Decimal(rate.cacheReadRate ?? rate.inputRate).times(cacheRead))
    .plus(new Decimal(rate.cacheWriteRate ?? rate.inputRate).times(cacheWrite))
    .toFixed();
}

export function computeCreditsNano(rate: Parameters<typeof computeCredits>[0] | undefined, usage: PricedUsage): number {
  if (!rate) return 0;
  return creditsToNano(computeCredits(rate, usage));
}
