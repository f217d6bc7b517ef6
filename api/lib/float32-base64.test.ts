import { describe, expect, it } from 'vitest';
import { decodeFloat32Base64, encodeFloat32Base64 } from './float32-base64.js';

describe('float32 base64', () => {
  it('encodes little-endian float32 as OpenAI does and decodes it back', () => {
    // 1.0f is 0x3f800000: bytes 00 00 80 3f little-endian.
    expect(encodeFloat32Base64([1])).toBe(Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
    const v = [0.1, -0.2, 0.3, 0].map(Math.fround);
    expect(decodeFloat32Base64(encodeFloat32Base64(v))).toEqual(v);
    expect(decodeFloat32Base64('')).toEqual([]);
  });

  it('refuses text that is not whole float32 values in base64', () => {
    expect(decodeFloat32Base64('AAAA')).toBeUndefined(); // 3 bytes
    expect(decodeFloat32Base64('not base64!')).toBeUndefined();
  });
});
