import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

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
