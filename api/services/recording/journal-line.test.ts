import { describe, expect, it } from 'vitest';
import { newCallRecord, toModelCallRow } from '../gateway/call-record.js';
import { journalLine } from './journal-line.js';

describe('journal line', () => {
  it('holds every field of a call row as JSON.stringify would, with createdAt in milliseconds', () => {
    const record = newCallRecord({ id: 'id-1', requestId: 'req "1"', model: 'openai/gpt\n4o', type: 'chatCompletion', stream: true, userDid: 'did:abt:u', appId: 'app\\1', accessKeyId: 'key"1', startedAt: 1 });
    Object.assign(record, {
      traceId: 'trace', providerId: 'p', providerName: 'openai', credentialId: 'c', attempts: 2, status: 'failed',
      usage: { inputTokens: 3, outputTokens: 4, cacheReadTokens: 5, cacheWriteTokens: 6 }, usageEstimated: true,
      creditsNano: 1234, errorReason: 'upstream said "no" \u0001', errorCode: 'upstream_502', ttfb: 7.6, providerTtfb: 8.2, duration: 9.9,
    });
    const row = toModelCallRow(record);
    const hooks = { credits: { userDid: 'did:abt:u', chargeNano: 1234, model: 'm', reservationId: null } };
    const line = journalLine(row, hooks);
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);

    const expected = JSON.parse(JSON.stringify({ row, hooks })) as { row: Record<string, unknown> };
    delete expected.row.updatedAt;
    expected.row.createdAt = row.createdAt!.getTime();
    expect(JSON.parse(line)).toStrictEqual(expected);
    // Without hook data, the entry has no hooks member.
    expect(JSON.parse(journalLine(row))).toStrictEqual({ row: expected.row });
  });
});
