import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendError, toAppError } from './error-handler.js';
import { hasBody, jsonBody, parseJsonText } from './json-body.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as http.IncomingMessage;

describe('JSON body reader', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const read = jsonBody(64);
    server = http.createServer((rq, rs) => {
      read(rq, rs, (err?: unknown) => {
        if (err) return sendError(rs, toAppError(err));
        rs.end(JSON.stringify({ body: (rq as { body?: unknown }).body ?? null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (body: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
    return { status: res.status, body: (await res.json()) as { body?: unknown; error?: { code: string } } };
  };

  it('reads plain, charset-tagged and +json bodies', async () => {
    expect((await post('{"a":1}', { 'content-type': 'application/json' })).body.body).toEqual({ a: 1 });
    expect((await post('[2]', { 'content-type': 'Application/JSON; charset="UTF-8"' })).body.body).toEqual([2]);
    expect((await post('{"b":3}', { 'content-type': 'application/vnd.api+json' })).body.body).toEqual({ b: 3 });
  });

  it('decodes gzip, deflate and br bodies', async () => {
    for (const [encoding, encode] of [['gzip', zlib.gzipSync], ['deflate', zlib.deflateSync], ['br', zlib.brotliCompressSync]] as const) {
      const r = await post(encode(Buffer.from('{"z":"zip"}')), { 'content-type': 'application/json', 'content-encoding': encoding });
      expect(r.body.body).toEqual({ z: 'zip' });
    }
  });

  it('leaves other content types unread', async () => {
    expect((await post('{"a":1}', { 'content-type': 'text/plain' })).body.body).toBeNull();
  });

  it('refuses what it cannot read with the API errors', async () => {
    expect(await post('{"a":', { 'content-type': 'application/json' })).toEqual({ status: 400, body: { error: expect.objectContaining({ code: 'invalid_json' }) } });
    expect((await post('{}', { 'content-type': 'application/json; charset=latin1' })).body.error?.code).toBe('unsupported_charset');
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'compress' })).body.error?.code).toBe('unsupported_encoding');
    expect((await post(Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).body.error?.code).toBe('invalid_encoding');
    expect((await post(`{"x":"${'y'.repeat(100)}"}`, { 'content-type': 'application/json' })).status).toBe(413);
    // The limit counts the decoded bytes: a small gzip of a large body is still too large.
    const bomb = zlib.gzipSync(Buffer.from(`{"x":"${'y'.repeat(10_000)}"}`));
    expect(bomb.length).toBeLessThan(64);
    expect((await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(413);
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
    expect(() => parseJsonText('"text"')).toThrow(expect.objectContaining({ status: 400, code: 'invalid_json' }));
    expect(() => parseJsonText('{"a":')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    expect(() => parseJsonText('   ')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
  });
});
