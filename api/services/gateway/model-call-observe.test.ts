/**
 * What a ModelCall tells the rest of the hub, on an in-process gateway core (real SQLite store,
 * ledger, recorder, limits, fake upstream): its marks for observers, its limits' headers and what
 * it used of them, its progress row, and the images its attempts download.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import { createLimitService } from '../limits/limits.js';
import { chat, member, modelCallCores, USER } from '../../tests/helpers/model-call-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import type { KeyLimits } from '../../wire/limits.js';

const core = modelCallCores();
const openStore = tempStores();

describe('ModelCall observed', () => {
  it('hands its marks to the settled-call listeners when the hub observes calls, and nothing when it does not', async () => {
    const observed = await core({ gateway: { observers: { traceIds: true, serverTiming: true, captureInput: false } } });
    await observed.addProvider({ keys: ['sk-a'] });
    await observed.addProvider({ name: 'deepseek', rank: 200 });
    await observed.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const res = await observed.post(chat('hi', { max_tokens: 10 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/^auth;dur=[\d.]+, route;dur=[\d.]+, upstream;dur=[\d.]+;desc="openai"$/);
    const [{ record, timing }] = observed.settled as [(typeof observed.settled)[number]];
    expect(record.id).toBe(res.headers.get('x-aigne-hub-model-call-id'));
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(timing).toMatchObject({ candidates: 2, attempts: [{ provider: 'openai' }] });
    for (const mark of ['routedAt', 'answeredAt', 'settleStartedAt'] as const) expect(timing![mark]).toEqual(expect.any(Number));

    const plain = await core();
    await plain.addProvider();
    await plain.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    expect((await plain.post(chat('hi', { max_tokens: 10 }))).headers.get('server-timing')).toBeNull();
    expect(plain.settled).toHaveLength(1);
    expect(plain.settled[0]!.timing).toBeUndefined();
  });

  it("answers its caller's rate headers and settles what it used against the caller's limits: tokens and credits", async () => {
    const store = await openStore();
    const limits = createLimitService({ sequelize: store.sequelize, models: store.models, defaultKeyLimits: null, holdTtlMs: 60_000 });
    const keyLimits: KeyLimits = { rpm: 100, tpm: 100_000, maxConcurrent: null, models: null, budget: { credits: '1', period: 'total' } };
    const c = await core({ gateway: { limits }, caller: member({ limits: keyLimits }) });
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const res = await c.post(chat('hello brave new world', { max_tokens: 50 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(res.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    // The reservation counted the input estimate and the 50 tokens allowed; the settlement the 4 + 5 used.
    const until = performance.now() + 5000;
    let used = await limits.usage('key', 'key-1', keyLimits);
    while (used.tokens !== 9 && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      used = await limits.usage('key', 'key-1', keyLimits);
    }
    expect(used).toMatchObject({ requests: 1, tokens: 9, budgetCredits: '0.000014' });
    await limits.close();
  });

  it('records a stream as in progress once its candidates are reserved, and a whole call only when settled', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const seen: Record<string, unknown> = {};
    c.handle(async (req, res, gateway) => {
      const whole = await gateway.begin(req, res, { model: 'gpt-4o-mini', type: 'chatCompletion', stream: false, maxOutputTokens: 10 });
      const stream = await gateway.begin(req, res, { model: 'gpt-4o-mini', type: 'chatCompletion', stream: true, maxOutputTokens: 10 });
      seen.whole = (await c.row(whole.record.id)) ?? null;
      seen.stream = (await c.row(stream.record.id))?.status;
      await whole.succeed();
      await stream.succeed();
      res.json({});
    });
    expect((await c.post({})).status).toBe(200);
    expect(seen).toEqual({ whole: null, stream: 'processing' });
  });

  it('downloads an image its attempts send as bytes once per call, whatever the attempts', async () => {
    const c = await core({ gateway: { imageFetch: { allowHosts: ['127.0.0.1'], maxBytes: 1_000_000, timeoutMs: 5_000 } } });
    await c.addProvider({ keys: ['sk-a', 'sk-b'] });
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    // The fake upstream's PNG, through a server that counts the downloads.
    let downloads = 0;
    const png = Buffer.from(await (await fetch(`${c.upstream.url}/__fake/image.png`)).arrayBuffer());
    const images = http.createServer((_req, res) => {
      downloads += 1;
      res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    const image = `http://127.0.0.1:${(images.address() as AddressInfo).port}/a.png`;
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, { model: 'gpt-4o-mini', type: 'chatCompletion', stream: false, maxOutputTokens: 10 });
      const got = await call.open(async (input) => {
        const bytes = await input.fetchImage!(image);
        if (call.record.attempts === 1) throw new ProviderError('try the next key', { kind: 'http', status: 503 });
        return bytes;
      });
      await call.succeed();
      res.json({ attempts: call.record.attempts, mimeType: got.mimeType, sameAsDirect: got.data === png.toString('base64') });
    });
    expect(await (await c.post({})).json()).toEqual({ attempts: 2, mimeType: 'image/png', sameAsDirect: true });
    expect(downloads).toBe(1);
    images.closeAllConnections();
    await new Promise((resolve) => images.close(resolve));
  });
});
