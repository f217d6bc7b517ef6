import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { SseParser, startSse, TurnWriter } from './sse.js';
import { turnEnd } from './turn-end.js';

type Ev = { event?: string; data: string };

const parseInChunks = (text: string, cut: (i: number) => number): Ev[] => {
  const p = new SseParser();
  const events: Ev[] = [];
  for (let i = 0; i < text.length; ) {
    const n = Math.max(1, cut(i));
    events.push(...p.push(text.slice(i, i + n)));
    i += n;
  }
  return events;
};

describe('SseParser', () => {
  it('splits events across arbitrary chunk boundaries', () => {
    const text = 'event: message_start\ndata: {"a":1}\n\ndata: {"b":\ndata: 2}\n\r\n\r\ndata: [DONE]\n\n';
    expect(parseInChunks(text, () => 3)).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: undefined, data: '{"b":\n2}' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('reads CRLF lines, data without a space, and skips comments, ids and events without data', () => {
    const text = ': keep-alive\r\nid: 7\r\nretry: 100\r\nevent: ping\r\n\r\ndata:x\r\ndata: y \r\n\r\nevent:  done  \ndata:\n\n';
    expect(parseInChunks(text, () => text.length)).toEqual([
      { event: undefined, data: 'x\ny ' },
      { event: 'done', data: '' },
    ]);
  });

  it('gives the same events however the stream is cut, a CR and its LF included', () => {
    const events: string[] = [];
    for (let i = 0; i < 200; i++) {
      const eol = i % 3 === 0 ? '\r\n' : '\n';
      const lines = i % 7 === 0 ? [`event: e${i}`, `data: {"i":${i},`, `data: "s":"é ✓ ${'x'.repeat(i % 13)}"}`] : [`data: {"i":${i}}`];
      events.push(lines.join(eol) + eol + eol);
    }
    const text = events.join('');
    const whole = parseInChunks(text, () => text.length);
    expect(whole).toHaveLength(200);
    expect(whole[7]).toEqual({ event: 'e7', data: `{"i":7,\n"s":"é ✓ ${'x'.repeat(7)}"}` });
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 97;
    for (const cut of [() => 1, () => 2, random, (i: number) => (text[i + 1] === '\n' ? 1 : 5)]) expect(parseInChunks(text, cut)).toEqual(whole);
  });

  it('waits for the blank line that ends an event', () => {
    const p = new SseParser();
    expect(p.push('data: {"a"')).toEqual([]);
    expect(p.push(':1}\n')).toEqual([]);
    expect(p.push('\ndata: [DONE]\n\n')).toEqual([{ event: undefined, data: '{"a":1}' }, { event: undefined, data: '[DONE]' }]);
  });
});

/** Serves one request with `handler` and returns the body the client read. */
async function served(handler: (res: http.ServerResponse) => Promise<void>): Promise<string> {
  const server = http.createServer((_req, res) => void handler(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    return await new Promise<string>((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${port}/`, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('TurnWriter', () => {
  it('writes what it is given in a turn at the turn’s end, in order, and ends with what waits', async () => {
    const written: number[] = [];
    const body = await served(async (res) => {
      startSse(res);
      const out = new TurnWriter(res);
      const socket = res.socket!;
      const before = socket.bytesWritten;
      out.write('data: 1\n\n');
      out.write('data: 2\n\n');
      written.push(socket.bytesWritten - before);
      await turnEnd();
      written.push(socket.bytesWritten - before);
      out.write('data: 3\n\n');
      out.end('data: [DONE]\n\n');
    });
    // Nothing went out during the turn; both events did at its end.
    expect(written[0]).toBe(0);
    expect(written[1]).toBeGreaterThanOrEqual('data: 1\n\ndata: 2\n\n'.length);
    expect(body).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: [DONE]\n\n');
  });

  it('writes what waits at once on flush(), ahead of what comes after', async () => {
    const body = await served(async (res) => {
      startSse(res);
      const out = new TurnWriter(res);
      out.write('data: partial\n\n');
      out.flush();
      res.end('event: error\ndata: {}\n\n');
    });
    expect(body).toBe('data: partial\n\nevent: error\ndata: {}\n\n');
  });
});
