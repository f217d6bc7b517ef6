/**
 * A chat call relayed on the client's own wire (OpenAI behind the OpenAI route): the upstream's answer
 * passed on as it came, whole and streamed, every event as it arrives; the usage it reported, or an
 * estimate when it reports none (as some OpenAI-compatible servers do); the exact charge each time.
 */
import { describe, expect, it } from 'vitest';
import { responsesHandler } from '../../routes/v1/responses.js';
import type { StoredResponses } from '../stored-responses.js';
import { chat, modelCallCores, settledRow, USER, type ModelCallCore } from '../../tests/helpers/model-call-fixture.js';
import { expectPacedByClient } from '../../tests/helpers/slow-client.js';

const core = modelCallCores();

async function openAICore(keys?: string[]) {
  const c = await core();
  await c.addProvider({ keys });
  await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
  return c;
}

/** Every event of an OpenAI stream, read strictly: each one `data: <JSON>` and the last `data: [DONE]`. */
function strictEvents(body: string) {
  expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  const blocks = body.slice(0, -'data: [DONE]\n\n'.length).split('\n\n');
  expect(blocks.pop()).toBe('');
  return blocks.map((b) => {
    expect(b.startsWith('data: {')).toBe(true);
    return JSON.parse(b.slice(6)) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: Record<string, number> | null; model: string };
  });
}

const estimate = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);

/** The first chunk of a response body, then the request aborted. */
async function firstChunk(c: ModelCallCore, body: unknown) {
  const abort = new AbortController();
  const res = await c.post(body, {}, abort.signal);
  const reader = res.body!.getReader();
  const first = await reader.read();
  abort.abort();
  await reader.cancel().catch(() => {});
  return { res, text: new TextDecoder().decode(first.value) };
}

describe('ModelCall relayed on the same wire', () => {
  it("relays the upstream's own whole answer, with the client's model name", async () => {
    const c = await openAICore();
    const res = await c.post(chat('hello there', { model: 'openai/gpt-4o-mini', logit_bias: { '50256': -100 } }));
    expect(res.status).toBe(200);
    const body = await res.json();
    // Fields only the upstream's own answer has: a translated answer is rebuilt without them.
    expect(body).toMatchObject({ model: 'openai/gpt-4o-mini', system_fingerprint: 'fp_fake', service_tier: 'default' });
    expect(body.choices[0].message.content).toBe('Echo: hello there');
    expect(c.upstream.requests.at(-1)!.body).toMatchObject({ model: 'gpt-4o-mini', logit_bias: { '50256': -100 } });
  });

  it('charges an estimate when the upstream reports no usage in a whole answer', async () => {
    const c = await openAICore();
    c.upstream.setDefaults({ noUsage: true });
    const request = chat('hello there world');
    const res = await c.post(request);
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe('Echo: hello there world');
    const row = await c.row(res.headers.get('x-aigne-hub-model-call-id')!);
    const [input, output] = [estimate(request.messages), Math.ceil('Echo: hello there world'.length / 4)];
    expect(row).toMatchObject({ status: 'success', usageEstimated: 1, inputTokens: input, outputTokens: output, creditsNano: input * 1000 + output * 2000 });
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it("relays a stream event for event, ends it with [DONE] and charges the upstream's usage", async () => {
    const c = await openAICore();
    c.upstream.setDefaults({ chunks: 4 });
    const res = await c.post(chat('a b c', { stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    const events = strictEvents(await res.text());
    expect(events.every((e) => e.model === 'gpt-4o-mini')).toBe(true);
    expect(events.at(-1)!.usage).toMatchObject({ completion_tokens: 4 });
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', usageEstimated: 0, outputTokens: 4, inputTokens: events.at(-1)!.usage!.prompt_tokens });
    expect(row.creditsNano).toBe(row.inputTokens * 1000 + 4 * 2000);
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it('estimates a stream the upstream reports no usage for, and sends the client the usage it asked for', async () => {
    const c = await openAICore();
    c.upstream.setDefaults({ chunks: 5, noUsage: true });
    const request = chat('a b c', { stream: true, stream_options: { include_usage: true } });
    const res = await c.post(request);
    const events = strictEvents(await res.text());
    const content = events.filter((e) => e.choices.length > 0);
    // The role chunk, five words and the finish chunk; about a token each, the finish chunk none.
    expect(content).toHaveLength(7);
    const [input, output] = [estimate(request.messages), content.length - 1];
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'success', usageEstimated: 1, inputTokens: input, outputTokens: output, creditsNano: input * 1000 + output * 2000 });
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: input, completion_tokens: output } });
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it('charges the usage the upstream reported before it cut the stream', async () => {
    const c = await openAICore();
    c.upstream.setDefaults({ chunks: 3 });
    // The role chunk, three words, the finish chunk and the usage chunk go out; [DONE] does not.
    c.upstream.enqueue({ reset: 'mid-stream', afterChunks: 6 });
    const res = await c.post(chat('a b c', { stream: true }));
    const body = await res.text();
    expect(body).not.toContain('[DONE]');
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ usageEstimated: 0, outputTokens: 3 });
    expect(row.status).not.toBe('success');
    expect(row.creditsNano).toBe(row.inputTokens * 1000 + 3 * 2000);
    expect(await c.charges()).toEqual([[row.id, -row.creditsNano]]);
  });

  it("sends each event on as it arrives, before the upstream's next one", async () => {
    const c = await openAICore();
    // The first event now, the next one a minute later: only an event passed on at once is seen.
    c.upstream.setDefaults({ chunks: 3, chunkDelayMs: 60_000 });
    const { res, text } = await firstChunk(c, chat('a b c', { stream: true }));
    expect(res.status).toBe(200);
    expect(text).toMatch(/^data: \{.*"role":"assistant"/);
  });

  it('sends the headers at once when the first read holds no whole event', async () => {
    const c = await openAICore();
    // Half of the first event now, its other half a minute later.
    c.upstream.setDefaults({ chunks: 3, chunkDelayMs: 60_000, cutEvents: true });
    const abort = new AbortController();
    const res = await c.post(chat('a b c', { stream: true }), {}, abort.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    abort.abort();
  });

  it('reads the upstream no faster than the client takes the stream', async () => {
    await expectPacedByClient(await openAICore(), chat('a', { stream_options: { include_usage: true } }));
  });

  it('fails over from an upstream that answers 200 with a body that is not its answer, and answers 502 when all do', async () => {
    const c = await openAICore(['sk-a', 'sk-b']);
    const page = '<html><body>Gateway maintenance</body></html>';
    c.upstream.enqueue({ status: 200, body: page });
    const retried = await c.post(chat('hi'));
    expect(retried.status).toBe(200);
    expect((await retried.json()).choices[0].message.content).toBe('Echo: hi');
    expect(await c.row(retried.headers.get('x-aigne-hub-model-call-id')!)).toMatchObject({ status: 'success', attempts: 2 });

    c.upstream.enqueue({ status: 200, body: page, times: 2 });
    const res = await c.post(chat('hi'));
    const body = await res.json();
    expect(res.status).toBe(502);
    expect(body.error).toMatchObject({ code: 'upstream_protocol', message: expect.stringMatching(/unreadable answer/) });
    const row = await settledRow(c, res.headers.get('x-aigne-hub-model-call-id')!);
    expect(row).toMatchObject({ status: 'failed', attempts: 2, creditsNano: 0 });
  });

  it("reports a failed answer in the upstream's own words, not as unreadable", async () => {
    const c = await openAICore();
    // Nothing is stored (store: false): the route never reaches its store.
    c.handle((req, res, gateway) => responsesHandler(gateway, {} as StoredResponses)(req, res));
    const failed = { id: 'resp_up', object: 'response', status: 'failed', error: { code: 'server_error', message: 'The model crashed' }, output: [] };
    c.upstream.enqueue({ status: 200, body: failed, times: 2 });
    const res = await c.post({ model: 'gpt-4o-mini', input: 'hi', store: false });
    expect(res.status).toBe(502);
    const { error } = await res.json();
    expect(error.message).toContain('The model crashed');
    expect(error.message).not.toMatch(/unreadable/);
    expect(c.upstream.requests.at(-1)!.path).toMatch(/\/v1\/responses$/);
  });
});

