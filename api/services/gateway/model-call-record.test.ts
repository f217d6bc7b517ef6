/**
 * A ModelCall driven by hand on an in-process gateway core (real SQLite store, ledger, recorder,
 * fake upstream): who the call is recorded for, the error it is settled with, its usage, its time
 * to first byte, settling once, and a client gone before the call began.
 */
import { describe, expect, it } from 'vitest';
import { AppError, ClientAbortedError, ProviderError } from '../../errors.js';
import { chat, member, modelCallCores, settledRow, USER } from '../../tests/helpers/model-call-fixture.js';
import { ModelCall, type BeginOptions } from './model-call.js';

const core = modelCallCores();
const OPTIONS: BeginOptions = { model: 'gpt-4o-mini', type: 'chatCompletion', stream: false, maxOutputTokens: 10 };

describe('ModelCall record', () => {
  it('records the caller: its user, its key (access key or session) and its app, else the client DID the request names', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const callOf = async (caller: Parameters<typeof c.as>[0], headers: Record<string, string> = {}) => {
      c.as(caller);
      const res = await c.post(chat('hi', { max_tokens: 10 }), headers);
      expect(res.status).toBe(200);
      return c.row(res.headers.get('x-aigne-hub-model-call-id')!);
    };
    const app = { 'x-aigne-hub-client-did': 'did:abt:zClientApp' };
    expect(await callOf(member({ appId: 'app-1' }), app)).toMatchObject({ userDid: USER, accessKeyId: 'key-1', appId: 'app-1' });
    expect(await callOf(member({ via: 'session', keyId: 'session-1' }), app)).toMatchObject({ userDid: USER, accessKeyId: 'session-1', appId: 'did:abt:zClientApp' });
    expect(await callOf(member({ via: 'blocklet' }))).toMatchObject({ userDid: USER, accessKeyId: null, appId: null });
    expect(await callOf(member({ via: 'component' }), { 'x-aigne-hub-client-did': 'not a DID' })).toMatchObject({ accessKeyId: null, appId: null });
    // No caller: nobody to charge (the call is priced all the same).
    const anonymous = await callOf(null, app);
    expect(anonymous).toMatchObject({ userDid: null, accessKeyId: null, appId: 'did:abt:zClientApp', creditsNano: 1_000 + 2 * 2_000 });
    expect((await c.charges()).map(([id]) => id)).not.toContain(anonymous.id);
  });

  it('settles with the error it failed with: its code (or type), its message without secrets, at most 1000 characters', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const failures: unknown[] = [
      new AppError(400, 'invalid_request_error', 'bad input near sk-abcdefghijklmnopqrstu', { code: 'my_code' }),
      new AppError(409, 'conflict', 'taken'),
      new Error('boom: Bearer abcdefghijklmnop'),
      'a plain string',
      new Error('x'.repeat(1500)),
      // The client's abort, whoever noticed it.
      new ClientAbortedError(),
    ];
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, OPTIONS);
      expect(req.ctx.modelCallId).toBe(call.record.id);
      await call.fail(failures[Number(req.query.i)]);
      res.json({ id: call.record.id });
    });
    const rows = [];
    for (const i of failures.keys()) rows.push(await c.row((await (await fetch(`${c.url}?i=${i}`, { method: 'POST' })).json()).id));
    expect(rows.map((r) => [r.status, r.errorCode, r.errorReason])).toEqual([
      ['failed', 'my_code', 'bad input near ****'],
      ['failed', 'conflict', 'taken'],
      ['failed', 'server_error', 'boom: Bearer ****'],
      ['failed', 'server_error', 'a plain string'],
      ['failed', 'server_error', 'x'.repeat(1000)],
      ['aborted', 'client_closed_request', 'The client closed the connection'],
    ]);
    expect(await c.charges()).toEqual([]);
    expect(await c.balance()).toBe(100_000_000);
  });

  it('settles once: a second settlement (success after failure, or failure after success) changes nothing', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, OPTIONS);
      await call.run(async () => 'answer');
      call.setUsage({ inputTokens: 1, outputTokens: 1 });
      if (req.query.first === 'fail') {
        await call.fail(new Error('first'));
        await call.succeed();
      } else {
        await call.succeed();
        await call.fail(new Error('second'));
      }
      res.json({ id: call.record.id });
    });
    const failed = (await (await fetch(`${c.url}?first=fail`, { method: 'POST' })).json()).id;
    const succeeded = (await (await fetch(`${c.url}?first=succeed`, { method: 'POST' })).json()).id;
    expect(await c.row(failed)).toMatchObject({ status: 'failed', errorReason: 'first' });
    expect(await c.row(succeeded)).toMatchObject({ status: 'success', errorReason: null, errorCode: null });
    // Each charged once.
    expect((await c.charges()).sort()).toEqual([[failed, -3_000], [succeeded, -3_000]].sort());
    expect(await c.balance()).toBe(100_000_000 - 6_000);
  });

  it('keeps the usage given field by field, marks it estimated only when told, and knows whether there is any', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const seen: Record<string, unknown> = {};
    c.handle(async (req, res, gateway) => {
      const fresh = () => new ModelCall(gateway, req, res, OPTIONS);
      seen.none = fresh().hasUsage;
      seen.zero = (() => {
        const m = fresh();
        m.setUsage({ inputTokens: 0, outputTokens: 0, images: 0, seconds: 0, characters: 0, cacheReadTokens: 9, cacheWriteTokens: 9 });
        return m.hasUsage;
      })();
      for (const field of ['inputTokens', 'outputTokens', 'images', 'seconds', 'characters'] as const) {
        const m = fresh();
        m.setUsage({ [field]: 1 });
        seen[field] = m.hasUsage;
      }
      const call = await gateway.begin(req, res, OPTIONS);
      call.setUsage({ inputTokens: 7, cacheReadTokens: 3 }, true);
      seen.estimated = call.record.usageEstimated;
      call.setUsage({ outputTokens: 5, cacheWriteTokens: 2, images: 1, seconds: 4, characters: 6 });
      // A field not given is kept.
      seen.before = { ...call.record.usage };
      call.setUsage({ inputTokens: 8 });
      seen.usage = { ...call.record.usage };
      seen.estimatedAfter = call.record.usageEstimated;
      await call.succeed();
      res.json({ id: call.record.id });
    });
    const id = (await (await c.post({})).json()).id;
    expect(seen).toEqual({
      none: false,
      zero: false,
      inputTokens: true,
      outputTokens: true,
      images: true,
      seconds: true,
      characters: true,
      estimated: true,
      before: { inputTokens: 7, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 2, images: 1, seconds: 4, characters: 6 },
      usage: { inputTokens: 8, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 2, images: 1, seconds: 4, characters: 6 },
      estimatedAfter: false,
    });
    expect(await c.row(id)).toMatchObject({ inputTokens: 8, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 2, usageEstimated: 0 });
  });

  it('takes the time to first byte from the first mark, on the clock of the request, and the duration at settlement', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    const seen: Record<string, number> = {};
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, OPTIONS);
      const started = call.record.startedAt;
      await until(() => performance.now() - started >= 5);
      call.markFirstByte();
      seen.first = call.record.ttfb!;
      seen.bound = performance.now() - started;
      await until(() => performance.now() - started >= seen.bound! + 5);
      call.markFirstByte();
      seen.second = call.record.ttfb!;
      await call.succeed();
      seen.duration = call.record.duration!;
      seen.settled = performance.now() - started;
      res.json({ id: call.record.id });
    });
    const id = (await (await c.post({})).json()).id;
    expect(seen.first).toBeGreaterThanOrEqual(5);
    expect(seen.first).toBeLessThanOrEqual(seen.bound!);
    expect(seen.second).toBe(seen.first);
    expect(seen.duration).toBeGreaterThan(seen.bound! + 5);
    expect(seen.duration).toBeLessThanOrEqual(seen.settled!);
    const row = await c.row(id);
    expect(row.ttfb).toBe(Math.round(seen.first!));
    expect(row.duration).toBe(Math.round(seen.duration!));
  });

  it('charges a call that failed after its attempt produced usage at the rate of the provider that tried it last', async () => {
    const c = await core();
    await c.addProvider({ name: 'openai', rank: 1, rates: { 'gpt-4o-mini': ['0.000001', '0.000002'] } });
    await c.addProvider({ name: 'deepseek', rank: 2, rates: { 'gpt-4o-mini': ['0.000003', '0.000004'] } });
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, OPTIONS);
      await call
        .open(async (input) => {
          // The first provider fails over; the second produced some output, then refused the request.
          if (input.candidate.provider.name === 'openai') throw new ProviderError('overloaded', { kind: 'http', status: 500 });
          call.setUsage({ inputTokens: 10, outputTokens: 10 });
          throw new ProviderError('the request is wrong', { kind: 'http', status: 400 });
        })
        .catch(() => {});
      res.json({ id: call.record.id, candidates: call.candidates.map((x) => x.provider.name) });
    });
    const { id, candidates } = await (await c.post({})).json();
    expect(candidates).toEqual(['openai', 'deepseek']);
    expect(await c.row(id)).toMatchObject({ status: 'failed', attempts: 2, creditsNano: 10 * 3_000 + 10 * 4_000, errorCode: 'upstream_rejected_request' });
    expect(await c.charges()).toEqual([[id, -70_000]]);
  });

  it('aborts a call whose client left before it began: no attempt, recorded as closed by the client', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    const outcome: { id?: string; error?: unknown; attempts?: number } = {};
    c.handle(async (req, res, gateway) => {
      entered();
      await until(() => res.closed);
      const call = await gateway.begin(req, res, OPTIONS);
      outcome.id = call.record.id;
      outcome.error = await call.open(async () => 'answer').catch((err: unknown) => err);
    });
    const client = new AbortController();
    const pending = c.post({}, {}, client.signal).catch(() => null);
    await inHandler;
    client.abort();
    await pending;
    await until(() => outcome.error !== undefined);
    expect(outcome.error).toMatchObject({ code: 'client_closed_request' });
    expect(await settledRow(c, outcome.id!)).toMatchObject({ status: 'aborted', attempts: 0, errorCode: 'client_closed_request', errorReason: 'The client closed the connection', creditsNano: 0 });
    expect(c.upstream.requests).toHaveLength(0);
  });

  it('takes a call whose client left while it ran for one the client closed, whatever error ends it', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    let begun!: () => void;
    const inCall = new Promise<void>((r) => (begun = r));
    const outcome: { id?: string; done?: boolean } = {};
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, OPTIONS);
      outcome.id = call.record.id;
      begun();
      await until(() => res.closed);
      await call.fail(new Error('the socket is gone'));
      outcome.done = true;
    });
    const client = new AbortController();
    const pending = c.post({}, {}, client.signal).catch(() => null);
    await inCall;
    client.abort();
    await pending;
    await until(() => outcome.done === true);
    expect(await c.row(outcome.id!)).toMatchObject({ status: 'aborted', errorCode: 'client_closed_request', errorReason: 'The client closed the connection' });
  });

  it('does not take a call whose answer went out whole for one the client closed', async () => {
    const c = await core();
    await c.addProvider();
    await c.ledger.grant({ userDid: USER, amountNano: 100_000_000 });
    let id = '';
    let done!: () => void;
    const failed = new Promise<void>((r) => (done = r));
    c.handle(async (req, res, gateway) => {
      const call = await gateway.begin(req, res, OPTIONS);
      id = call.record.id;
      res.json({ id });
      res.once('close', () => void call.fail(new Error('after the answer')).then(done));
    });
    expect((await c.post({})).status).toBe(200);
    await failed;
    expect(await c.row(id)).toMatchObject({ status: 'failed', errorReason: 'after the answer', errorCode: 'server_error' });
  });
});

async function until(condition: () => boolean): Promise<void> {
  const end = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 1));
  }
}
