/**
 * The gateway core's admission of a call against the caller's limits, in-process (real SQLite store,
 * limits, ledger, fake upstream): what a call is counted as taking (its tokens, its most costly
 * candidate), the candidates its model patterns allow, a model no one serves, and a request that is
 * no model call (`admitRequest`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLimitService, type LimitService } from '../limits/limits.js';
import { member, modelCallCores, USER } from '../../tests/helpers/model-call-fixture.js';
import { tempStores } from '../../tests/helpers/temp-store.js';
import type { KeyLimits } from '../../wire/limits.js';
import type { BeginOptions } from './model-call.js';

const core = modelCallCores();
const openStore = tempStores();
const services: LimitService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

const NONE: KeyLimits = { rpm: null, tpm: null, maxConcurrent: null, models: null, budget: null };

/** A core whose caller's key has `limits`, with two providers (openai ranked first) and credits. */
async function limited(limits: Partial<KeyLimits>) {
  const store = await openStore();
  const service = createLimitService({ sequelize: store.sequelize, models: store.models, defaultKeyLimits: null, holdTtlMs: 60_000 });
  services.push(service);
  const keyLimits = { ...NONE, ...limits };
  const c = await core({ gateway: { limits: service }, caller: member({ limits: keyLimits }) });
  await c.addProvider({ rank: 100 });
  await c.addProvider({ name: 'deepseek', rank: 200 });
  await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
  return { c, service, keyLimits };
}

/** Mounts a handler that begins a call with `options` and answers which provider served it. */
function begins(c: Awaited<ReturnType<typeof limited>>['c'], options: Partial<BeginOptions>) {
  c.handle(async (req, res, gateway) => {
    const call = await gateway.begin(req, res, { model: 'gpt-4o-mini', type: 'chatCompletion', stream: false, ...options });
    const served = await call.open(async (input) => input.candidate.provider.name);
    await call.succeed();
    res.json({ served, candidates: call.candidates.map((x) => x.provider.name) });
  });
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code?: string } }).error;

describe('gateway admission', () => {
  it("counts a call's input estimate and output allowance against tokens a minute, each alone and together", async () => {
    const { c } = await limited({ tpm: 100 });
    begins(c, { estimatedInputTokens: 60, maxOutputTokens: 50 });
    let res = await c.post({});
    expect(res.status).toBe(429);
    expect((await errorOf(res)).message).toContain("This request's 110 tokens");

    begins(c, { maxOutputTokens: 120 });
    res = await c.post({});
    expect(res.status).toBe(429);
    expect((await errorOf(res)).message).toContain("This request's 120 tokens");

    begins(c, { estimatedInputTokens: 130 });
    res = await c.post({});
    expect(res.status).toBe(429);
    expect((await errorOf(res)).message).toContain("This request's 130 tokens");

    begins(c, { estimatedInputTokens: 40, maxOutputTokens: 50 });
    res = await c.post({});
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('10');
  });

  it("refuses a call whose most costly candidate could pass the budget, with the gateway's default output allowance when none is given", async () => {
    // 0.000002 credits an output token: 1000 tokens may cost 0.002, over a budget of 0.001; 100 may not.
    const { c } = await limited({ budget: { credits: '0.001', period: 'total' } });
    begins(c, { maxOutputTokens: 1000 });
    let res = await c.post({});
    expect(res.status).toBe(402);
    expect((await errorOf(res)).code).toBe('budget_exceeded');
    begins(c, { maxOutputTokens: 100 });
    expect((await c.post({})).status).toBe(200);
    // No allowance given: the core's 4096 tokens (0.008192 credits) are counted.
    begins(c, {});
    expect((await c.post({})).status).toBe(402);
  });

  it("serves a call only by the candidates the key's model patterns allow", async () => {
    const { c } = await limited({ models: ['deepseek/*'] });
    begins(c, { maxOutputTokens: 10 });
    const res = await c.post({});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ served: 'deepseek', candidates: ['deepseek'] });
  });

  it('admits a call to a model no provider serves, which the call answers and records as not found', async () => {
    const { c } = await limited({ rpm: 10 });
    begins(c, { model: 'no-such-model' });
    const res = await c.post({});
    expect(res.status).toBe(404);
    const id = res.headers.get('x-aigne-hub-model-call-id');
    expect(id).toBeTruthy();
    expect(await c.row(id!)).toMatchObject({ model: 'no-such-model', status: 'failed' });
  });

  it('counts a request that is no model call once, answers its rate headers, and holds or spends nothing after', async () => {
    const { c, service, keyLimits } = await limited({ rpm: 10, maxConcurrent: 1, tpm: 50, budget: { credits: '0.001', period: 'total' } });
    const answers: Record<string, string>[] = [];
    c.handle(async (req, res, gateway) => {
      answers.push(await gateway.admitRequest(req, String(req.body.model)));
      res.json({});
    });
    for (let i = 0; i < 3; i++) expect((await c.post({ model: 'gpt-4o-mini' })).status).toBe(200);
    expect(answers[2]).toMatchObject({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '7', 'x-ratelimit-remaining-tokens': '50' });
    expect(await service.usage('key', 'key-1', keyLimits)).toMatchObject({ requests: 3, tokens: 0, concurrent: 0, budgetCredits: '0' });
    // The budget still holds: a call that may cost 0.002 credits is refused.
    begins(c, { maxOutputTokens: 1000 });
    expect((await c.post({})).status).toBe(402);
  });

  it("refuses a request that is no model call to a model the key's patterns exclude, and admits one without a caller", async () => {
    const { c } = await limited({ models: ['deepseek/*'] });
    c.handle(async (req, res, gateway) => {
      res.json(await gateway.admitRequest(req, String(req.body.model)));
    });
    const refused = await c.post({ model: 'openai/gpt-4o-mini' });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe('model_not_allowed');
    expect((await c.post({ model: 'deepseek/gpt-4o-mini' })).status).toBe(200);
    c.as(null);
    const anonymous = await c.post({ model: 'openai/gpt-4o-mini' });
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({});
  });
});
