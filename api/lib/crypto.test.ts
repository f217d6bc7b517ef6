import { describe, expect, it } from 'vitest';
import { deriveKey, maskSecret, seal, unseal } from './crypto.js';

describe('crypto', () => {
  const key = deriveKey('a-secret-of-sufficient-length');

  it('seals and unseals, with a fresh iv each time', () => {
    const a = seal('sk-test-1234567890', key);
    const b = seal('sk-test-1234567890', key);
    expect(a).not.toEqual(b);
    expect(a).not.toContain('sk-test');
    expect(unseal(a, key)).toBe('sk-test-1234567890');
  });

  it('rejects tampered ciphertext and a wrong key', () => {
    const sealed = seal('secret-value', key);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('xxxxxxxxxxxx').toString('base64url');
    expect(() => unseal(parts.join('.'), key)).toThrow();
    expect(() => unseal(sealed, deriveKey('another-secret-of-length'))).toThrow();
  });

  it('masks with at most 4 leading and 4 trailing characters', () => {
    expect(maskSecret('sk-abcdefghijklmnopwxyz')).toBe('sk-a****wxyz');
    expect(maskSecret('short')).toBe('****');
    expect(maskSecret('0123456789ab')).toBe('01****ab');
  });
});
