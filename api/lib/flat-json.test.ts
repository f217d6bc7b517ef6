import { describe, expect, it } from 'vitest';
import { flatJson, jsonString, jsonStringOrNull } from './flat-json.js';

const STRINGS = ['', 'plain text', 'quote " inside', 'back\\slash', 'line\nbreak', 'tab\t', '\u0000\u001f', 'é and 中文', 'emoji 😀', 'lone \ud800 surrogate', 'lone \udfff low', '</script>', '\u2028\u2029'];

describe('flat JSON', () => {
  it('writes strings exactly as JSON.stringify does', () => {
    for (const s of STRINGS) expect(jsonString(s)).toBe(JSON.stringify(s));
    expect(jsonStringOrNull(null)).toBe('null');
  });

  it('writes records exactly as JSON.stringify does, nested records and other values included', () => {
    const records: Record<string, unknown>[] = [
      {},
      { a: 1, b: -0, c: 1.5e-7, d: 1e21, e: Number.NaN, f: Number.POSITIVE_INFINITY, g: true, h: false, i: null, j: undefined, k: 'x' },
      { 'key "quoted"': 'v', 'k\n': STRINGS },
      { nested: { deeper: { n: 1, s: 'é' } }, list: [1, 'two', { three: 3 }, null], date: new Date(Date.UTC(2026, 10, 27, 1, 2, 3, 4)) },
      { fn: () => 1, sym: Symbol('s'), map: new Map([[1, 2]]), withToJson: { toJSON: () => 'custom' } },
      Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }) as Record<string, unknown>,
    ];
    for (const r of records) expect(flatJson(r)).toBe(JSON.stringify(r));
  });
});
