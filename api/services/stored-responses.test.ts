/**
 * Stored responses on a real SQLite file, through the call recorder and its journal: a kept
 * response is written with its call's row as the exact JSON text the client got, read from memory
 * until then, and a journal line (this format, or an earlier run's with JSON values) written again
 * at start.
 */
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { modelCallRowOf } from '../tests/helpers/model-call-row.js';
import { tempStores } from '../tests/helpers/temp-store.js';
import type { Models } from '../store/models/index.js';
import type { ModelCallRow } from '../store/models/model-call.js';
import { openCallJournal } from './recording/call-journal.js';
import { createCallRecorder } from './recording/call-recorder.js';
import { journalLine } from './recording/journal-line.js';
import { createStoredResponses } from './stored-responses.js';

const openStore = tempStores();
const logger = createLogger({ level: 'silent' });
const owner = { userDid: 'user_1', admin: false };

const row = (id: string): ModelCallRow =>
  modelCallRowOf(id, { model: 'gpt-4o-mini', status: 'success', stream: false, inputTokens: 2, outputTokens: 3, duration: 1, ttfb: 1, providerTtfb: 1, userDid: 'user_1', createdAt: new Date() });

function start(dir: string, models: Models) {
  const journal = openCallJournal({ dir: path.join(dir, 'journal') });
  const recorder = createCallRecorder(models, logger, { journal, commitWindowMs: 10_000 });
  const stored = createStoredResponses(models, logger, 30);
  recorder.onFlush(stored.hook);
  return { journal, recorder, stored };
}

const storedRows = (sequelize: Sequelize) =>
  sequelize.query<{ id: string; input: string; response: string }>('SELECT "id", "input", "response" FROM stored_responses ORDER BY "id"', { type: QueryTypes.SELECT });

describe('stored responses', () => {
  it('writes the response the client got, as its text, with the call’s row; read from memory until then', async () => {
    const { dir, sequelize, models } = await openStore();
    const { journal, recorder, stored } = start(dir, models);
    // Text as a client got it: key order and spacing are kept, not re-serialized.
    const response = '{"id":"resp_a","object":"response","output_text":"it\'s \\"quoted\\"","usage":{"input_tokens":2}}';
    stored.keep('a', { id: 'resp_a', userDid: 'user_1', model: 'openai/gpt-4o-mini', input: '[{"role":"user","content":"hi"}]', response });
    await recorder.commit(row('a'));
    expect(await storedRows(sequelize)).toEqual([]);
    expect(await stored.get('resp_a', owner)).toMatchObject({ input: [{ role: 'user', content: 'hi' }], response: { output_text: 'it\'s "quoted"' } });
    expect(await stored.get('resp_a', { userDid: 'user_2', admin: false })).toBeNull();
    await recorder.flush();
    expect(await storedRows(sequelize)).toEqual([{ id: 'resp_a', input: '[{"role":"user","content":"hi"}]', response }]);
    expect(await stored.get('resp_a', owner)).toMatchObject({ id: 'resp_a', model: 'openai/gpt-4o-mini', response: { usage: { input_tokens: 2 } } });
    stored.close();
    journal.close();
  });

  it('writes journaled responses again at start, in this line format and in the earlier one', async () => {
    const { dir, sequelize, models } = await openStore();
    const first = openCallJournal({ dir: path.join(dir, 'journal') });
    const now = Date.now();
    const entry = { userDid: 'user_1', model: 'openai/gpt-4o-mini', expiresAt: now + 60_000, createdAt: now };
    first.append('b', journalLine(row('b'), { storedResponse: { ...entry, id: 'resp_b', input: '["b"]', response: '{"id":"resp_b"}' } }));
    first.append('c', journalLine(row('c'), { storedResponse: { ...entry, id: 'resp_c', input: ['c'], response: { id: 'resp_c' } } }));
    first.close();
    const { journal, recorder, stored } = start(dir, models);
    expect(await recorder.recover()).toBe(2);
    stored.close();
    journal.close();
    expect(await storedRows(sequelize)).toEqual([
      { id: 'resp_b', input: '["b"]', response: '{"id":"resp_b"}' },
      { id: 'resp_c', input: '["c"]', response: '{"id":"resp_c"}' },
    ]);
  });
});
