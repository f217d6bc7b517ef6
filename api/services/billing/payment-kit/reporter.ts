/**
 * Reports usage to Payment Kit as meter events. Each pass turns every usage bucket with unreported
 * credits into one outbox row (`meter_reports`) whose id — the event's identifier — names the exact
 * range it covers, then sends the due rows. A row is marked sent, and the bucket's
 * `reportedCreditsNano` advanced, only after Payment Kit accepted it (or answered that it already
 * has that identifier); a failure is retried later with the same identifier, so a range is never
 * counted twice.
 */
import type { Sequelize } from 'sequelize';
import { nanoToCredits } from '../../../lib/decimal.js';
import type { Logger } from '../../../lib/logger.js';
import { redactSecrets } from '../../../lib/redact.js';
import { toNano, type CreditAccounts } from '../accounts.js';
import { isDuplicateEventError, type PaymentKitClient, type PaymentKitMeter } from './client.js';

export interface ReporterOptions {
  sequelize: Sequelize;
  accounts: CreditAccounts;
  client: PaymentKitClient;
  logger: Logger;
  meter: () => Promise<PaymentKitMeter>;
  batchSize?: number;
  /** Backoff after the n-th failure: min(maxBackoffMs, baseBackoffMs × 2^(n−1)). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ReportPass {
  sent: number;
  failed: number;
}

type ReportRow = { id: string; usageId: string; userDid: string; fromNano: unknown; toNano: unknown; attempts: unknown };

export function createMeterReporter(options: ReporterOptions) {
  const { sequelize, accounts, client, logger } = options;
  const batchSize = options.batchSize ?? 100;
  const base = options.baseBackoffMs ?? 5_000;
  const max = options.maxBackoffMs ?? 10 * 60_000;

  // Every write here goes through the write queue: on SQLite a statement outside it waits on the
  // write lock that the recorder's and the ledger's transactions hold, and can time out under load.
  const enqueue = (now: Date): Promise<void> =>
    accounts.transaction(async (transaction) => {
      await sequelize.query(
      `INSERT INTO meter_reports ("id", "usageId", "userDid", "fromNano", "toNano", "status", "attempts", "nextAttemptAt", "createdAt", "updatedAt")
       SELECT 'aigne-hub-' || u."id" || '-' || CAST(u."reportedCreditsNano" AS TEXT) || '-' || CAST(u."creditsNano" AS TEXT),
              u."id", u."userDid", u."reportedCreditsNano", u."creditsNano", 'pending', 0, :now, :now, :now
       FROM usages u
       WHERE u."creditsNano" > u."reportedCreditsNano" AND u."userDid" <> ''
         AND NOT EXISTS (SELECT 1 FROM meter_reports r WHERE r."usageId" = u."id" AND r."status" = 'pending')
       ON CONFLICT DO NOTHING`,
        { replacements: { now }, transaction },
      );
    });

  const markSent = async (row: ReportRow, now: Date): Promise<void> => {
    const from = toNano(row.fromNano);
    const to = toNano(row.toNano);
    await accounts.transaction(async (t) => {
      const updated = await accounts.select(
        `UPDATE meter_reports SET "status" = 'sent', "sentAt" = :now, "attempts" = "attempts" + 1, "lastError" = NULL, "updatedAt" = :now
         WHERE "id" = :id AND "status" = 'pending' RETURNING "id"`,
        { id: row.id, now },
        t,
      );
      if (!updated.length) return;
      await sequelize.query(`UPDATE usages SET "reportedCreditsNano" = :to, "updatedAt" = :now WHERE "id" = :usageId AND "reportedCreditsNano" = :from`, {
        replacements: { to, from, usageId: row.usageId, now },
        transaction: t,
      });
      // Payment Kit now owes the deduction: it leaves the unreported part and the mirrored balance.
      await accounts.adjust(t, row.userDid, { unreportedNano: -(to - from), balanceNano: -(to - from) });
    });
  };

  const markFailed = async (row: ReportRow, err: unknown, now: Date): Promise<void> => {
    const attempts = Number(row.attempts ?? 0) + 1;
    const delay = Math.min(max, base * 2 ** (attempts - 1));
    const message = redactSecrets(err instanceof Error ? err.message : String(err)).slice(0, 1000);
    await accounts.transaction((transaction) =>
      sequelize.query(
        `UPDATE meter_reports SET "attempts" = :attempts, "lastError" = :message, "nextAttemptAt" = :next, "updatedAt" = :now WHERE "id" = :id AND "status" = 'pending'`,
        { replacements: { attempts, message, next: new Date(now.getTime() + delay), now, id: row.id }, transaction },
      ),
    );
  };

  return {
    /** One pass: queue what is unreported, send what is due. */
    async run(now = new Date()): Promise<ReportPass> {
      await enqueue(now);
      const due = await accounts.select<ReportRow>(
        `SELECT "id", "usageId", "userDid", "fromNano", "toNano", "attempts" FROM meter_reports
         WHERE "status" = 'pending' AND "nextAttemptAt" <= :now ORDER BY "createdAt", "id" LIMIT :limit`,
        { now, limit: batchSize },
      );
      if (!due.length) return { sent: 0, failed: 0 };
      let meter: PaymentKitMeter;
      try {
        meter = await options.meter();
      } catch (err) {
        logger.warn('Payment Kit meter unavailable; usage reports wait', { err });
        for (const row of due) await markFailed(row, err, now);
        return { sent: 0, failed: due.length };
      }
      let sent = 0;
      let failed = 0;
      for (const row of due) {
        const value = nanoToCredits(toNano(row.toNano) - toNano(row.fromNano));
        try {
          await client.createMeterEvent({
            event_name: meter.event_name,
            payload: { customer_id: row.userDid, value },
            identifier: row.id,
            timestamp: Math.floor(now.getTime() / 1000),
            metadata: { usageId: row.usageId, source: 'aigne-hub' },
          });
        } catch (err) {
          if (!isDuplicateEventError(err)) {
            failed += 1;
            await markFailed(row, err, now);
            continue;
          }
        }
        await markSent(row, now);
        sent += 1;
      }
      if (failed) logger.warn('some usage reports to Payment Kit failed; they will be retried', { failed, sent });
      return { sent, failed };
    },
  };
}
