/**
 * Responses API answers kept for `previous_response_id` and GET/DELETE /api/v1/responses/:id
 * (API.md §11). A response is written with its call's ModelCall row, in the same batch (a flush
 * hook of the call recorder): it costs the answer no write of its own, and it is as durable as the
 * row — journaled before the answer's last byte, committed with the batch. Until the batch commits,
 * it is read from memory, so that a client chaining at once finds it. It is kept as the JSON text the
 * client got: the journal and the batch's one INSERT write that text, and nothing parses it again.
 */
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import type { ModelCallRow } from '../store/models/model-call.js';
import { quoteName as quote, sqlLiteral } from '../store/sql-literal.js';
import type { FlushHook } from './recording/call-recorder.js';

const DAY_MS = 86_400_000;
const SWEEP_EVERY_MS = 60 * 60_000;

export interface StoredResponseData {
  id: string;
  userDid: string | null;
  model: string;
  /** The conversation's input items up to this response. */
  input: unknown[];
  response: Record<string, unknown>;
  /** Epoch milliseconds. */
  expiresAt: number;
  createdAt: number;
}

/** What a call keeps: the input items and the response as JSON text. */
export interface KeptResponse {
  id: string;
  userDid: string | null;
  model: string;
  /** JSON of the conversation's input items up to this response. */
  input: string;
  /** JSON of the response object as the client got it. */
  response: string;
}

/** A kept response until its batch commits (what the journal holds for it). */
type Pending = KeptResponse & { expiresAt: number; createdAt: number };

export interface StoredResponses {
  /** Keeps a response with its call's row (call before the call is settled). */
  keep(callId: string, data: KeptResponse): void;
  /** The caller's response (an admin's: anyone's), or null when there is none or it expired. */
  get(id: string, caller: { userDid: string | null; admin: boolean }): Promise<StoredResponseData | null>;
  /** Removes the caller's response; false when there was none. */
  remove(id: string, caller: { userDid: string | null; admin: boolean }): Promise<boolean>;
  /** The recorder's hook that writes kept responses with their rows. */
  readonly hook: FlushHook;
  /** Deletes expired responses; resolves to how many went. */
  sweep(now?: Date): Promise<number>;
  close(): void;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function createStoredResponses(models: Pick<Models, 'StoredResponse'>, logger: Logger, retentionDays: number): StoredResponses {
  /** Kept responses by call id, until their batch commits (or is given up). */
  const byCall = new Map<string, Pending>();
  /** The same, by response id, for reads before the commit. */
  const byId = new Map<string, Pending>();
  const insert = createInsert(models.StoredResponse);
  /** Removed before their batch committed: not to be written. */
  const removed = new Set<string>();

  const forget = (rows: ModelCallRow[]) => {
    for (const row of rows) {
      const data = byCall.get(row.id);
      if (!data) continue;
      byCall.delete(row.id);
      byId.delete(data.id);
      removed.delete(data.id);
    }
  };

  const hook: FlushHook = {
    name: 'storedResponse',
    journal: (row) => byCall.get(row.id),
    restore: (row, data) => {
      // Lines of earlier runs held the input and the response as JSON values, not as their text.
      const d = data as Pending;
      const p: Pending = { ...d, input: text(d.input), response: text(d.response) };
      byCall.set(row.id, p);
      byId.set(p.id, p);
    },
    async write(rows, transaction, afterCommit) {
      const kept: Pending[] = [];
      for (const r of rows) {
        const d = byCall.get(r.id);
        if (d && r.status === 'success' && !removed.has(d.id)) kept.push(d);
      }
      await insert(kept, transaction);
      afterCommit(() => forget(rows));
    },
    dropped: forget,
  };

  const owns = (d: { userDid: string | null }, caller: { userDid: string | null; admin: boolean }) => caller.admin || d.userDid === caller.userDid;

  const timer = setInterval(() => {
    void models.StoredResponse.destroy({ where: { expiresAt: { [Op.lt]: new Date() } } }).catch((err) => logger.warn('deleting expired responses failed', { err }));
  }, SWEEP_EVERY_MS);
  timer.unref();

  return {
    hook,
    keep(callId, data) {
      const now = Date.now();
      const d: Pending = { id: data.id, userDid: data.userDid, model: data.model, input: data.input, response: data.response, createdAt: now, expiresAt: now + retentionDays * DAY_MS };
      byCall.set(callId, d);
      byId.set(d.id, d);
    },
    async get(id, caller) {
      const pending = byId.get(id);
      if (pending) {
        if (removed.has(id) || !owns(pending, caller)) return null;
        return { ...pending, input: JSON.parse(pending.input) as unknown[], response: JSON.parse(pending.response) as Record<string, unknown> };
      }
      const row = await models.StoredResponse.findByPk(id);
      if (!row || row.expiresAt.getTime() <= Date.now() || !owns(row, caller)) return null;
      return {
        id: row.id,
        userDid: row.userDid,
        model: row.model,
        input: JSON.parse(row.input) as unknown[],
        response: JSON.parse(row.response) as Record<string, unknown>,
        expiresAt: row.expiresAt.getTime(),
        createdAt: row.createdAt.getTime(),
      };
    },
    async remove(id, caller) {
      const found = await this.get(id, caller);
      if (!found) return false;
      if (byId.has(id)) removed.add(id);
      await models.StoredResponse.destroy({ where: { id } });
      return true;
    },
    sweep: (now = new Date()) => models.StoredResponse.destroy({ where: { expiresAt: { [Op.lt]: now } } }),
    close: () => clearInterval(timer),
  };
}

/** One multi-row INSERT for a batch's kept responses; one already there (a replayed journal line) stays. */
function createInsert(model: Models['StoredResponse']) {
  const sequelize = model.sequelize as Sequelize;
  const literal = sqlLiteral(sequelize);
  const columns = (['id', 'userDid', 'model', 'input', 'response', 'expiresAt', 'createdAt'] as const).map((k) => model.getAttributes()[k].field ?? k);
  const head = `INSERT INTO ${quote(model.getTableName() as string)} (${columns.map(quote).join(', ')}) VALUES `;
  const tail = ` ON CONFLICT (${quote(columns[0]!)}) DO NOTHING`;
  return async (kept: Pending[], transaction: Parameters<FlushHook['write']>[1]) => {
    if (!kept.length) return;
    const values = kept.map((d) => `(${[d.id, d.userDid, d.model, d.input, d.response, new Date(d.expiresAt), new Date(d.createdAt)].map(literal).join(', ')})`);
    await sequelize.query(head + values.join(', ') + tail, { raw: true, type: QueryTypes.INSERT, transaction });
  };
}
