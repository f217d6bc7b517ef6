import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('splits events across arbitrary chunk boundaries', () => {
    const p = new SseParser();
    const text = 'event: message_start\ndata: {"a":1}\n\ndata: {"b":\ndata: 2}\n\r\n\r\ndata: [DONE]\n\n';
    const events: { event?: string; data: string }[] = [];
    for (let i = 0; i < text.length; i += 3) events.push(...p.push(text.slice(i, i + 3)));
    expect(events).toEqual([{ event: 'message_start', data: '{"a":1}' }, { event: undefined, data: '{"b":\n2}' }, { event: undefined, data: '[DONE]' }]);
  });
});
