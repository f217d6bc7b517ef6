import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { hasBody, isPlainJsonRequest, parseJsonText } from './json-body.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('lean JSON body', () => {
  it('takes plain UTF-8 JSON only', () => {
    expect(isPlainJsonRequest(req({ 'content-type': 'application/json' }))).toBe(true);
    expect(isPlainJsonRequest(req({ 'content-type': 'Application/JSON; charset=UTF-8' }))).toBe(true);
    expect(isPlainJsonRequest(req({ 'content-type': 'application/json; charset="utf-8"' }))).toBe(true);
    expect(isPlainJsonRequest(req({ 'content-type': 'application/json; charset=latin1' }))).toBe(false);
    expect(isPlainJsonRequest(req({ 'content-type': 'application/vnd.api+json' }))).toBe(false);
    expect(isPlainJsonRequest(req({ 'content-type': 'text/plain' }))).toBe(false);
    expect(isPlainJsonRequest(req({ 'content-type': 'application/json', 'content-encoding': 'gzip' }))).toBe(false);
    expect(isPlainJsonRequest(req({}))).toBe(false);
  });

  it('knows when there is a body', () => {
    expect(hasBody(req({ 'content-length': '0' }))).toBe(true);
    expect(hasBody(req({ 'transfer-encoding': 'chunked' }))).toBe(true);
    expect(hasBody(req({}))).toBe(false);
  });

  it('parses as body-parser does in strict mode', () => {
    expect(parseJsonText('')).toEqual({});
    expect(parseJsonText('\ufeff{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonText(' \n\t[1]')).toEqual([1]);
    expect(() => parseJsonText('"text"')).toThrow(expect.objectContaining({ type: 'entity.parse.failed', status: 400 }));
    expect(() => parseJsonText('{"a":')).toThrow(expect.objectContaining({ type: 'entity.parse.failed' }));
    expect(() => parseJsonText('   ')).toThrow(expect.objectContaining({ type: 'entity.parse.failed' }));
  });
});
