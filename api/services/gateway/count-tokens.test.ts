/**
 * Counting input tokens (Anthropic's count_tokens) on an in-process gateway core against the fake
 * upstream: the provider's own count where its wire offers one, else the estimate, and the estimate
 * again when the provider's count fails or is no number.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startModelCallCore, type ModelCallCore } from '../../tests/helpers/model-call-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import { countInputTokens } from './count-tokens.js';

const openStore = tempStores();
const started: ModelCallCore[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.close();
});

async function anthropicCore() {
  const store = await openStore();
  const c = await startModelCallCore(store);
  started.push(c);
  const id = await c.addProvider({ name: 'anthropic', keys: ['sk-ant-a'], rates: { 'claude-sonnet-4-5': ['0.000003', '0.000015'] } });
  // The Anthropic wire adds `/v1/messages/count_tokens` to the base URL itself.
  await store.models.AiProvider.update({ baseUrl: c.upstream.url }, { where: { id } });
  c.routing.invalidate();
  return c;
}

const request = (text: string, estimate = 99) => ({
  model: 'claude-sonnet-4-5',
  body: (model: string) => ({ model, messages: [{ role: 'user', content: text }] }),
  wire: 'anthropic-count-tokens' as const,
  headers: { 'anthropic-version': '2023-01-01' },
  estimate,
});

describe('countInputTokens', () => {
  it("answers the provider's own count, sent with the upstream model, the provider's key and the client's headers", async () => {
    const c = await anthropicCore();
    expect(await countInputTokens(c.gateway, request('one two three four'))).toBe(4);
    const [sent] = c.upstream.requests;
    expect(sent).toMatchObject({ path: '/v1/messages/count_tokens', model: 'claude-sonnet-4-5', apiKey: 'sk-ant-a' });
    expect(sent!.headers['anthropic-version']).toBe('2023-01-01');
    expect(sent!.body).toMatchObject({ messages: [{ role: 'user', content: 'one two three four' }] });
    expect(sent!.body).not.toHaveProperty('stream', true);
  });

  it('answers the estimate when the provider has no count, when its count fails, and when it is no number', async () => {
    const store = await openStore();
    const openai = await startModelCallCore(store);
    started.push(openai);
    await openai.addProvider();
    expect(await countInputTokens(openai.gateway, { ...request('one two'), model: 'gpt-4o-mini' })).toBe(99);
    expect(openai.upstream.requests).toHaveLength(0);
    // A provider with no wires of its own at all (Gemini) answers the estimate too.
    await openai.addProvider({ name: 'google', rates: { 'gemini-2.0-flash': ['0.000001', '0.000002'] } });
    expect(await countInputTokens(openai.gateway, { ...request('one two'), model: 'gemini-2.0-flash' })).toBe(98 + 1);
    expect(openai.upstream.requests).toHaveLength(0);
    // Having no count is no failure: nothing is logged.
    expect(openai.logs.filter((l) => l.msg === 'token count failed; answering the estimate')).toEqual([]);

    const c = await anthropicCore();
    c.upstream.enqueue({ status: 500 });
    expect(await countInputTokens(c.gateway, request('one two', 7))).toBe(7);
    expect(c.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'token count failed; answering the estimate', provider: 'anthropic' }));
    c.upstream.enqueue({ status: 200, body: { input_tokens: '2' } });
    expect(await countInputTokens(c.gateway, request('one two', 8))).toBe(8);
    c.upstream.enqueue({ status: 200, body: { tokens: 2 } });
    expect(await countInputTokens(c.gateway, request('one two', 9))).toBe(9);
    expect(c.upstream.requests).toHaveLength(3);
  });
});
