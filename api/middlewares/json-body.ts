/**
 * The one JSON body reader, for every route under both dispatchers: `application/json` and
 * `application/*+json` bodies in UTF-8, plain or gzip/deflate/br-encoded, up to a size limit. Other
 * content types are left unread for the routes that read them themselves (multipart uploads).
 * Failures are the API.md errors: 413 over the limit, 400 for anything unreadable.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import { jsonBoundsProblem } from '../lib/json-bounds.js';

type Next = (err?: unknown) => void;

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** The media type of a JSON request (lower case, without parameters), or null for any other type. */
function jsonMediaType(req: IncomingMessage): { charset: string | null } | null {
  const type = req.headers['content-type'];
  if (type === undefined) return null;
  const semi = type.indexOf(';');
  const media = (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
  if (media !== 'application/json' && !(media.startsWith('application/') && media.endsWith('+json'))) return null;
  if (semi < 0) return { charset: null };
  const m = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(type.slice(semi));
  return { charset: m ? m[1]!.toLowerCase() : null };
}

/** Whether the request carries a body at all (as `type-is`'s `hasBody`). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && !Number.isNaN(Number(req.headers['content-length'])));
}

const invalidJson = () => new BadRequestError('Request body is not valid JSON', { code: 'invalid_json' });
const tooLarge = (limit: number) => new PayloadTooLargeError(`Request body is larger than the limit of ${limit} bytes`);

/**
 * Parses the text as body-parser does in strict mode (`{}` when empty, objects and arrays only),
 * and refuses documents past the JSON bounds (depth, items, values).
 */
export function parseJsonText(text: string): unknown {
  const value = parseJson(text);
  const problem = jsonBoundsProblem(value);
  if (problem) throw new BadRequestError(`Request body ${problem}`, { code: 'request_too_complex' });
  return value;
}

function parseJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  let i = 0;
  let c = body.charCodeAt(0);
  // RFC 7159 whitespace: space, tab, line feed, carriage return.
  while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = body.charCodeAt(++i);
  if (c !== 0x7b && c !== 0x5b) throw invalidJson();
  try {
    return JSON.parse(body);
  } catch {
    throw invalidJson();
  }
}

/** Reads a stream whole, failing as soon as it passes `limit` bytes. */
function readAll(source: Readable, limit: number, declared: number | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('aborted', onAborted);
      source.off('error', onError);
      if (err) {
        source.resume();
        reject(err);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (declared !== null && size !== declared) return finish(new BadRequestError('Request body size did not match its Content-Length', { code: 'invalid_body' }));
      finish(null);
    };
    const onAborted = () => finish(new BadRequestError('Request aborted by the client', { code: 'request_aborted' }));
    const onError = (err: Error & { code?: string }) =>
      finish(err.code?.startsWith('Z_') ? new BadRequestError('Request body could not be decoded', { code: 'invalid_encoding' }) : new BadRequestError('Request aborted by the client', { code: 'request_aborted' }));
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('aborted', onAborted);
    source.on('error', onError);
  });
}

/** Reads and parses a JSON request's body into `req.body`; rejects with the API.md error. */
async function readJsonBody(req: IncomingMessage & { body?: unknown }, limit: number, charset: string | null): Promise<void> {
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') throw new BadRequestError(`Unsupported charset "${charset.toUpperCase()}"`, { code: 'unsupported_charset' });
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const length = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (encoding === 'identity') {
    if (length !== null && length > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    req.body = parseJsonText((await readAll(req, limit, length)).toString('utf8'));
    return;
  }
  const decoder = DECODERS[encoding];
  if (!decoder) throw new BadRequestError(`Unsupported content encoding "${encoding}"`, { code: 'unsupported_encoding' });
  const decoded = decoder();
  req.on('aborted', () => decoded.destroy(new Error('aborted')));
  req.pipe(decoded);
  req.body = parseJsonText((await readAll(decoded, limit, null)).toString('utf8'));
}

/** The body-reading middleware; a request whose body was already read (or is not JSON) passes. */
export function jsonBody(limit: number) {
  return (req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: Next) => {
    if (req.body !== undefined || !hasBody(req)) return next();
    const media = jsonMediaType(req);
    if (!media) return next();
    readJsonBody(req, limit, media.charset).then(() => next(), next);
  };
}
