/**
 * The `openai` SDK's Responses API against /api/v1/responses, unchanged: on the same wire to OpenAI
 * and translated to Anthropic, streamed and not, a function call round trip, and the hub's stored
 * responses (`previous_response_id`, GET, DELETE, a member sees only their own).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const weather = { type: 'function' as const, name: 'get_weather', description: 'weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('OpenAI SDK Responses API against /api/v1/responses', () => {
  let h: GatewayHarness;
  let client: OpenAI;
  let other: OpenAI;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-openai-key-000000001'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.0000001', outputRate: '0.0000002' }] });
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: ['sk-ant-upstream-key-0000000001'], rates: [{ model: 'claude-sonnet-4-5' }] });
    const key = async (name: string) => (await h.t.request.post('/api/access-keys').set(bearer(h.t.adminKey)).send({ name, userDid: `did:${name}` })).body.key as string;
    client = new OpenAI({ apiKey: await key('alice'), baseURL: `${h.url}/api/v1`, maxRetries: 0 });
    other = new OpenAI({ apiKey: await key('bob'), baseURL: `${h.url}/api/v1`, maxRetries: 0 });
  });
  afterAll(() => h.close());

  describe('same wire, to OpenAI', () => {
    it('creates a response: the hub’s id, the client’s model, the upstream’s usage and credits', async () => {
      const { data, response } = await client.responses.create({ model: 'openai/gpt-4o-mini', instructions: 'be brief', input: 'hello there world' }).withResponse();
      expect(data.id).toMatch(/^resp_[0-9a-f]{32}$/);
      expect(data).toMatchObject({ object: 'response', status: 'completed', model: 'openai/gpt-4o-mini', store: true });
      expect(data.output_text).toBe('Echo: hello there world');
      expect(data.usage).toMatchObject({ input_tokens: 5, output_tokens: 4, total_tokens: 9 });
      const up = h.upstream.requests.at(-1)!;
      expect(up.path).toBe('/v1/responses');
      expect(up.body).toEqual({ model: 'gpt-4o-mini', instructions: 'be brief', input: 'hello there world', store: false });
      const row = await modelCallRow(h.t, response.headers.get('x-aigne-hub-model-call-id')!);
      expect(row).toMatchObject({ status: 'success', inputTokens: 5, outputTokens: 4, usageEstimated: 0 });
      expect(Number(row!.creditsNano)).toBe(1300);
    });

    it('streams the upstream’s events in order, with the hub’s id in the response events', async () => {
      const stream = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'stream me please', stream: true });
      let text = '';
      const seqs: number[] = [];
      let completed: OpenAI.Responses.Response | undefined;
      const started: [string, OpenAI.Responses.Response][] = [];
      for await (const e of stream) {
        seqs.push(e.sequence_number);
        if (e.type === 'response.output_text.delta') text += e.delta;
        if (e.type === 'response.created' || e.type === 'response.in_progress') started.push([e.type, e.response]);
        if (e.type === 'response.completed') completed = e.response;
      }
      expect(text).toBe('Echo: stream me please');
      expect(seqs).toEqual(seqs.map((_, i) => i));
      expect(completed).toMatchObject({ model: 'openai/gpt-4o-mini', status: 'completed', usage: { input_tokens: 3, output_tokens: 4 } });
      expect(completed!.id).toMatch(/^resp_[0-9a-f]{32}$/);
      // Both opening events carry the hub's response, not the upstream's.
      expect(started.map(([type]) => type)).toEqual(['response.created', 'response.in_progress']);
      for (const [, r] of started) expect(r).toMatchObject({ id: completed!.id, model: 'openai/gpt-4o-mini', status: 'in_progress', store: true, previous_response_id: null });
      const rows = await modelCallRows(h.t);
      expect(rows.at(-1)).toMatchObject({ status: 'success', stream: 1, inputTokens: 3, outputTokens: 4, usageEstimated: 0 });
    });

    it('continues a stored conversation with previous_response_id, which the upstream never sees', async () => {
      const first = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'first words' });
      const second = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'second words', previous_response_id: first.id });
      expect(second.previous_response_id).toBe(first.id);
      const sent = h.upstream.requests.at(-1)!.body as { input: unknown[]; previous_response_id?: string };
      expect(sent.previous_response_id).toBeUndefined();
      expect(sent.input).toEqual([
        { type: 'message', role: 'user', content: 'first words' },
        expect.objectContaining({ type: 'message', role: 'assistant', content: [expect.objectContaining({ type: 'output_text', text: 'Echo: first words' })] }),
        { type: 'message', role: 'user', content: 'second words' },
      ]);
    });

    it('a function call round trip', async () => {
      const first = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'Oslo', tools: [weather] });
      const call = first.output.find((o) => o.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Oslo"}' });
      const second = await client.responses.create({
        model: 'openai/gpt-4o-mini',
        previous_response_id: first.id,
        tools: [weather],
        input: [{ type: 'function_call_output', call_id: call!.type === 'function_call' ? call!.call_id : '', output: 'sunny' }],
      });
      expect(second.status).toBe('completed');
      const sent = h.upstream.requests.at(-1)!.body as { input: { type?: string }[] };
      expect(sent.input.map((i) => i.type ?? 'message')).toEqual(['message', 'function_call', 'function_call_output']);
    });

    it('keeps nothing with store: false', async () => {
      const r = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'forget me', store: false });
      expect((r as unknown as { store: boolean }).store).toBe(false);
      await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });
  });

  describe('stored responses', () => {
    it('GET returns the caller’s own, DELETE removes it; another member sees none of it', async () => {
      const r = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'keep me' });
      const got = await client.responses.retrieve(r.id);
      expect(got).toMatchObject({ id: r.id, output_text: 'Echo: keep me' });
      await expect(other.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(other.responses.create({ model: 'openai/gpt-4o-mini', input: 'x', previous_response_id: r.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(other.responses.delete(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      // The batch with the response may still be on its way to the database: the hub finds it either way.
      await h.t.hub.gateway.recorder.flush();
      expect(await client.responses.retrieve(r.id)).toMatchObject({ id: r.id });
      await client.responses.delete(r.id);
      await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });

    it('an expired response is gone', async () => {
      const r = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'old' });
      await h.t.hub.gateway.recorder.flush();
      await h.t.hub.sequelize.query('UPDATE stored_responses SET "expiresAt" = ? WHERE id = ?', { replacements: [new Date(Date.now() - 1000), r.id] });
      await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });
  });

  describe('translated, to Anthropic', () => {
    it('creates and streams a response from an Anthropic answer', async () => {
      const whole = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'hello from responses' });
      expect(whole).toMatchObject({ status: 'completed', model: 'anthropic/claude-sonnet-4-5', output_text: 'Echo: hello from responses', usage: { input_tokens: 3, output_tokens: 4 } });
      expect(h.upstream.requests.at(-1)!.path).toBe('/v1/messages');
      const stream = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'stream from claude', stream: true });
      const types: string[] = [];
      let text = '';
      const seqs: number[] = [];
      for await (const e of stream) {
        types.push(e.type);
        seqs.push(e.sequence_number);
        if (e.type === 'response.output_text.delta') text += e.delta;
      }
      expect(text).toBe('Echo: stream from claude');
      expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
      expect(types.at(-1)).toBe('response.completed');
      expect(seqs).toEqual(seqs.map((_, i) => i));
    });

    it('translates a function call both ways and continues from a stored translated response', async () => {
      const first = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'Lima', tools: [weather] });
      const call = first.output.find((o) => o.type === 'function_call');
      expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Lima"}' });
      const second = await client.responses.create({
        model: 'anthropic/claude-sonnet-4-5',
        previous_response_id: first.id,
        tools: [weather],
        input: [{ type: 'function_call_output', call_id: call!.type === 'function_call' ? call!.call_id : '', output: 'sunny' }],
      });
      expect(second.status).toBe('completed');
      const sent = h.upstream.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
      expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(JSON.stringify(sent.messages[2]!.content)).toContain('tool_result');
    });
  });

  describe('errors', () => {
    it('a stream cut by the upstream ends with an error event the SDK raises', async () => {
      h.upstream.enqueue({ status: 500, afterChunks: 3, match: { path: '/responses' } });
      const stream = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'a b c d e f', stream: true });
      await expect(
        (async () => {
          for await (const _ of stream);
        })(),
      ).rejects.toThrow(/Upstream/);
      const rows = await modelCallRows(h.t);
      expect(rows.at(-1)).toMatchObject({ status: 'failed' });
    });

    it('bad input and unknown models are OpenAI errors', async () => {
      await expect(client.responses.create({ model: 'openai/gpt-4o-mini', input: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
      await expect(client.responses.create({ model: 'nobody/serves-this', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });
  });
});
