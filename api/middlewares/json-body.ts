/**
 * A lean JSON body reader for the model routes: the same results and error types as Express's
 * `express.json()` (body-parser) for a plain `application/json` UTF-8 body, without its per-request
 * machinery. Requests it does not cover (other types, charsets, content encodings) take the
 * generic parser; `isPlainJsonRequest` tells which.
 */
import type { IncomingMessage } from 'node:http';

/** An error shaped like body-parser's, so `toAppError` maps it the same way. */
export class BodyReadError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
    readonly limit?: number,
  ) {
    super(message);
  }
}

/** `application/json`, optionally with a UTF-8 charset, and no content encoding. */
export function isPlainJsonRequest(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const semi = type.indexOf(';');
  const media = (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
  if (media !== 'application/json') return false;
  if (semi < 0) return true;
  const params = type.slice(semi + 1).trim().toLowerCase();
  return params === '' || /^charset="?utf-8"?$/.test(params);
}

/** Whether the request carries a body at all (as `type-is`'s `hasBody`). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && !Number.isNaN(Number(req.headers['content-length'])));
}

/** Parses the text as body-parser does in strict mode: `{}` when empty, objects and arrays only. */
export function parseJsonText(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  let i = 0;
  let c = body.charCodeAt(0);
  // RFC 7159 whitespace: space, tab, line feed, carriage return.
  while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = body.charCodeAt(++i);
  try {
    if (c !== 0x7b && c !== 0x5b) throw new SyntaxError(`Unexpected token ${body.charAt(i) || 'end of input'} in JSON`);
    return JSON.parse(body);
  } catch (err) {
    throw new BodyReadError((err as Error).message, 400, 'entity.parse.failed');
  }
}

/** Reads and parses the body; `undefined` when the request has none. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!hasBody(req)) return Promise.resolve(undefined);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyReadError('request entity too large', 413, 'entity.too.large', limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: BodyReadError | null, value?: unknown) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.resume();
        finish(new BodyReadError('request entity too large', 413, 'entity.too.large', limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (!Number.isNaN(declared) && req.headers['content-length'] !== undefined && size !== declared) {
        finish(new BodyReadError('request size did not match content length', 400, 'request.size.invalid'));
        return;
      }
      try {
        const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        finish(null, parseJsonText(buffer.toString('utf8')));
      } catch (err) {
        finish(err as BodyReadError);
      }
    };
    const onAborted = () => finish(new BodyReadError('request aborted', 400, 'request.aborted'));
    const onError = (err: Error) => finish(new BodyReadError(err.message, 400, 'request.aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  });
}
