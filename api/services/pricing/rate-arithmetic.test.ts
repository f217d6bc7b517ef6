import { describe, expect, it } from 'vitest';
import { boundedDecimal, costInCredits, costPerToken, driftsBeyond, marginPercent, per1M, rateFromPrice } from './rate-arithmetic.js';

describe('rates from a price table', () => {
  // price (USD per 1M tokens) × (1 + margin) × credits per USD ÷ 1,000,000 = credits per token
  it.each([
    ['0.15', '0', '1', '0.00000015'],
    ['0.15', '0.2', '1', '0.00000018'],
    ['0.6', '0.2', '1', '0.00000072'],
    ['2.5', '0.25', '1', '0.000003125'],
    ['10', '0', '1000', '0.01'],
    ['0.075', '0.1', '3', '0.0000002475'],
    ['3', '0.333', '7', '0.000027993'],
    ['0.0001', '0', '1', '0.0000000001'],
    ['1.1', '0.1', '0.1', '0.000000121'],
    ['0.135', '0.2', '1', '0.000000162'],
    ['15', '1', '1', '0.00003'],
    ['0', '0.5', '1', '0'],
    ['123456.789', '0.123456789', '987.654321', '136.986042224122716638891241'],
  ])('%s USD/1M at margin %s and %s credits/USD is %s credits per token', (price, margin, creditsPerUsd, expected) => {
    expect(rateFromPrice(price, margin, creditsPerUsd)).toBe(expected);
    // Exact: back to the price per 1M tokens, nothing lost.
    expect(per1M(rateFromPrice(price, margin, creditsPerUsd))).toBe(per1M(expected));
  });

  it.each([
    ['0.15', '0.00000015'],
    ['2.5', '0.0000025'],
    ['0.0375', '0.0000000375'],
  ])('the cost of %s USD per 1M tokens is %s USD per token', (price, expected) => {
    expect(costPerToken(price)).toBe(expected);
    expect(costInCredits(price, '1')).toBe(expected);
  });

  it.each([
    ['0.00000018', '0.00000015', '20'],
    ['0.00000015', '0.00000015', '0'],
    ['0.0000001', '0.00000015', '-33.33'],
    ['0.000001', '0', null],
  ])('a rate of %s over a cost of %s is a margin of %s %%', (rate, cost, expected) => {
    expect(marginPercent(rate, cost)).toBe(expected);
  });

  it.each([
    ['0.00000018', '0.00000015', 20, false],
    ['0.000000181', '0.00000015', 20, true],
    ['0.00000012', '0.00000015', 20, false],
    ['0.000000119', '0.00000015', 20, true],
    ['0', '0', 20, false],
    ['0.1', '0', 20, true],
  ])('%s against %s drifts beyond %i %%: %s', (a, b, percent, expected) => {
    expect(driftsBeyond(a, b, percent)).toBe(expected);
  });

  it.each([
    ['0.2', '0.2'],
    [0.2, '0.2'],
    ['1.50', '1.5'],
    ['-0.1', null],
    ['abc', null],
    ['1e3', null],
    ['1.2345678901234567890123', null],
  ])('takes %j as %j', (input, expected) => {
    expect(boundedDecimal(input)).toBe(expected);
  });
});
