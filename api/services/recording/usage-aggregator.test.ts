import { describe, expect, it } from 'vitest';
import { modelCallRowOf } from '../../tests/helpers/model-call-row.js';
import { binOf } from '../usage/duration-histogram.js';
import { bucketsOf, usageBucketId } from './usage-aggregator.js';

describe('bucketsOf', () => {
  const at = (iso: string) => new Date(iso);
  const settled = (id: string, patch: Parameters<typeof modelCallRowOf>[1]) =>
    modelCallRowOf(id, { status: 'success', inputTokens: 10, outputTokens: 5, creditsNano: 100, ...patch });

  it('sums the rows of one hour and key into one bucket, with the id derived from the key', () => {
    const rows = [
      settled('a', { createdAt: at('2026-11-27T10:05:00Z') }),
      settled('b', { createdAt: at('2026-11-27T10:59:59Z'), inputTokens: 1, outputTokens: 2, creditsNano: 7 }),
      settled('c', { createdAt: at('2026-11-27T10:30:00Z'), status: 'processing' }),
    ];
    const buckets = bucketsOf(rows, () => 0);
    expect(buckets).toHaveLength(1);
    const hour = at('2026-11-27T10:00:00Z');
    expect(buckets[0]).toMatchObject({
      id: usageBucketId(hour, 'user-1', '', 'openai/gpt-4o-mini', 'p1', 'chatCompletion'),
      periodStart: hour,
      calls: 2,
      inputTokens: 11,
      outputTokens: 7,
      creditsNano: 107,
      reportedCreditsNano: 107,
    });
  });

  it('keeps hours, users, apps, models, providers and types apart', () => {
    const base = { createdAt: at('2026-11-27T10:05:00Z') };
    const rows = [
      settled('a', base),
      settled('b', { createdAt: at('2026-11-27T11:00:00Z') }),
      settled('c', { ...base, userDid: 'user-2' }),
      settled('d', { ...base, appId: 'app-1' }),
      settled('e', { ...base, model: 'openai/gpt-4o' }),
      settled('f', { ...base, providerId: 'p2' }),
      settled('g', { ...base, type: 'embedding' }),
      settled('h', base),
    ];
    const buckets = bucketsOf(rows, () => 0);
    expect(buckets).toHaveLength(7);
    expect(new Set(buckets.map((b) => b.id)).size).toBe(7);
    expect(buckets.find((b) => b.userDid === 'user-1' && b.appId === '' && b.model === 'openai/gpt-4o-mini' && b.providerId === 'p1' && b.type === 'chatCompletion' && b.periodStart.getTime() === at('2026-11-27T10:00:00Z').getTime())?.calls).toBe(2);
  });

  it('counts as still to report only what the meter has to be told of', () => {
    const rows = [settled('a', { createdAt: at('2026-11-27T10:05:00Z'), creditsNano: 100 }), settled('b', { createdAt: at('2026-11-27T10:06:00Z'), creditsNano: 50 })];
    const [bucket] = bucketsOf(rows, (row) => (row.id === 'a' ? 60 : 0));
    expect(bucket).toMatchObject({ creditsNano: 150, reportedCreditsNano: 90 });
  });

  it('counts the failed calls and keeps a histogram of the durations that are known', () => {
    const base = { createdAt: at('2026-11-27T10:05:00Z') };
    const rows = [
      settled('a', { ...base, duration: 10 }),
      settled('b', { ...base, duration: 10, status: 'failed' }),
      settled('c', { ...base, duration: 3000, status: 'failed' }),
      settled('d', { ...base, duration: null }),
    ];
    const [bucket] = bucketsOf(rows, () => 0);
    expect(bucket).toMatchObject({ calls: 4, errors: 2 });
    expect([...bucket!.durations]).toEqual([
      [binOf(10), 2],
      [binOf(3000), 1],
    ]);
  });

  it('files what a row leaves empty under empty text, nothing, and the current hour', () => {
    const before = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const [bucket] = bucketsOf(
      [settled('a', { createdAt: undefined, userDid: null, appId: null, providerId: null, inputTokens: null as never, outputTokens: null as never, creditsNano: null as never })],
      () => 0,
    );
    const after = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    expect(bucket).toMatchObject({ userDid: '', appId: '', providerId: '', calls: 1, inputTokens: 0, outputTokens: 0, creditsNano: 0, reportedCreditsNano: 0 });
    expect([before, after]).toContain(bucket!.periodStart.getTime());
    expect(bucket!.id).toBe(usageBucketId(bucket!.periodStart, '', '', 'openai/gpt-4o-mini', '', 'chatCompletion'));
  });

  it('never counts more to report than a call cost, nor less than none', () => {
    const base = { createdAt: at('2026-11-27T10:05:00Z') };
    const rows = [settled('over', { ...base, creditsNano: 100 }), settled('negative', { ...base, creditsNano: 40 })];
    const [bucket] = bucketsOf(rows, (row) => (row.id === 'over' ? 1000 : -5));
    // 'over' is all to report (none of it final), 'negative' none of it.
    expect(bucket).toMatchObject({ creditsNano: 140, reportedCreditsNano: 40 });
  });

  it('names a bucket by the first 40 hex digits of the hash of its key, the same in every version', () => {
    // Buckets written by an earlier version are added to, not duplicated: the id may never change.
    expect(usageBucketId(at('2026-11-27T10:00:00Z'), 'user-1', 'app', 'openai/gpt-4o-mini', 'p1', 'chatCompletion')).toBe('06ba5521288c4539a6ce9ef0f36f99cbea67c8e5');
  });
});

