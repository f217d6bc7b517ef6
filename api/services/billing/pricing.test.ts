import { describe, expect, it } from 'vitest';
import { computeCredits, computeCreditsNano, type PricedUsage } from './pricing.js';

type Rate = Parameters<typeof computeCredits>[0];
const chat = (inputRate: string, outputRate: string, extra: Partial<Rate> = {}): Rate => ({
  type: 'chatCompletion',
  inputRate,
  outputRate,
  cacheReadRate: null,
  cacheWriteRate: null,
  ...extra,
});

const cases: { name: string; rate: Rate; usage: PricedUsage; credits: string; nano: number }[] = [
  // 0.1 + 0.2 is 0.30000000000000004 in binary floats.
  { name: '0.1 + 0.2 style rates', rate: chat('0.1', '0.2'), usage: { inputTokens: 1, outputTokens: 1 }, credits: '0.3', nano: 300_000_000 },
  { name: 'tenths times many tokens', rate: chat('0.1', '0.7'), usage: { inputTokens: 3, outputTokens: 3 }, credits: '2.4', nano: 2_400_000_000 },
  { name: '1e-9-scale rates', rate: chat('0.000000001', '0.000000003'), usage: { inputTokens: 7, outputTokens: 11 }, credits: '0.00000004', nano: 40 },
  { name: 'sub-nano rates round half up', rate: chat('0.0000000004', '0.0000000001'), usage: { inputTokens: 1, outputTokens: 1 }, credits: '0.0000000005', nano: 1 },
  {
    name: 'large token counts',
    rate: chat('0.0000025', '0.00001'),
    usage: { inputTokens: 987_654_321, outputTokens: 123_456_789 },
    credits: '3703.7036925',
    nano: 3_703_703_692_500,
  },
  {
    name: 'rates with many digits',
    rate: chat('0.000000123456789', '0.000000987654321'),
    usage: { inputTokens: 1_000_003, outputTokens: 999_999 },
    credits: '1.111110492716046',
    nano: 1_111_110_493,
  },
  {
    name: 'cached tokens at their own rates',
    rate: chat('0.000003', '0.000015', { cacheReadRate: '0.0000003', cacheWriteRate: '0.00000375' }),
    usage: { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 600, cacheWriteTokens: 300 },
    // 100 uncached × 0.000003 + 100 × 0.000015 + 600 × 0.0000003 + 300 × 0.00000375
    credits: '0.003105',
    nano: 3_105_000,
  },
  {
    name: 'cached reads at the input rate when the model has no cache rate',
    rate: chat('0.000002', '0.000004'),
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 4 },
    credits: '0.00004',
    nano: 40_000,
  },
  {
    name: 'images at the output rate per image',
    rate: { type: 'imageGeneration', inputRate: '0', outputRate: '0.04', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 0, outputTokens: 0, images: 3 },
    credits: '0.12',
    nano: 120_000_000,
  },
  {
    name: 'images plus reported input tokens',
    rate: { type: 'imageGeneration', inputRate: '0.000005', outputRate: '0.3', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 20, outputTokens: 0, images: 1 },
    credits: '0.3001',
    nano: 300_100_000,
  },
  { name: 'zero usage', rate: chat('0.1', '0.2'), usage: { inputTokens: 0, outputTokens: 0 }, credits: '0', nano: 0 },
  {
    name: 'cached writes at the input rate when the model has no cache rate',
    rate: chat('0.000002', '0.000004', { cacheReadRate: '0.0000001' }),
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 3 },
    // 5 uncached × 0.000002 + 5 × 0.000004 + 2 × 0.0000001 + 3 × 0.000002
    credits: '0.0000362',
    nano: 36_200,
  },
  {
    name: 'no negative uncached input when the cache counts exceed it',
    rate: chat('0.000002', '0.000004', { cacheReadRate: '0.0000001', cacheWriteRate: '0.000003' }),
    usage: { inputTokens: 4, outputTokens: 0, cacheReadTokens: 3, cacheWriteTokens: 2 },
    credits: '0.0000063',
    nano: 6300,
  },
  {
    name: 'images without a count cost only their input tokens',
    rate: { type: 'imageGeneration', inputRate: '0.000005', outputRate: '0.3', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 20, outputTokens: 7 },
    credits: '0.0001',
    nano: 100_000,
  },
  {
    name: 'audio seconds and characters at the input rate',
    rate: { type: 'audio', inputRate: '0.0001', outputRate: '0.5', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 40, outputTokens: 40, seconds: 12.5, characters: 300 },
    credits: '0.03125',
    nano: 31_250_000,
  },
  {
    name: 'audio with only characters',
    rate: { type: 'audio', inputRate: '0.0001', outputRate: '0.5', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 0, outputTokens: 0, characters: 7 },
    credits: '0.0007',
    nano: 700_000,
  },
  {
    name: 'audio with only seconds',
    rate: { type: 'audio', inputRate: '0.0001', outputRate: '0.5', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 0, outputTokens: 0, seconds: 3 },
    credits: '0.0003',
    nano: 300_000,
  },
  {
    name: 'video seconds at the output rate',
    rate: { type: 'video', inputRate: '0.7', outputRate: '0.05', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 9, outputTokens: 9, seconds: 8 },
    credits: '0.4',
    nano: 400_000_000,
  },
  {
    name: 'video without seconds',
    rate: { type: 'video', inputRate: '0.7', outputRate: '0.05', cacheReadRate: null, cacheWriteRate: null },
    usage: { inputTokens: 9, outputTokens: 9 },
    credits: '0',
    nano: 0,
  },
];

describe('pricing', () => {
  it.each(cases)('$name', ({ rate, usage, credits, nano }) => {
    expect(computeCredits(rate, usage)).toBe(credits);
    expect(computeCreditsNano(rate, usage)).toBe(nano);
  });

  it('charges nothing without a rate', () => {
    expect(computeCreditsNano(undefined, { inputTokens: 100, outputTokens: 100 })).toBe(0);
  });

  it('differs from what binary floats would give', () => {
    expect(0.1 * 1 + 0.2 * 1).not.toBe(0.3);
    expect(computeCredits(chat('0.1', '0.2'), { inputTokens: 1, outputTokens: 1 })).toBe('0.3');
  });
});
