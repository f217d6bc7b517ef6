/**
 * A whole answer read from its text must give what parsing it whole gives: the same usage, and the
 * same answer with the client's model name.
 */
import { describe, expect, it } from 'vitest';
import { readAnswer, scanAnswer } from './openai-answer.js';

const answer = (over: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1795814187,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  system_fingerprint: 'fp',
  ...over,
});

function expectSameAsParsed(text: string) {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const read = readAnswer(text);
  expect(read.usage).toStrictEqual(parsed.usage);
  expect(JSON.parse(read.text('openai/gpt-4o-mini "x"'))).toStrictEqual({ ...parsed, model: 'openai/gpt-4o-mini "x"' });
  return read;
}

describe('reading a whole answer', () => {
  it('reads the usage and renames the model from the text of everyday answers', () => {
    for (const text of [
      JSON.stringify(answer()),
      JSON.stringify(answer(), null, 2),
      `\n ${JSON.stringify(answer({ usage: { prompt_tokens: 1, completion_tokens: 0, prompt_tokens_details: null } }))} \n`,
      JSON.stringify(answer({ choices: [{ message: { content: 'text with "model": "x", "usage": {"prompt_tokens": 99} and } { braces' } }] })),
    ]) {
      expect(scanAnswer(text)).toBeDefined();
      expectSameAsParsed(text);
    }
  });

  it('parses the answer whole when its text is not plainly understood', () => {
    const unclear = [
      JSON.stringify(answer({ usage: undefined })),
      JSON.stringify(answer({ usage: null })),
      JSON.stringify(answer({ model: null })),
      JSON.stringify(answer({ choices: [{ message: { content: 'usage' } }] })),
      JSON.stringify(answer({ metadata: { model: 'other' } })),
      JSON.stringify(answer({ usage: { prompt_tokens: 5, note: 'a } brace' } })),
      `${JSON.stringify(answer()).slice(0, -1)},"usage":{"prompt_tokens":1}}`,
    ];
    for (const text of unclear) {
      expect(scanAnswer(text)).toBeUndefined();
      expectSameAsParsed(text);
    }
    const noUsage = readAnswer(JSON.stringify(answer({ usage: undefined })));
    expect(noUsage.usage).toBeUndefined();
    expect(noUsage.content()).toBe('Echo: hi');
  });

  it('refuses an answer that is not a JSON object', () => {
    for (const text of ['this is not json', '', '[1,2]', 'null', '"text"', '{"model":"m","usage":{"prompt_tokens":1}']) {
      expect(() => readAnswer(text)).toThrow();
    }
  });
});
