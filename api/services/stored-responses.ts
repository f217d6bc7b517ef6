/**
 * Responses API answers kept for `previous_response_id` and GET/DELETE /api/v1/responses/:id
 * (API.md §11). A response is written with its call's ModelCall row, in the same batch (a flush
 * hook of the call recorder): it costs the answer no write of its own, and it is as durable as the
 * row — journaled before the answer's last byte, committed with the batch. Until the batch commits,
 * it is read from memory, so that a client chaining at once finds it.
 */
import { Op } from 'sequelize';
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import type { ModelCallRow } from '../store/models/model-call.js';
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

export interface StoredResponses {
  /** Keeps a response with its call's row (call before the call is settled). */
  keep(callId: string, data: Omit<StoredResponseData, 'expiresAt' | 'createdAt'>): void;
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

export function createStoredResponses(models: Pick<Models, 'StoredResponse'>, logger: Logger, retentionDays: number): StoredResponses {
  /** Kept responses by call id, until their batch commits (or is given up). */
  const byCall = new Map<string, StoredResponseData>();
  /** The same, by response id, for reads before the commit. */
  const byId = new Map<string, StoredResponseData>();
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
      const d = data as StoredResponseData;
      byCall.set(row.id, d);
      byId.set(d.id, d);
    },
    async write(rows, transaction, afterCommit) {
      const kept = rows.flatMap((r) => {
        const d = byCall.get(r.id);
        return d && r.status === 'success' && !removed.has(d.id) ? [d] : [];
      });
      if (kept.length) {
        await models.StoredResponse.bulkCreate(
          kept.map((d) => ({ id: d.id, userDid: d.userDid, model: d.model, input: JSON.stringify(d.input), response: JSON.stringify(d.response), expiresAt: new Date(d.expiresAt), createdAt: new Date(d.createdAt) })),
          { transaction, ignoreDuplicates: true },
        );
      }
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
      const d: StoredResponseData = { ...data, createdAt: now, expiresAt: now + retentionDays * DAY_MS };
      byCall.set(callId, d);
      byId.set(d.id, d);
    },
    async get(id, caller) {
      const pending = byId.get(id);
      if (pending) return !removed.has(id) && owns(pending, caller) ? pending : null;
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
