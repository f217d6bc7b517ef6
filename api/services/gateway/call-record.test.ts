/** The call record as a call starts, and the ModelCall row it settles into, field by field. */
import { describe, expect, it } from 'vitest';
import { newCallRecord, toModelCallRow, type CallRecord } from './call-record.js';

const init = { id: 'call-1', requestId: 'req-1', model: 'openai/gpt-x', type: 'chatCompletion' as const, stream: true, userDid: 'did:abt:u', appId: 'did:abt:app', accessKeyId: 'key-1', startedAt: 1234.5 };

describe('call record', () => {
  it('starts processing, with nothing tried, used or charged', () => {
    const before = Date.now();
    const r = newCallRecord(init);
    expect(r).toEqual({
      ...init,
      traceId: null,
      providerId: null,
      providerName: null,
      credentialId: null,
      attempts: 0,
      status: 'processing',
      usage: { inputTokens: 0, outputTokens: 0 },
      usageEstimated: false,
      creditsNano: 0,
      errorReason: null,
      errorCode: null,
      createdAt: r.createdAt,
      ttfb: null,
      providerTtfb: null,
      duration: null,
    });
    expect(r.createdAt).toBeInstanceOf(Date);
    expect(r.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(r.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('settles into a row with every field, times in whole non-negative milliseconds', () => {
    const r: CallRecord = {
      ...newCallRecord(init),
      traceId: 'trace-1',
      providerId: 'p-1',
      providerName: 'openai',
      credentialId: 'c-1',
      attempts: 2,
      status: 'failed',
      usage: { inputTokens: 11, outputTokens: 7, cacheReadTokens: 3, cacheWriteTokens: 2 },
      usageEstimated: true,
      creditsNano: 987,
      errorReason: 'boom',
      errorCode: 'upstream_503',
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      ttfb: 2.5,
      providerTtfb: -0.4,
      duration: 10.49,
    };
    expect(toModelCallRow(r)).toEqual({
      id: 'call-1',
      traceId: 'trace-1',
      requestId: 'req-1',
      model: 'openai/gpt-x',
      providerId: 'p-1',
      credentialId: 'c-1',
      type: 'chatCompletion',
      status: 'failed',
      stream: true,
      inputTokens: 11,
      outputTokens: 7,
      cacheReadTokens: 3,
      cacheWriteTokens: 2,
      creditsNano: 987,
      usageEstimated: true,
      attempts: 2,
      duration: 10,
      ttfb: 3,
      providerTtfb: 0,
      errorReason: 'boom',
      errorCode: 'upstream_503',
      userDid: 'did:abt:u',
      appId: 'did:abt:app',
      accessKeyId: 'key-1',
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      updatedAt: new Date('2026-01-02T03:04:05.000Z'),
    });
  });

  it('writes no cache tokens and no times as 0 and null', () => {
    const row = toModelCallRow(newCallRecord(init));
    expect(row).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 0, duration: null, ttfb: null, providerTtfb: null });
    expect(toModelCallRow({ ...newCallRecord(init), ttfb: 0, duration: 0.4 })).toMatchObject({ ttfb: 0, duration: 0 });
  });
});
