import type { IncomingMessage, ServerResponse } from 'node:http';
import { providerErrorHeaders, providerErrorObject } from './errors.js';
import type { FakeDefaults, FakeFault, FakeProtocol, FakeToolCall, RecordedRequest } from './types.js';

/** One request being served: what protocol handlers get. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  protocol: FakeProtocol;
  path: string;
  query: string;
  body: any;
  /** The request's bytes (multipart uploads). */
  raw?: Buffer;
  model?: string;
  record?: RecordedRequest;
  fault?: FakeFault;
  defaults: FakeDefaults;
  /** The fake's own base URL, for image URLs. */
  baseUrl: string;
  reply?: string;
  toolCall?: FakeToolCall;
  chunks?: number;
  chunkDelayMs: number;
  cutEvents: boolean;
  noUsage: boolean;
}

function resetSocket(ex: Exchange): void {
  if (ex.record) ex.record.reset = true;
  // HTTP/2: reset the stream only (RST_STREAM), not the whole session.
  const stream = (ex.res as unknown as { stream?: { close(code?: number): void } }).stream;
  if (stream) {
    stream.close(2 /* INTERNAL_ERROR */);
    return;
  }
  const socket = ex.res.socket ?? ex.req.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Reset the connection before any byte of the response. */
export function resetBeforeHeaders(ex: Exchange): void {
  resetSocket(ex);
}

function writeHead(ex: Exchange, status: number, headers: Record<string, string>): void {
  if (ex.record) ex.record.status = status;
  const extra = ex.fault?.headers;
  ex.res.writeHead(status, extra ? { ...headers, ...extra } : headers);
}

/** A complete JSON (or raw text) response; honours a `mid-stream` reset by cutting the body. */
export function sendJson(ex: Exchange, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType =
    typeof body === 'string' ? (body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8') : 'application/json';
  writeHead(ex, status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), ...headers });
  if (ex.fault?.reset === 'mid-stream') {
    ex.res.write(text.slice(0, Math.max(1, text.length >> 1)), () => resetSocket(ex));
    return;
  }
  ex.res.end(text);
}

/** The provider-shaped error response for `status` (or the fault's own body). */
export function sendError(ex: Exchange, status: number, body?: unknown): void {
  sendJson(ex, status, body ?? providerErrorObject(ex.protocol, status), providerErrorHeaders(ex.protocol, status));
}

export interface StreamPlan {
  contentType: string;
  events: (string | Buffer)[];
  /** The in-stream error event for a status (used by `status` + `afterChunks` faults). */
  errorEvent?: (status: number) => string | Buffer;
  headers?: Record<string, string>;
}

/** Write a streamed response: at once, trickled with `chunkDelayMs`, or cut by a fault. */
export function sendStream(ex: Exchange, plan: StreamPlan): void {
  const { res, fault } = ex;
  writeHead(ex, 200, {
    'content-type': plan.contentType,
    'cache-control': 'no-cache',
    ...plan.headers,
  });
  const events = plan.events;
  let stopAt = events.length;
  let after: 'end' | 'reset' | 'error' = 'end';
  if (fault?.reset === 'mid-stream') {
    stopAt = Math.min(events.length, fault.afterChunks ?? 1);
    after = 'reset';
  } else if (fault?.status && fault.afterChunks !== undefined && plan.errorEvent) {
    stopAt = Math.min(events.length, fault.afterChunks);
    after = 'error';
  }
  const finish = () => {
    if (after === 'reset') {
      // Flush what was written, then reset the connection.
      res.write('', () => resetSocket(ex));
    } else if (after === 'error') {
      // A separate network chunk, a moment later, as a server failing mid-answer sends it.
      res.write('', () => setTimeout(() => res.end(plan.errorEvent!(fault!.status!)), 5));
    } else {
      res.end();
    }
  };
  const delay = ex.cutEvents ? Math.max(1, ex.chunkDelayMs) : ex.chunkDelayMs;
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  if (!delay) {
    if (after === 'end') {
      res.end(joinEvents(events));
      return;
    }
    if (stopAt > 0) res.write(joinEvents(events.slice(0, stopAt)));
    finish();
    return;
  }
  let i = 0;
  const tick = () => {
    if (closed || res.destroyed || res.writableEnded) return;
    if (i >= stopAt) {
      finish();
      return;
    }
    const event = events[i++]!;
    if (!ex.cutEvents) {
      res.write(event);
      setTimeout(tick, delay);
      return;
    }
    const [head, tail] = cutInsideCharacter(typeof event === 'string' ? Buffer.from(event) : event);
    res.write(head);
    setTimeout(() => {
      if (closed || res.destroyed || res.writableEnded) return;
      res.write(tail);
      setTimeout(tick, delay);
    }, delay);
  };
  tick();
}

/** The bytes cut in two inside the first multi-byte UTF-8 character, else at the middle. */
function cutInsideCharacter(bytes: Buffer): [Buffer, Buffer] {
  const lead = bytes.findIndex((b) => b >= 0xc0);
  const at = lead >= 0 ? lead + 1 : bytes.length >> 1;
  return [bytes.subarray(0, at), bytes.subarray(at)];
}

function joinEvents(events: (string | Buffer)[]): string | Buffer {
  if (events.length && typeof events[0] !== 'string') return Buffer.concat(events as Buffer[]);
  return (events as string[]).join('');
}

/** Text of a message content that is a string or an array of parts with `text`. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      out += (out ? ' ' : '') + (part as { text: string }).text;
    }
  }
  return out;
}
