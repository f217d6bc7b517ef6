import { describe, expect, it } from 'vitest';
import { jsonBoundsProblem } from './json-bounds.js';

describe('JSON bounds', () => {
  it('takes documents within the bounds', () => {
    expect(jsonBoundsProblem({ a: [1, { b: 'c' }], d: null })).toBeNull();
    expect(jsonBoundsProblem('text')).toBeNull();
  });

  it('refuses depth, wide lists and many values', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 65; i++) deep = [deep];
    expect(jsonBoundsProblem(deep)).toMatch(/deeper than 64/);
    expect(jsonBoundsProblem({ list: new Array(10_001).fill(0) })).toMatch(/more than 10000 items/);
    expect(jsonBoundsProblem(Array.from({ length: 3 }, () => new Array(5).fill(0)), { maxDepth: 8, maxItems: 10, maxValues: 12 })).toMatch(/more than 12 values/);
  });

  it('refuses a list that is too long without reading its items', () => {
    let reads = 0;
    const list = new Proxy(new Array(750_000).fill({ type: 'x' }), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(jsonBoundsProblem({ content: list })).toMatch(/items/);
    expect(reads).toBe(0);
  });
});
