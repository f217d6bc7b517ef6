/** Retention of ModelCall and Usage rows: batched deletes of exactly the old rows, optional gzip'd JSONL archive. */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { runRetention, startRetentionJob, type RetentionOptions } from '../services/retention/retention.js';
import { waitFor } from './helpers/gateway.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

const DAY = 86_400_000;
// The job runs on the real clock, so rows are dated relative to it.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

function callRow(id: string, createdAt: Date) {
  return {
    id,
    traceId: null,
    requestId: `req-${id}`,
    model: 'openai/gpt-4o-mini',
    providerId: null,
    credentialId: null,
    type: 'chatCompletion',
    status: 'success',
    stream: false,
    inputTokens: 3,
    outputTokens: 4,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    creditsNano: 1100,
    usageEstimated: false,
    attempts: 1,
    duration: 12,
    ttfb: 5,
    providerTtfb: 4,
    errorReason: null,
    errorCode: null,
    userDid: 'user_a',
    appId: null,
    createdAt,
    updatedAt: createdAt,
  };
}

function usageRow(id: string, periodStart: Date, creditsNano: number, reportedCreditsNano: number) {
  return {
    id,
    periodStart,
    userDid: `user_${id}`,
    appId: '',
    model: 'openai/gpt-4o-mini',
    providerId: '',
    type: 'chatCompletion',
    calls: 1,
    inputTokens: 3,
    outputTokens: 4,
    creditsNano,
    reportedCreditsNano,
    createdAt: periodStart,
    updatedAt: periodStart,
  };
}

describe('retention', () => {
  let t: TestHub;
  let options: RetentionOptions;
  const ids = async (table: string) => {
    const [rows] = await t.hub.sequelize.query(`SELECT "id" FROM "${table}" ORDER BY "id"`);
    return (rows as { id: string }[]).map((r) => r.id);
  };

  beforeEach(async () => {
    t = await startTestHub({ TRACING_ENABLED: 'false' });
    const qi = t.hub.sequelize.getQueryInterface();
    await qi.bulkInsert('model_calls', [
      ...['old-1', 'old-2', 'old-3', 'old-4', 'old-5'].map((id, i) => callRow(id, daysAgo(31 + i * 10))),
      callRow('new-1', daysAgo(29)),
      callRow('new-2', daysAgo(1)),
      callRow('new-3', NOW),
    ]);
    await qi.bulkInsert('usages', [
      usageRow('u-old-reported-1', daysAgo(100), 500, 500),
      usageRow('u-old-reported-2', daysAgo(95), 0, 0),
      usageRow('u-old-owed', daysAgo(100), 500, 200),
      usageRow('u-new', daysAgo(80), 500, 500),
    ]);
    options = {
      models: t.hub.sequelize.models as unknown as RetentionOptions['models'],
      logger: createLogger({ level: 'silent' }),
      dataDir: t.dataDir,
      modelCallDays: 30,
      usageDays: 90,
      archive: false,
      batchSize: 2,
      pauseMs: 0,
    };
  });
  afterEach(() => t?.close());

  it('deletes exactly the rows older than the horizon, in batches, keeping usage still owed to a meter', async () => {
    const result = await runRetention(options, NOW);
    expect(result.modelCalls).toMatchObject({ deleted: 5, cutoff: daysAgo(30) });
    expect(result.usages).toMatchObject({ deleted: 2 });
    expect(await ids('model_calls')).toEqual(['new-1', 'new-2', 'new-3']);
    expect(await ids('usages')).toEqual(['u-new', 'u-old-owed']);
    expect(fs.existsSync(path.join(t.dataDir, 'archive'))).toBe(false);
    // A second pass finds nothing more.
    const again = await runRetention(options, NOW);
    expect(again.modelCalls!.deleted).toBe(0);
    expect(again.usages!.deleted).toBe(0);
  });

  it('makes the next batch smaller when one held the write queue longer than the target, deleting every row either way', async () => {
    const old = Array.from({ length: 195 }, (_, i) => callRow(`bulk-${String(i).padStart(3, '0')}`, daysAgo(40 + (i % 7))));
    const cases = [
      { batchTargetMs: 60_000, deleted: 200, batches: 2 }, // 100 + 100 (with the five old calls of every test)
      { batchTargetMs: 0, deleted: 195, batches: 4 }, // 100, 50, 25, 20
    ];
    for (const c of cases) {
      await t.hub.sequelize.getQueryInterface().bulkInsert('model_calls', old);
      const result = await runRetention({ ...options, usageDays: 0, batchSize: 100, batchTargetMs: c.batchTargetMs }, NOW);
      expect(result.modelCalls).toMatchObject({ deleted: c.deleted, batches: c.batches });
      expect(await ids('model_calls')).toEqual(['new-1', 'new-2', 'new-3']);
    }
  });

  it('keeps a table forever when its setting is 0', async () => {
    const result = await runRetention({ ...options, modelCallDays: 0 }, NOW);
    expect(result.modelCalls).toBeUndefined();
    expect(await ids('model_calls')).toHaveLength(8);
    expect(result.usages!.deleted).toBe(2);
  });

  it('archives the deleted rows first to gzip JSONL files under <dataDir>/archive', async () => {
    const result = await runRetention({ ...options, archive: true }, NOW);
    const callsFile = result.modelCalls!.archive!;
    const usagesFile = result.usages!.archive!;
    expect(path.dirname(callsFile)).toBe(path.join(t.dataDir, 'archive'));
    const stamp = NOW.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    expect(path.basename(callsFile)).toBe(`model_calls-${stamp}.jsonl.gz`);
    expect(fs.statSync(callsFile).mode & 0o777).toBe(0o600);
    const lines = (file: string) =>
      gunzipSync(fs.readFileSync(file))
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const calls = lines(callsFile);
    expect(calls.map((r) => r.id).sort()).toEqual(['old-1', 'old-2', 'old-3', 'old-4', 'old-5']);
    expect(calls[0]).toMatchObject({ model: 'openai/gpt-4o-mini', inputTokens: 3, outputTokens: 4, userDid: 'user_a' });
    expect(new Date(calls.find((r) => r.id === 'old-1')!.createdAt).getTime()).toBe(daysAgo(31).getTime());
    expect(lines(usagesFile).map((r) => r.id).sort()).toEqual(['u-old-reported-1', 'u-old-reported-2']);
    expect(await ids('model_calls')).toEqual(['new-1', 'new-2', 'new-3']);

    // Nothing to delete: no empty archive.
    const again = await runRetention({ ...options, archive: true }, new Date(NOW.getTime() + 1000));
    expect(again.modelCalls!.archive).toBeUndefined();
    expect(fs.readdirSync(path.join(t.dataDir, 'archive')).sort()).toEqual([path.basename(callsFile), path.basename(usagesFile)].sort());
  });

  it('runs shortly after start as a job, and stops', async () => {
    const job = startRetentionJob({ ...options, modelCallDays: 30, usageDays: 0 }, { firstRunMs: 0, everyMs: 60_000 });
    try {
      await waitFor(async () => (await ids('model_calls')).length === 3);
      expect(await ids('model_calls')).toEqual(['new-1', 'new-2', 'new-3']);
      expect(await ids('usages')).toHaveLength(4);
    } finally {
      await job.stop();
    }
  });
});

describe('retention settings', () => {
  it('defaults to keeping everything and rejects bad values', () => {
    const config = parseConfig({});
    expect(config.retention).toEqual({ modelCallDays: 0, usageDays: 0, archive: false, responsesDays: 30, mediaDays: 7 });
    expect(parseConfig({ MODEL_CALL_RETENTION_DAYS: '30', USAGE_RETENTION_DAYS: '365', RETENTION_ARCHIVE: 'true' }).retention).toEqual({
      modelCallDays: 30,
      usageDays: 365,
      archive: true,
      responsesDays: 30,
      mediaDays: 7,
    });
    expect(() => parseConfig({ MODEL_CALL_RETENTION_DAYS: '-1' })).toThrow(ConfigError);
    expect(() => parseConfig({ USAGE_RETENTION_DAYS: 'a week' })).toThrow(/USAGE_RETENTION_DAYS/);
    expect(() => parseConfig({ RETENTION_ARCHIVE: 'maybe' })).toThrow(/RETENTION_ARCHIVE/);
  });

  it('runs with the hub when configured, pruning old spans of the local store with the ModelCall horizon', async () => {
    const t = await startTestHub({ MODEL_CALL_RETENTION_DAYS: '30' });
    try {
      const job = t.hub.observability.retention;
      expect(job).toBeDefined();
      const store = t.hub.observability.tracing!.localStore!;
      const db = await store.db();
      const span = (id: string, startTime: number) => ({
        id,
        rootId: `${id}-trace`,
        name: 'POST /api/v1/chat/completions',
        startTime,
        endTime: startTime + 10,
        status: { code: 1 },
        attributes: {},
      });
      await store.internals.insertTrace(db, span('oldspan000000001', Date.now() - 40 * DAY));
      await store.internals.insertTrace(db, span('newspan000000001', Date.now() - 1 * DAY));
      const result = await job!.runNow();
      expect(result.extra.spans).toBe(1);
      const list = await t.request.get('/observability/api/trace/tree').set(bearer(t.adminKey));
      expect((list.body.data as { id: string }[]).map((s) => s.id)).toEqual(['newspan000000001']);
    } finally {
      await t.close();
    }
  });
});
