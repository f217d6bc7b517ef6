import { describe, expect, it } from 'vitest';
import {
  compareDecimals,
  costPerMillion,
  costPerToken,
  deriveRate,
  formatDecimal,
  isDecimalString,
  normalizeDecimal,
  sumDecimals,
} from './decimal';

describe('deriveRate', () => {
  const cases: Array<[string, Parameters<typeof deriveRate>[0], string]> = [
    ['gpt-4o-mini input at cost', { unitCost: '0.15', marginPercent: '0' }, '0.00000015'],
    ['gpt-4o-mini output +20%', { unitCost: '0.6', marginPercent: '20' }, '0.00000072'],
    ['fractional margin', { unitCost: '2.5', marginPercent: '12.5' }, '0.0000028125'],
    ['0.1 + 0.2 style cost stays exact', { unitCost: '0.3', marginPercent: '10' }, '0.00000033'],
    ['credits per currency unit', { unitCost: '3', marginPercent: '0', creditsPerUnit: '1000' }, '0.003'],
    ['per image', { unitCost: '0.04', marginPercent: '25', unit: 'per_unit' }, '0.05'],
    ['zero cost', { unitCost: '0', marginPercent: '50' }, '0'],
    ['big cost', { unitCost: '75', marginPercent: '100' }, '0.00015'],
    ['negative margin (discount)', { unitCost: '10', marginPercent: '-10' }, '0.000009'],
    ['rounded to maxDecimals', { unitCost: '1', marginPercent: '33.333333', maxDecimals: 10 }, '0.0000013333'],
    ['trailing zeros and spaces', { unitCost: ' 1.500 ', marginPercent: '0' }, '0.0000015'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(deriveRate(input)).toBe(expected);
  });

  it('never produces exponent notation for tiny rates', () => {
    const rate = deriveRate({ unitCost: '0.0000001', marginPercent: '0' });
    expect(rate).toBe('0.0000000000001');
    expect(rate).not.toMatch(/e/i);
  });

  it.each([
    [{ unitCost: '-1', marginPercent: '0' }],
    [{ unitCost: 'abc', marginPercent: '0' }],
    [{ unitCost: '1e-6', marginPercent: '0' }],
    [{ unitCost: '1', marginPercent: 'x' }],
    [{ unitCost: '1', marginPercent: '-150' }],
    [{ unitCost: '1', marginPercent: '0', creditsPerUnit: '-2' }],
  ])('rejects %o', (input) => {
    expect(() => deriveRate(input)).toThrow();
  });
});

describe('decimal helpers', () => {
  it.each([
    ['0', true],
    ['12', true],
    ['0.000002', true],
    ['.5', true],
    ['5.', true],
    ['-1', false],
    ['1e-7', false],
    ['', false],
    ['1.2.3', false],
    ['NaN', false],
  ])('isDecimalString(%j) = %s', (value, expected) => {
    expect(isDecimalString(value)).toBe(expected);
  });

  it('normalizes without exponent', () => {
    expect(normalizeDecimal('0.00000100')).toBe('0.000001');
    expect(normalizeDecimal('+3.50')).toBe('3.5');
    expect(() => normalizeDecimal('1e3')).toThrow();
  });

  it('converts between per-token and per-million costs exactly', () => {
    expect(costPerToken('0.15')).toBe('0.00000015');
    expect(costPerToken('0.04', 'per_unit')).toBe('0.04');
    expect(costPerMillion('0.00000015')).toBe('0.15');
    expect(costPerMillion(costPerToken('2.345678'))).toBe('2.345678');
  });

  it('sums exactly where floats would not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['0.00000015', '0.00000072', 'junk'])).toBe('0.00000087');
    expect(sumDecimals([])).toBe('0');
  });

  it('formats for display', () => {
    expect(formatDecimal('1.23456789', 4)).toBe('1.2346');
    expect(formatDecimal('12.5000')).toBe('12.5');
    expect(formatDecimal(undefined)).toBe('0');
    expect(formatDecimal('n/a')).toBe('n/a');
  });

  it('compares', () => {
    expect(compareDecimals('0.10', '0.1')).toBe(0);
    expect(compareDecimals('0.2', '0.10')).toBe(1);
  });
});
