/**
 * The plain-request check against the schema it stands in for: every request it vouches for must
 * be accepted by the schema and given back unchanged; and the everyday requests must be vouched for.
 */
import { describe, expect, it } from 'vitest';
import { openAIChatRequestSchema } from './openai-chat.js';
import { isPlainChatRequest } from './plain-chat-request.js';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ANY = [undefined, null, true, false, 0, -0, 1, 2, 0.5, 1.5, 2.5, -1, -2.5, 3, 1e20, 4096, '', ' ', 'x', ' gpt-4o ', 'gpt-4o-mini', 'a'.repeat(201), [], ['a'], ['a', 'b', 'c', 'd', 'e'], {}, { include_usage: true }, { include_usage: 'yes' }, { x: 1 }];
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'other', 1, undefined];
/** Members with values a client would likely send (the generator mixes in any value as well). */
const LIKELY: Record<string, unknown[]> = {
  stream: [true, false, null],
  stream_options: [{ include_usage: true }, { include_usage: null }, null],
  temperature: [0, 0.7, 2, null],
  top_p: [0, 0.9, 1],
  max_tokens: [1, 256, 4096, null],
  max_completion_tokens: [16, 1024],
  presence_penalty: [-2, 0, 1.5],
  frequency_penalty: [-1, 2],
  stop: ['\n', 'END', null],
  n: [1, null],
  user: ['u-1', null],
  parallel_tool_calls: [true, false],
  tools: [[], [{ type: 'function', function: { name: 'f' } }]],
  tool_choice: ['auto', 'none'],
  response_format: [{ type: 'text' }, { type: 'json_object' }],
  seed: [1, 42],
  metadata: [{ a: 'b' }],
};

function generate(next: () => number): Record<string, unknown> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const message = () => {
    const m: Record<string, unknown> = { role: next() < 0.8 ? pick(['system', 'user', 'assistant']) : pick(ROLES) };
    if (next() < 0.9) m.content = next() < 0.7 ? pick(['hi', '', 'a longer text']) : pick(ANY);
    if (next() < 0.1) m.name = pick(ANY);
    if (next() < 0.05) m.tool_calls = [{ id: 'c1', function: { name: 'f', arguments: '{}' } }];
    if (next() < 0.05) m.tool_call_id = pick(['c1', 1]);
    if (next() < 0.05) m.extra = pick(ANY);
    return m;
  };
  const body: Record<string, unknown> = {};
  if (next() < 0.97) body.model = next() < 0.9 ? 'openai/gpt-4o-mini' : pick(ANY);
  if (next() < 0.97) body.messages = next() < 0.9 ? Array.from({ length: 1 + Math.floor(next() * 3) }, message) : pick(ANY);
  for (const [key, likely] of Object.entries(LIKELY)) {
    if (next() < 0.2) body[key] = next() < 0.8 ? pick(likely) : pick(ANY);
  }
  return body;
}

describe('plain chat requests', () => {
  it('vouches only for requests the schema accepts and gives back unchanged', () => {
    const next = random(7);
    let vouched = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = generate(next);
      if (!isPlainChatRequest(body)) continue;
      vouched += 1;
      const parsed = openAIChatRequestSchema.safeParse(body);
      expect(parsed.success, JSON.stringify(body)).toBe(true);
      expect(parsed.data).toStrictEqual(body);
    }
    // The check is not vacuous: a good share of the generated requests were plain.
    expect(vouched).toBeGreaterThan(2_000);
  });

  it('vouches for everyday requests and leaves the rest to the schema', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello', name: 'ann' },
      { role: 'assistant', content: null },
    ];
    expect(isPlainChatRequest({ model: 'gpt-4o-mini', messages })).toBe(true);
    expect(isPlainChatRequest({ model: 'openai/gpt-4o', messages, stream: true, stream_options: { include_usage: true }, temperature: 0.2, max_tokens: 256, user: 'u1', seed: 3 })).toBe(true);

    expect(isPlainChatRequest({ model: ' gpt-4o ', messages })).toBe(false); // the schema trims it
    expect(isPlainChatRequest({ model: 'gpt-4o', messages: [] })).toBe(false);
    expect(isPlainChatRequest({ model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toBe(false);
    expect(isPlainChatRequest({ model: 'gpt-4o', messages: [{ role: 'tool', content: 'r', tool_call_id: 'c' }] })).toBe(false);
    expect(isPlainChatRequest({ model: 'gpt-4o', messages, tools: [] })).toBe(false);
    expect(isPlainChatRequest({ model: 'gpt-4o', messages, temperature: 3 })).toBe(false);
    expect(isPlainChatRequest({ model: 'gpt-4o', messages, max_tokens: 1.5 })).toBe(false);
    expect(isPlainChatRequest({ model: 'gpt-4o', messages, n: 2 })).toBe(false);
    expect(isPlainChatRequest([{ model: 'gpt-4o', messages }])).toBe(false);
  });
});
