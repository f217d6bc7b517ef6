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
 * `{ event?, data }` (data lines joined by \n). Keeps at most one partial event buffered.
 */
export class SseParser {
  private buffer = '';

  push(text: string): { event?: string; data: string }[] {
    this.buffer += text;
    const out: { event?: string; data: string }[] = [];
    let sep: number;
    while ((sep = this.findSeparator()) !== -1) {
      const raw = this.buffer.slice(0, sep);
      this.buffer = this.buffer.slice(sep).replace(/^(\r?\n){2}/, '');
      let event: string | undefined;
      const data: string[] = [];
      for (const line of raw.split(/\r?\n/)) {
        if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        else if (line.startsWith('event:')) event = line.slice(6).trim();
      }
      if (data.length) out.push({ event, data: data.join('\n') });
    }
    return out;
  }

  private findSeparator(): number {
    const a = this.buffer.indexOf('\n\n');
    const b = this.buffer.indexOf('\r\n\r\n');
    if (a === -1) return b;
    if (b === -1) return a;
    return Math.min(a, b);
  }
}
