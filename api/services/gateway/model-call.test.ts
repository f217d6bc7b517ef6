/** The most a call can cost among its candidates: what its credit reservation holds. */
import { describe, expect, it } from 'vitest';
import { maxCostOf } from './model-call.js';
import type { Candidate, RateInfo } from './routing.js';

const rate = (patch: Partial<RateInfo>): RateInfo => ({ id: 'r', model: 'm', type: 'chatCompletion', inputRate: '0.000001', outputRate: '0.000002', cacheReadRate: null, cacheWriteRate: null, modelMetadata: null, ...patch });
const candidate = (r?: RateInfo): Candidate => ({ provider: {} as Candidate['provider'], upstreamModel: 'm', rate: r });

describe('maxCostOf', () => {
  it("bounds a chat call by its input estimate and the output it allows, at the dearest candidate's rates", () => {
    const cheap = candidate(rate({ inputRate: '0.000001', outputRate: '0.000002' }));
    const dear = candidate(rate({ inputRate: '0.000003', outputRate: '0.000001' }));
    // 100 × 1000 + 50 × 2000 = 200_000 for the cheap one; 100 × 3000 + 50 × 1000 = 350_000 for the dear one.
    expect(maxCostOf([cheap, dear], { model: 'm', type: 'chatCompletion', stream: false, maxOutputTokens: 50, estimatedInputTokens: 100 }, 4096)).toBe(350_000);
    expect(maxCostOf([dear, cheap], { model: 'm', type: 'chatCompletion', stream: false, maxOutputTokens: 50, estimatedInputTokens: 100 }, 4096)).toBe(350_000);
    expect(maxCostOf([cheap], { model: 'm', type: 'chatCompletion', stream: false, maxOutputTokens: 50 }, 4096)).toBe(100_000);
  });

  it("takes the output bound from the request, else the model's metadata, else the default", () => {
    const withMeta = candidate(rate({ modelMetadata: { maxOutputTokens: 300 } }));
    const options = { model: 'm', type: 'chatCompletion' as const, stream: false };
    expect(maxCostOf([withMeta], { ...options, maxOutputTokens: 10 }, 4096)).toBe(10 * 2000);
    expect(maxCostOf([withMeta], options, 4096)).toBe(300 * 2000);
    expect(maxCostOf([candidate(rate({ modelMetadata: { maxOutputTokens: 'lots' } }))], options, 4096)).toBe(4096 * 2000);
    expect(maxCostOf([candidate(rate({}))], options, 4096)).toBe(4096 * 2000);
    // The metadata of the first candidate with a rate decides for all.
    expect(maxCostOf([candidate(), withMeta, candidate(rate({ modelMetadata: { maxOutputTokens: 900 } }))], options, 4096)).toBe(300 * 2000);
    expect(maxCostOf([candidate(), candidate(rate({ modelMetadata: { maxOutputTokens: 900 } })), withMeta], options, 4096)).toBe(900 * 2000);
  });

  it('reserves no output for calls other than chat, and images, seconds and characters as asked', () => {
    const embedding = candidate(rate({ type: 'embedding' }));
    expect(maxCostOf([embedding], { model: 'm', type: 'embedding', stream: false, maxOutputTokens: 50, estimatedInputTokens: 7 }, 4096)).toBe(7 * 1000);
    const image = candidate(rate({ type: 'imageGeneration', outputRate: '0.04' }));
    expect(maxCostOf([image], { model: 'm', type: 'imageGeneration', stream: false, images: 3 }, 4096)).toBe(3 * 40_000_000);
    const audio = candidate(rate({ type: 'audio', inputRate: '0.0001' }));
    expect(maxCostOf([audio], { model: 'm', type: 'audio', stream: false, seconds: 20, characters: 5 }, 4096)).toBe(25 * 100_000);
    const video = candidate(rate({ type: 'video', outputRate: '0.5' }));
    expect(maxCostOf([video], { model: 'm', type: 'video', stream: false, seconds: 8 }, 4096)).toBe(8 * 500_000_000);
  });

  it('costs nothing when no candidate has a rate', () => {
    expect(maxCostOf([candidate(), candidate()], { model: 'm', type: 'chatCompletion', stream: false, maxOutputTokens: 50, estimatedInputTokens: 100 }, 4096)).toBe(0);
    expect(maxCostOf([], { model: 'm', type: 'chatCompletion', stream: false }, 4096)).toBe(0);
  });
});
