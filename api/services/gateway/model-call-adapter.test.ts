/**
 * A chat call to a provider that does not speak the client's wire (Anthropic behind the OpenAI
 * route): the adapter's events answered whole and streamed, the usage the upstream reported or, for
 * a stream cut short, the estimate from the text that went out, and the exact charge each time.
 */
import { describe, expect, it } from 'vitest';
import { messagesHandler } from '../../routes/v1/messages.js';
import { chat, modelCallCores, settledRow, USER } from '../../tests/helpers/model-call-fixture.js';
import { expectPacedByClient } from '../../tests/helpers/slow-client.js';

const core = modelCallCores();
const MODEL = 'anthropic/claude-sonnet-4-5';

async function anthropicCore(keys?: string[]) {
  const c = await core();
  await c.addProvider({ name: 'anthropic', keys, rates: { 'claude-sonnet-4-5': ['0.000001', '0.000002'] } });
  await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
  return c;
}

/** The text and the last usage of an OpenAI chat stream, and whether it ended with an error event. */
function readStream(body: string) {
  let text = '';
  let usage: Record<string, number> | undefined;
  let error: unknown;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const event = JSON.parse(line.slice(6));
    if (event.error) error = event.error;
    text += event.choices?.[0]?.delta?.content ?? '';
    usage = event.usage ?? usage;
  }
  return { text, usage, error };
}

describe('ModelCall through a provider adapter', () => {
  it('answers the adapter events whole and charges the usage the upstream reported', async () => {
    const c = await anthropicCore();
    const res = await c.post(chat('hello there world', { model: MODEL }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.choices[0].message.content).toBe('Echo: hello there world');
    expect(c.upstream.requests.at(-1)!.path).toMatch(/\/v1\/messages$/);
    const row = await c.row(res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', stream: 0, outputTokens: 4, usageEstimated: 0, inputTokens: body.usage.prompt_tokens });
    expect(body.usage.completion_tokens).toBe(4);
    expect(row.creditsNano).toBe(row.inputTokens * 1000 + 4 * 2000);
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it('reads the upstream no faster than the client takes the stream', async () => {
    await expectPacedByClient(await anthropicCore(), chat('a', { model: MODEL }));
  });

  it('streams the adapter events and charges the usage the upstream reported at the end', async () => {
    const c = await anthropicCore();
    c.upstream.setDefaults({ chunks: 5 });
    const res = await c.post(chat('one two three', { model: MODEL, stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    const { text, usage, error } = readStream(await res.text());
    expect(error).toBeUndefined();
    expect(text.trim().split(/\s+/)).toHaveLength(5);
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', stream: 1, outputTokens: 5, usageEstimated: 0 });
    expect(usage).toMatchObject({ prompt_tokens: row.inputTokens, completion_tokens: 5 });
    expect(row.creditsNano).toBe(row.inputTokens * 1000 + 5 * 2000);
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it('charges a stream the upstream cut for the text that went out, estimated, and ends it with an error event', async () => {
    const c = await anthropicCore();
    c.upstream.setDefaults({ chunks: 12 });
    c.upstream.enqueue({ reset: 'mid-stream', afterChunks: 6 });
    const res = await c.post(chat('count these words', { model: MODEL, stream: true }));
    expect(res.status).toBe(200);
    const { text, error } = readStream(await res.text());
    expect(error).toBeDefined();
    expect(text.length).toBeGreaterThan(0);
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'failed', usageEstimated: 1, outputTokens: Math.ceil(text.length / 4) });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.creditsNano).toBe(row.inputTokens * 1000 + row.outputTokens * 2000);
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it('fails over when the adapter fails before its first event, and charges the answer once', async () => {
    const c = await anthropicCore(['sk-ant-first', 'sk-ant-second']);
    c.upstream.enqueue({ status: 500 });
    const res = await c.post(chat('a b', { model: MODEL, stream: true }));
    expect(res.status).toBe(200);
    expect(readStream(await res.text()).error).toBeUndefined();
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', attempts: 2, usageEstimated: 0 });
    expect(c.upstream.requests.map((r) => r.apiKey).sort()).toEqual(['sk-ant-first', 'sk-ant-second']);
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it('charges an estimate for an answer translated whole when the upstream reports no usage', async () => {
    // The Anthropic Messages route over an OpenAI-compatible server that reports no usage.
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.handle((req, res, gateway) => messagesHandler(gateway)(req, res));
    c.upstream.setDefaults({ noUsage: true });
    const request = { model: 'gpt-4o-mini', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: 'hi there' }] };
    const res = await c.post(request);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.content).toEqual([{ type: 'text', text: 'Echo: hi there' }]);
    const [input, output] = [Math.ceil(JSON.stringify([request.system, request.messages]).length / 4), Math.ceil('Echo: hi there'.length / 4)];
    expect(body.usage).toMatchObject({ input_tokens: input, output_tokens: output });
    const row = await c.row(res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', usageEstimated: 1, inputTokens: input, outputTokens: output, creditsNano: input * 1000 + output * 2000 });
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });
});

