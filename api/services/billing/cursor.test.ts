/** The opaque (createdAt, id) page cursors: what they look like, and the 400 for anything else. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

describe('page cursors', () => {
  it('round-trip (createdAt, id) through URL-safe text', () => {
    const createdAt = new Date('2026-03-04T05:06:07.089Z');
    // An id whose JSON gives base64 a `+` and `/`, which a query string would mangle.
    const id = 'ü?>?~ÿ';
    const cursor = encodeCursor(createdAt, id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe(JSON.stringify(['2026-03-04T05:06:07.089Z', id]));
    expect(decodeCursor(cursor)).toEqual({ createdAt, id });
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['an object shaped like the pair', b64({ 0: '2026-03-04T05:06:07.089Z', 1: 'id', length: 2 })],
    ['three items', b64(['2026-03-04T05:06:07.089Z', 'id', 'x'])],
    ['one item', b64(['2026-03-04T05:06:07.089Z'])],
    ['a numeric date', b64([1_700_000_000_000, 'id'])],
    ['a numeric id', b64(['2026-03-04T05:06:07.089Z', 7])],
    ['a date that is not one', b64(['yesterday-ish', 'id'])],
    ['null', b64('null')],
  ])('refuses %s with a 400 naming the parameter', (_what, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({ status: 400, type: 'invalid_request_error', message: 'cursor: not a cursor returned by this endpoint', extra: { param: 'cursor' } }),
    );
  });
});
