/** Server-sent events with backpressure. No domain imports. */
import type { ServerResponse } from 'node:http';

/**
 * Writes the event-stream headers and sends them at once; with `flush: false` they go out with the
 * first write instead (one packet when the first event is already at hand).
 */
export function startSse(res: ServerResponse, headers: Record<string, string> = {}, options: { flush?: boolean } = {}): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    ...headers,
  });
  if (options.flush !== false) res.flushHeaders();
}

/** Writes a chunk; resolves once the socket can take more (or the client went away). */
export function writeWithBackpressure(res: ServerResponse, chunk: string): Promise<void> | undefined {
  if (res.writableEnded || res.destroyed) return undefined;
  if (res.write(chunk)) return undefined;
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export const sseData = (data: unknown): string => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/**
 * Splits an SSE byte stream into events. Feed decoded text; get back complete events as
 * `{ event?, data }` (data lines joined by \n). Lines end with \n or \r\n; a blank line ends an
 * event. Reads each character once: only the unfinished line and the unfinished event's fields are
 * kept between pushes (searching the whole buffer for a separator again per event made a read of
 * many events cost their count times its length).
 */
export class SseParser {
  /** The line not yet ended by a newline. */
  private partial = '';
  private event: string | undefined;
  private data: string[] = [];

  push(text: string): { event?: string; data: string }[] {
    const out: { event?: string; data: string }[] = [];
    const s = this.partial ? this.partial + text : text;
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end === start) this.dispatch(out);
      else if (s.startsWith('data:', start)) this.data.push(s.slice(s.charCodeAt(start + 5) === 32 ? start + 6 : start + 5, end));
      else if (s.startsWith('event:', start)) this.event = s.slice(start + 6, end).trim();
      start = nl + 1;
    }
    this.partial = start < s.length ? s.slice(start) : '';
    return out;
  }

  /** A blank line: the event read so far is complete (events without data are dropped). */
  private dispatch(out: { event?: string; data: string }[]): void {
    if (this.data.length) out.push({ event: this.event, data: this.data.length === 1 ? this.data[0]! : this.data.join('\n') });
    this.data = [];
    this.event = undefined;
  }
}
