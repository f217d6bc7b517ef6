/** The 402 for a call the balance cannot cover (API.md §2). */
import { describe, expect, it } from 'vitest';
import { insufficientCredits } from './insufficient.js';

describe('the insufficient-credits error', () => {
  it('states the most the call may cost and the available balance, with the top-up link when known', () => {
    const err = insufficientCredits(2_500_000_000, 1_000_000_001, 'https://pay.example.com/top-up');
    expect(err).toMatchObject({
      status: 402,
      type: 'insufficient_credits',
      code: 'insufficient_credits',
      message: 'Insufficient credits: this call may cost up to 2.5 credits and the available balance is 1.000000001',
      extra: { link: 'https://pay.example.com/top-up' },
    });
    expect(err.toBody()).toEqual({
      error: {
        message: err.message,
        type: 'insufficient_credits',
        code: 'insufficient_credits',
        link: 'https://pay.example.com/top-up',
      },
    });
  });

  it('says 0 for a balance held below zero, and has no link field without a link', () => {
    const err = insufficientCredits(1, -300);
    expect(err.message).toBe('Insufficient credits: this call may cost up to 0.000000001 credits and the available balance is 0');
    expect(err.extra).toBeUndefined();
    expect(err.toBody().error).not.toHaveProperty('link');
    expect(insufficientCredits(1, 0, '').extra).toBeUndefined();
  });
});
