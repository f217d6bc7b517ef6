/**
 * The failover loop on its own: candidates and credentials of the test's making, attempts that
 * answer or fail as told, deadlines on the test's clock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError, ClientAbortedError, ProviderError } from '../../errors.js';
import { newCallRecord } from './call-record.js';
import type { CredentialChange, CredentialState } from './credential-pool.js';
import { Deadlines } from './deadlines.js';
import { MAX_ATTEMPTS, runWithFailover, type AttemptInput, type ClientLink } from './failover.js';
import type { Candidate } from './routing.js';

const credential = (id: string, patch: Partial<CredentialState> = {}): CredentialState => ({
  id,
  providerId: 'p',
  weight: 1,
  current: 0,
  disabled: false,
  disabledReason: null,
  cooldownUntil: 0,
  failureCount: 0,
  ...patch,
});

/** A candidate provider with credentials named after it (`<name>-0`, `<name>-1`, …), each secret `secret of <id>!`. */
const candidate = (name: string, keys = 1, patch: (c: CredentialState) => Partial<CredentialState> = () => ({})): Candidate => {
  const credentials = Array.from({ length: keys }, (_, i) => credential(`${name}-${i}`));
  for (const c of credentials) Object.assign(c, patch(c));
  return {
    provider: {
      id: `id-${name}`,
      name,
      displayName: name.toUpperCase(),
      rank: 1,
      enabled: true,
      baseUrl: `http://${name}.invalid/v1`,
      region: 'r1',
      config: { x: 1 },
      credentials,
      secrets: new Map(credentials.map((c) => [c.id, { api_key: `secret of ${c.id}!` }])),
      rates: new Map(),
      fromEnv: false,
    } as unknown as Candidate['provider'],
    upstreamModel: 'm',
  };
};

const http = (status: number, message = `status ${status}`) => new ProviderError(message, { kind: 'http', status });

function setup(timeoutMs = 1000) {
  const changes: [CredentialChange['kind'], string, string][] = [];
  const deps = { deadlines: new Deadlines(timeoutMs), onCredentialChange: (c: CredentialChange, cand: Candidate) => changes.push([c.kind, c.id, cand.provider.name]) };
  const record = newCallRecord({ id: 'call-1', requestId: 'r', model: 'client/model', type: 'chatCompletion', stream: false, userDid: null, appId: null, accessKeyId: null, startedAt: 0 });
  const client: ClientLink = { closed: false };
  const seen: AttemptInput[] = [];
  /** Runs failover over `candidates`; each attempt is answered by the next of `answers` (a value, or an error to throw). */
  const run = (candidates: Candidate[], ...answers: unknown[]) =>
    runWithFailover(deps, candidates, record, client, async (input) => {
      seen.push(input);
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      if (typeof answer === 'function') return (answer as (i: AttemptInput) => unknown)(input);
      return answer;
    });
  return { deps, record, client, seen, changes, run };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('failover', () => {
  it("answers with the first attempt's value and records who answered", async () => {
    const { run, record, seen, changes } = setup();
    const result = await run([candidate('a')], 'hello');
    expect(result).toMatchObject({ value: 'hello', credentialId: 'a-0' });
    expect(result.candidate.provider.name).toBe('a');
    expect(record).toMatchObject({ attempts: 1, providerId: 'id-a', providerName: 'a', credentialId: 'a-0' });
    expect(record.providerTtfb).toBeGreaterThanOrEqual(0);
    expect(seen[0]!.target).toEqual({ baseUrl: 'http://a.invalid/v1', region: 'r1', credential: { api_key: 'secret of a-0!' }, config: { x: 1 } });
    expect(seen[0]!.signal.aborted).toBe(false);
    expect(changes).toEqual([]);
  });

  it('tries the next credential, then the next provider, on retryable failures, and clears the failures of the one that answers', async () => {
    const { run, record, changes } = setup();
    const b = candidate('b');
    b.provider.credentials[0]!.failureCount = 1;
    const result = await run([candidate('a', 2), b], http(503), new ProviderError('reset', { kind: 'connection' }), 'ok');
    expect(result).toMatchObject({ value: 'ok', credentialId: 'b-0' });
    expect(record).toMatchObject({ attempts: 3, providerId: 'id-b', providerName: 'b', credentialId: 'b-0' });
    expect(changes).toEqual([
      ['failure', 'a-0', 'a'],
      ['failure', 'a-1', 'a'],
      ['success', 'b-0', 'b'],
    ]);
  });

  it('moves on from a refused credential, disabling it', async () => {
    const { run, changes } = setup();
    expect((await run([candidate('a', 2)], http(401), 'ok')).credentialId).toBe('a-1');
    expect(changes).toEqual([['disabled', 'a-0', 'a']]);
  });

  it("stops at the upstream's verdict on the request, with that verdict's status and the credential's secret removed", async () => {
    const verdicts: [number, object][] = [
      [400, { status: 400, code: 'upstream_rejected_request', message: 'A rejected the request: bad secret of a-0! field' }],
      [422, { status: 400, code: 'upstream_rejected_request' }],
      [404, { status: 404, type: 'model_not_found', code: 'model_not_found', message: "The model 'client/model' is not served by any enabled provider (A rejected the request: bad **** field)" }],
      [413, { status: 413, code: 'payload_too_large', message: 'A rejected the request: bad **** field' }],
      [402, { status: 502, code: 'upstream_payment_required' }],
    ];
    for (const [status, expected] of verdicts) {
      const { run, seen, changes } = setup();
      const err = await run([candidate('a', 2)], http(status, 'bad secret of a-0! field')).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject(status === 400 ? { ...expected, message: 'A rejected the request: bad **** field' } : expected);
      expect(seen).toHaveLength(1);
      expect(changes).toEqual([['failure', 'a-0', 'a']]);
    }
  });

  it('sums up the attempts when all fail, with the last status or kind as the code', async () => {
    const one = setup();
    expect(await one.run([candidate('a')], http(503, 'down for secret of a-0!')).catch((e) => e)).toMatchObject({
      status: 502,
      code: 'upstream_503',
      message: 'Upstream error: A answered 503: down for ****',
    });
    const two = setup();
    expect(await two.run([candidate('a'), candidate('b')], http(500), new ProviderError('ECONNREFUSED', { kind: 'connection' })).catch((e) => e)).toMatchObject({
      code: 'upstream_connection',
      message: 'Upstream error: all 2 attempts failed; last: B could not be reached (ECONNREFUSED)',
    });
    const mixed = setup();
    expect(await mixed.run([candidate('a'), candidate('b')], new ProviderError('late', { kind: 'timeout' }), new ProviderError('gibberish', { kind: 'protocol' })).catch((e) => e)).toMatchObject({
      status: 502,
      code: 'upstream_protocol',
      message: 'Upstream error: all 2 attempts failed; last: B failed: gibberish',
    });
    const late = setup();
    expect(await late.run([candidate('a'), candidate('b')], new ProviderError('late', { kind: 'timeout' }), http(503)).catch((e) => e)).toMatchObject({
      message: 'Upstream error: all 2 attempts failed; last: B answered 503: status 503',
    });
  });

  it('answers 504 when every attempt timed out', async () => {
    const one = setup(250);
    expect(await one.run([candidate('a')], new ProviderError('late', { kind: 'timeout' })).catch((e) => e)).toMatchObject({
      status: 504,
      message: 'The upstream did not answer within 250 ms (1 attempt)',
    });
    const two = setup(250);
    expect(await two.run([candidate('a', 2)], new ProviderError('late', { kind: 'timeout' }), new ProviderError('late', { kind: 'timeout' })).catch((e) => e)).toMatchObject({
      status: 504,
      message: 'The upstream did not answer within 250 ms (2 attempts)',
    });
  });

  it('aborts an attempt that has not answered by its deadline, and calls that a timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { run, changes } = setup(100);
    const hang = (input: AttemptInput) =>
      new Promise((_, reject) => {
        input.abort.once('abort', () => reject(new Error('aborted by the hub')));
      });
    const result = run([candidate('a', 2)], hang, 'second');
    await vi.advanceTimersByTimeAsync(100);
    expect(await result).toMatchObject({ value: 'second', credentialId: 'a-1' });
    expect(changes).toEqual([['failure', 'a-0', 'a']]);
    // The deadline of the attempt that answered is gone with it.
    const { run: again, seen } = setup(100);
    await again([candidate('b')], 'fast');
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen[0]!.abort.aborted).toBe(false);
  });

  it('answers 503 when no credential is usable, without trying any', async () => {
    const { run, seen } = setup();
    const err = await run([candidate('a', 2, () => ({ disabled: true })), candidate('b', 1, () => ({ cooldownUntil: Date.now() + 60_000 }))]).catch((e) => e);
    expect(err).toMatchObject({ status: 503, retryAfter: 30, message: "No credential for 'client/model' is usable right now (all cooling down or disabled)" });
    expect(seen).toEqual([]);
  });

  it(`tries at most ${MAX_ATTEMPTS} attempts in all`, async () => {
    const { run, seen, record } = setup();
    const err = await run([candidate('a', 5), candidate('b', 5)], ...Array.from({ length: 10 }, () => http(500))).catch((e) => e);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(seen).toHaveLength(8);
    expect(record.attempts).toBe(8);
    expect(err.message).toContain('all 8 attempts failed');
  });

  it('stops when the client has gone, before an attempt or during one, without blaming the credential', async () => {
    const before = setup();
    before.client.closed = true;
    await expect(before.run([candidate('a')], 'never')).rejects.toBeInstanceOf(ClientAbortedError);
    expect(before.seen).toEqual([]);

    const during = setup();
    const leave = (input: AttemptInput) => {
      expect(during.client.attempt).toBe(input.abort);
      during.client.closed = true;
      throw new Error('socket closed');
    };
    await expect(during.run([candidate('a', 2)], leave)).rejects.toBeInstanceOf(ClientAbortedError);
    expect(during.seen).toHaveLength(1);
    expect(during.changes).toEqual([]);
    expect(during.client.attempt).toBeUndefined();
  });

  it("passes the hub's own verdicts on the request through, and never blames a credential for them", async () => {
    const own = setup();
    const verdict = new AppError(400, 'invalid_request_error', 'image not allowed');
    await expect(own.run([candidate('a', 2)], verdict)).rejects.toBe(verdict);
    expect(own.changes).toEqual([]);
    for (const tooDeep of [new RangeError('Maximum call stack size exceeded'), new ProviderError('x', { kind: 'protocol', cause: new RangeError('Invalid string length') })]) {
      const deep = setup();
      await expect(deep.run([candidate('a', 2)], tooDeep)).rejects.toMatchObject({ status: 400, code: 'request_too_complex', message: 'The request is too large or too deeply nested to be sent upstream' });
      expect(deep.seen).toHaveLength(1);
      expect(deep.changes).toEqual([]);
    }
    // A protocol error with another cause, or another error with that cause, is the upstream's: failed over.
    const other = setup();
    expect((await other.run([candidate('a', 2)], new ProviderError('x', { kind: 'protocol', cause: new TypeError('bad') }), 'ok')).value).toBe('ok');
    const connection = setup();
    expect((await connection.run([candidate('a', 2)], new ProviderError('x', { kind: 'connection', cause: new RangeError('odd') }), 'ok')).value).toBe('ok');
    expect(connection.changes).toEqual([['failure', 'a-0', 'a']]);
  });

  it('classifies what an adapter throws that is not a ProviderError', async () => {
    const { run, changes } = setup();
    expect((await run([candidate('a', 2)], Object.assign(new Error('Too Many Requests'), { status: 429 }), 'ok')).value).toBe('ok');
    expect(changes).toEqual([['cooldown', 'a-0', 'a']]);
  });

  it("times the answering attempt from its start to its first data, on the test's clock", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { run, record } = setup(1000);
    vi.advanceTimersByTime(5000); // the attempt does not start at the clock's zero
    const slow = () => new Promise((resolve) => setTimeout(() => resolve('late but in time'), 30));
    const result = run([candidate('a', 2)], http(503), slow);
    await vi.advanceTimersByTimeAsync(30);
    expect((await result).value).toBe('late but in time');
    expect(record.providerTtfb).toBe(30);
  });

  it('drops the deadline of an attempt that failed, so that it never aborts it later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { run, seen } = setup(100);
    const result = run([candidate('a', 2)], http(503), () => new Promise((resolve) => setTimeout(() => resolve('ok'), 50)));
    await vi.advanceTimersByTimeAsync(50);
    expect((await result).value).toBe('ok');
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen.map((s) => s.abort.aborted)).toEqual([false, false]);
  });

  it('describes a timeout among other failures, and a credential with no secrets stored', async () => {
    const mixed = setup(250);
    const b = candidate('b');
    b.provider.secrets.clear();
    expect(await mixed.run([candidate('a'), b], http(503), new ProviderError('late', { kind: 'timeout' })).catch((e) => e)).toMatchObject({
      status: 502,
      code: 'upstream_timeout',
      message: 'Upstream error: all 2 attempts failed; last: B did not answer in time',
    });
    const bare = setup();
    const c = candidate('c');
    c.provider.secrets.clear();
    expect(await bare.run([c], http(500, 'oops')).catch((e) => e)).toMatchObject({ message: 'Upstream error: C answered 500: oops' });
  });

  it('counts an attempt cut off at its deadline as a timeout, whatever the adapter threw', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { run, changes } = setup(100);
    const a = candidate('a');
    // As undici does: the request fails with the signal's reason, here the hub's own.
    const hang = (input: AttemptInput) => new Promise((_, reject) => input.signal.addEventListener('abort', () => reject(new Error('This operation was aborted'))));
    const result = run([a], hang).catch((e) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await result).toMatchObject({ status: 504, type: 'upstream_timeout', message: 'The upstream did not answer within 100 ms (1 attempt)' });
    // A timeout is retryable: it counts against the credential.
    expect(a.provider.credentials[0]!.failureCount).toBe(1);
    expect(changes).toEqual([['failure', 'a-0', 'a']]);
  });
});
