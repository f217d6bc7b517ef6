/**
 * The official `@anthropic-ai/sdk` against /api/v1/messages, unchanged: on the same wire to an
 * Anthropic provider, and translated to an OpenAI one, with tool use both ways, count_tokens and
 * Anthropic-shaped errors.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const weather: Anthropic.Tool = { name: 'get_weather', description: 'weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('Anthropic SDK against /api/v1/messages', () => {
  let h: GatewayHarness;
  let client: Anthropic;
  let key: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-key-0000000001'], rates: [{ model: 'claude-sonnet-4-5', inputRate: '0.000003', outputRate: '0.000015' }] });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-openai-key-000000001'], rates: [{ model: 'gpt-4o-mini' }] });
    key = (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name: 'claude user' })).body.key;
    client = new Anthropic({ apiKey: key, baseURL: `${h.url}/api`, maxRetries: 0 });
  });
  afterAll(() => h.close());

  describe('same wire, to an Anthropic provider', () => {
    it('creates a message: the request goes up as it is, usage and credits are the upstream’s', async () => {
      const { data, response } = await client.messages
        .create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: 'hello there world' }], metadata: { user_id: 'u-1' } })
        .withResponse();
      expect(data).toMatchObject({ type: 'message', role: 'assistant', model: 'anthropic/claude-sonnet-4-5', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Echo: hello there world' }] });
      expect(data.usage).toMatchObject({ input_tokens: 5, output_tokens: 4 });
      const up = h.upstream.requests.at(-1)!;
      expect(up).toMatchObject({ path: '/v1/messages', apiKey: 'sk-ant-upstream-key-0000000001', model: 'claude-sonnet-4-5' });
      expect(up.body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: 'hello there world' }], metadata: { user_id: 'u-1' } });
      // The client's version goes on as it is.
      expect(up.headers['anthropic-version']).toBeTruthy();
      const row = await modelCallRow(h.t, response.headers.get('x-aigne-hub-model-call-id')!);
      expect(row).toMatchObject({ status: 'success', inputTokens: 5, outputTokens: 4, usageEstimated: 0, type: 'chatCompletion' });
      // 5 × 0.000003 + 4 × 0.000015 = 0.000075 credits
      expect(Number(row!.creditsNano)).toBe(75_000);
    });

    it('passes anthropic-version and anthropic-beta on', async () => {
      await client.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-2024-04-04' } });
      const up = h.upstream.requests.at(-1)!;
      expect(up.headers['anthropic-version']).toBe('2023-06-01');
      expect(up.headers['anthropic-beta']).toBe('tools-2024-04-04');
    });

    it('streams the upstream’s events with the client’s model name, and records their usage', async () => {
      const stream = client.messages.stream({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'stream me please' }] });
      let text = '';
      stream.on('text', (t) => (text += t));
      const final = await stream.finalMessage();
      expect(text).toBe('Echo: stream me please');
      expect(final.model).toBe('anthropic/claude-sonnet-4-5');
      expect(final.usage).toMatchObject({ input_tokens: 3, output_tokens: 4 });
      const rows = await modelCallRows(h.t);
      expect(rows.at(-1)).toMatchObject({ status: 'success', stream: 1, inputTokens: 3, outputTokens: 4, usageEstimated: 0 });
    });

    it('answers tool use and takes the tool result back', async () => {
      const first = await client.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 100, tools: [weather], messages: [{ role: 'user', content: 'Oslo' }] });
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find((b) => b.type === 'tool_use')!;
      expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Oslo' } });
      const second = await client.messages.create({
        model: 'anthropic/claude-sonnet-4-5',
        max_tokens: 100,
        tools: [weather],
        messages: [
          { role: 'user', content: 'Oslo' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.type === 'tool_use' ? use.id : '', content: 'sunny' }] },
        ],
      });
      expect(second.stop_reason).toBe('end_turn');
    });

    it('counts tokens with the provider’s own count', async () => {
      const counted = await client.messages.countTokens({ model: 'anthropic/claude-sonnet-4-5', system: 'one two', messages: [{ role: 'user', content: 'three four five' }] });
      expect(counted).toEqual({ input_tokens: 5 });
      expect(h.upstream.requests.at(-1)).toMatchObject({ path: '/v1/messages/count_tokens', model: 'claude-sonnet-4-5' });
    });

    it('ends a stream cut by the upstream with an error event the SDK raises', async () => {
      h.upstream.enqueue({ status: 529, afterChunks: 4, match: { path: '/v1/messages' } });
      const stream = client.messages.stream({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'a b c d e f' }] });
      await expect(stream.finalMessage()).rejects.toThrow(/overloaded|Overloaded|failed mid-response/);
      const rows = await modelCallRows(h.t);
      expect(rows.at(-1)).toMatchObject({ status: 'failed', stream: 1 });
    });
  });

  describe('translated, to an OpenAI provider', () => {
    it('creates a message from an OpenAI answer', async () => {
      const msg = await client.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello from claude' }] }] });
      expect(msg).toMatchObject({ type: 'message', model: 'openai/gpt-4o-mini', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Echo: hello from claude' }] });
      expect(msg.id).toMatch(/^msg_/);
      expect(msg.usage).toMatchObject({ input_tokens: 5, output_tokens: 4 });
      const up = h.upstream.requests.at(-1)!;
      expect(up.path).toBe('/v1/chat/completions');
      expect((up.body as { messages: unknown[] }).messages).toEqual([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hello from claude' }] },
      ]);
    });

    it('streams Anthropic’s events from an OpenAI stream', async () => {
      const stream = client.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'stream me please' }] });
      const types: string[] = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      let text = '';
      stream.on('text', (t) => (text += t));
      const final = await stream.finalMessage();
      expect(text).toBe('Echo: stream me please');
      expect(types[0]).toBe('message_start');
      expect(types).toContain('content_block_start');
      expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
      expect(final.usage).toMatchObject({ input_tokens: 3, output_tokens: 4 });
    });

    it('translates tool use both ways, streamed and not', async () => {
      const first = await client.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 100, tools: [weather], tool_choice: { type: 'auto' }, messages: [{ role: 'user', content: 'Lima' }] });
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find((b) => b.type === 'tool_use');
      expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Lima' } });
      const streamed = await client.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 100, tools: [weather], messages: [{ role: 'user', content: 'Lima' }] }).finalMessage();
      expect(streamed.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Lima' } });
      const id = use!.type === 'tool_use' ? use!.id : '';
      const second = await client.messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 100,
        tools: [weather],
        messages: [
          { role: 'user', content: 'Lima' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'sunny' }] },
        ],
      });
      expect(second.content[0]).toMatchObject({ type: 'text' });
      const sent = (h.upstream.requests.at(-1)!.body as { messages: Record<string, unknown>[] }).messages;
      expect(sent[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lima"}' } }] });
      expect(sent[2]).toMatchObject({ role: 'tool', tool_call_id: id, content: 'sunny' });
    });

    it('counts tokens with the hub’s estimate where the provider has no count', async () => {
      const counted = await client.messages.countTokens({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'three four five' }] });
      expect(counted.input_tokens).toBeGreaterThan(0);
    });
  });

  describe('errors in Anthropic’s shape', () => {
    it('a bad key is an AuthenticationError with Anthropic’s body, on Bearer and on x-api-key', async () => {
      const bad = new Anthropic({ apiKey: 'aigne_not_a_key', baseURL: `${h.url}/api`, maxRetries: 0 });
      const err = await bad.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      const raw = await fetch(`${h.url}/api/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'aigne_wrong', 'content-type': 'application/json' }, body: '{}' });
      expect(raw.status).toBe(401);
      expect(await raw.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    });

    it('takes the hub key in x-api-key', async () => {
      const res = await fetch(`${h.url}/api/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'key' }] }),
      });
      expect(res.status).toBe(200);
    });

    it('a missing max_tokens, an unknown model and an upstream failure are Anthropic errors', async () => {
      const res = await fetch(`${h.url}/api/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens is required' } });
      await expect(client.messages.create({ model: 'nobody/serves-this', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
      h.upstream.enqueue({ status: 500, match: { path: '/v1/messages' } });
      const err = await client.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.APIError);
      expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
      expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    });
  });
});
