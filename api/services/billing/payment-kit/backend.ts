/**
 * Billing against Payment Kit: balances are Payment Kit credit grants, charges are meter events.
 *
 * The hub mirrors each user's Payment Kit balance (remaining grants minus usage Payment Kit has not
 * deducted yet) into credit_accounts, re-read when older than `syncTtlMs`, and keeps there what
 * Payment Kit cannot know yet: credits held by calls in flight and charges not yet reported. The
 * reservation is the same atomic conditional UPDATE as the embedded ledger's, against
 * balance − held − unreported, so concurrent calls cannot overspend what the hub knows of.
 */
import type { Sequelize } from 'sequelize';
import { AppError, BadRequestError } from '../../../errors.js';
import { creditsToNano, nanoToCredits } from '../../../lib/decimal.js';
import type { Logger } from '../../../lib/logger.js';
import type { Models } from '../../../store/models/index.js';
import { CreditAccounts, type AccountRow } from '../accounts.js';
import type { TransactionView } from '../../../wire/credits.js';
import type { CountedList } from '../../../wire/user.js';
import type { BillingBackend } from '../backend.js';
import { insufficientCredits } from '../insufficient.js';
import type { PaymentKitClient, PaymentKitCreditTransaction, PaymentKitMeter } from './client.js';
import { ensureCreditPaymentLink } from './credit-link.js';
import { createMeterReporter, type ReportPass } from './reporter.js';

export const METER_EVENT_NAME = 'agent-hub-ai-meter';
const METER_UNIT = 'AIGNE Hub Credits';

export interface PaymentKitBillingOptions {
  sequelize: Sequelize;
  models: Models;
  logger: Logger;
  client: PaymentKitClient;
  enabled: boolean;
  reservationTtlMs: number;
  /** CREDIT_PAYMENT_LINK: when set, used instead of the link the hub would make in Payment Kit. */
  topUpLink?: string;
  /** How long a mirrored balance is trusted before Payment Kit is asked again. */
  syncTtlMs?: number;
  /** How long a balance read may take before the call is answered from the mirror (or 503). */
  remoteTimeoutMs?: number;
  reporter?: { batchSize?: number; baseBackoffMs?: number; maxBackoffMs?: number };
}

const billingUnavailable = (cause: unknown) =>
  new AppError(503, 'server_error', 'The billing service (Payment Kit) is unavailable; try again shortly', { code: 'billing_unavailable', retryAfter: 5, cause });

/** Payment Kit calls wait while the component starts; a model call must not wait with them. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Payment Kit did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function toTransactionView(t: PaymentKitCreditTransaction): TransactionView {
  const negative = t.type === 'consumption' || t.type === 'expiration';
  const amount = nanoToCredits(creditsToNano(t.amount.replace(/^-/, '')));
  return {
    id: t.id,
    type: t.type === 'consumption' ? 'charge' : t.type === 'expiration' ? 'expire' : t.type,
    amount: negative && amount !== '0' ? `-${amount}` : amount,
    balance: t.running_balance ?? null,
    reason: t.description ?? null,
    modelCallId: null,
    grantId: t.credit_grant_id ?? null,
    createdAt: new Date(t.created_at).toISOString(),
  };
}

function encodePage(page: number): string {
  return Buffer.from(JSON.stringify({ page }), 'utf8').toString('base64url');
}

function decodePage(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { page?: unknown };
    if (typeof v.page === 'number' && Number.isInteger(v.page) && v.page > 0) return v.page;
  } catch {
    // fall through
  }
  throw new BadRequestError('cursor: not a cursor returned by this endpoint', { extra: { param: 'cursor' } });
}

export function createPaymentKitBilling(options: PaymentKitBillingOptions): BillingBackend & { accounts: CreditAccounts; report(now?: Date): Promise<ReportPass> } {
  const { sequelize, logger, client } = options;
  const accounts = new CreditAccounts(sequelize);
  const syncTtlMs = options.syncTtlMs ?? 10_000;

  let meterPromise: Promise<PaymentKitMeter> | null = null;
  /** Finds the hub's meter, creating it the first time; a failure is retried on the next use. */
  const ensureMeter = (): Promise<PaymentKitMeter> => {
    meterPromise ??= (async () => {
      const existing = await client.retrieveMeter(METER_EVENT_NAME);
      if (existing) return existing;
      logger.info('creating the Payment Kit meter', { eventName: METER_EVENT_NAME });
      const created = await client.createMeter({ name: 'AIGNE Hub AI Meter', description: 'AIGNE Hub AI Meter', event_name: METER_EVENT_NAME, unit: METER_UNIT, aggregation_method: 'sum' });
      // Read back: Payment Kit expands the meter's currency only on retrieval.
      return (await client.retrieveMeter(created.id)) ?? created;
    })().catch((err) => {
      meterPromise = null;
      throw err;
    });
    return meterPromise;
  };

  // The credit payment link: made sure of once (again after a failure), and only with billing on.
  let linkPromise: Promise<string> | null = null;
  let knownLink = options.topUpLink;
  const ensureLink = (): Promise<string | undefined> => {
    if (options.topUpLink || !options.enabled) return Promise.resolve(options.topUpLink);
    linkPromise ??= ensureMeter()
      .then((meter) => ensureCreditPaymentLink(client, meter, logger))
      .then((link) => (knownLink = link))
      .catch((err) => {
        linkPromise = null;
        throw err;
      });
    return linkPromise;
  };

  const reporter = createMeterReporter({ sequelize, accounts, client, logger, meter: ensureMeter, ...options.reporter });

  const readRemote = async (userDid: string): Promise<number> => {
    const meter = await ensureMeter();
    const currency = meter.currency_id ?? '';
    const [summary, pending] = await Promise.all([client.creditSummary(userDid), client.pendingAmount(userDid)]);
    const remaining = creditsToNano(summary?.[currency]?.remainingAmount ?? '0');
    const notDeducted = creditsToNano(pending?.[currency] ?? '0');
    return remaining - notDeducted;
  };

  /** The mirrored account, re-read from Payment Kit when stale (a stale copy serves if it is down). */
  const sync = async (userDid: string, force = false): Promise<AccountRow> => {
    const account = await accounts.get(userDid);
    if (!force && account?.syncedAt && Date.now() - account.syncedAt.getTime() < syncTtlMs) return account;
    try {
      return await accounts.setBalance(userDid, await withTimeout(readRemote(userDid), options.remoteTimeoutMs ?? 5_000), new Date());
    } catch (err) {
      if (account?.syncedAt) {
        logger.warn('Payment Kit balance unavailable; using the last one read', { err, userDid });
        return account;
      }
      throw billingUnavailable(err);
    }
  };

  /** Payment Kit's credit transactions of the user's meter, by page number. */
  const listTransactions = async (userDid: string, pageNo: number, pageSize: number): Promise<CountedList<TransactionView>> => {
    const meter = await ensureMeter().catch((err) => {
      throw billingUnavailable(err);
    });
    const result = await client.listCreditTransactions({ customer_id: userDid, meter_id: meter.id, page: pageNo, pageSize });
    return { count: result.count, list: result.list.map(toTransactionView) };
  };

  return {
    kind: 'payment-kit',
    get enabled() {
      return options.enabled;
    },
    get topUpLink() {
      return knownLink;
    },
    paymentLink: ensureLink,
    accounts,
    report: (now) => reporter.run(now),

    async reserve({ record, maxCostNano }) {
      if (!options.enabled || !record.userDid) return null;
      await sync(record.userDid);
      const amount = Math.max(0, Math.ceil(maxCostNano));
      const id = await accounts.hold(record.userDid, amount, record.id, new Date(Date.now() + options.reservationTtlMs));
      if (!id) {
        const a = await accounts.get(record.userDid);
        throw insufficientCredits(amount, a ? a.balanceNano - a.heldNano - a.unreportedNano : 0, knownLink);
      }
      return { id, amountNano: amount };
    },

    async settle(record, reservation) {
      if (!options.enabled || !record.userDid) return;
      const charge = Math.max(0, record.creditsNano);
      if (!reservation && charge === 0) return;
      const userDid = record.userDid;
      await accounts.transaction(async (t) => {
        const released = reservation ? await accounts.takeReservation(t, reservation.id) : 0;
        await accounts.adjust(t, userDid, { heldNano: -released, unreportedNano: charge });
      });
    },

    async balance(userDid) {
      const a = await sync(userDid);
      return { userDid, balanceNano: a.balanceNano - a.unreportedNano, pendingNano: a.heldNano };
    },

    async grant(request) {
      const meter = await ensureMeter().catch((err) => {
        throw billingUnavailable(err);
      });
      const grant = await client.createCreditGrant({
        amount: nanoToCredits(request.amountNano),
        currency_id: meter.currency_id ?? '',
        customer_id: request.userDid,
        name: request.reason ?? undefined,
        category: 'promotional',
        ...(request.expiresAt ? { expires_at: Math.floor(request.expiresAt.getTime() / 1000) } : {}),
        metadata: { source: request.source ?? 'admin', grantedBy: request.grantedBy ?? null },
      });
      const account = await sync(request.userDid, true).catch(() => null);
      return {
        id: grant.id,
        userDid: request.userDid,
        amount: nanoToCredits(request.amountNano),
        reason: request.reason ?? null,
        expiresAt: request.expiresAt ? request.expiresAt.toISOString() : null,
        createdAt: new Date().toISOString(),
        ...(account ? { balance: nanoToCredits(account.balanceNano - account.unreportedNano) } : {}),
      };
    },

    async transactions(userDid, page) {
      const pageNo = page.cursor ? decodePage(page.cursor) : 1;
      const result = await listTransactions(userDid, pageNo, page.limit);
      return { data: result.list, ...(pageNo * page.limit < result.count ? { next: encodePage(pageNo + 1) } : {}) };
    },

    transactionList: (userDid, page) => listTransactions(userDid, page.page, page.pageSize),

    async grantList(userDid, page) {
      const meter = await ensureMeter().catch((err) => {
        throw billingUnavailable(err);
      });
      const result = await client.listCreditGrants({ customer_id: userDid, currency_id: meter.currency_id, page: page.page, pageSize: page.pageSize });
      return {
        count: result.count,
        list: result.list.map((g) => ({
          id: g.id,
          userDid,
          amount: nanoToCredits(creditsToNano(g.amount)),
          reason: g.name ?? null,
          expiresAt: g.expires_at ? new Date(g.expires_at * 1000).toISOString() : null,
          createdAt: g.created_at ? new Date(g.created_at).toISOString() : new Date(0).toISOString(),
          status: g.status ?? 'granted',
        })),
      };
    },

    async summary(userDid) {
      const [b, meter] = await Promise.all([this.balance(userDid), ensureMeter().catch((err) => Promise.reject(billingUnavailable(err)))]);
      const entry = (await withTimeout(client.creditSummary(userDid), options.remoteTimeoutMs ?? 5_000).catch((err) => Promise.reject(billingUnavailable(err))))?.[meter.currency_id ?? ''];
      return {
        balanceNano: b.balanceNano,
        pendingNano: b.pendingNano,
        totalNano: creditsToNano(entry?.totalAmount ?? '0'),
        grantCount: entry?.grantCount ?? 0,
        ...(meter.paymentCurrency ? { currency: meter.paymentCurrency } : {}),
      };
    },

    async refund() {
      throw new BadRequestError('With Payment Kit, refunds are made in Payment Kit (grant the credits back there)', { code: 'unsupported' });
    },

    reportableNano: (row) => (options.enabled && row.userDid ? Math.max(0, row.creditsNano) : 0),

    async sweep(now = new Date()) {
      const released = await accounts.releaseExpired(now);
      if (released) logger.warn('released expired credit reservations', { count: released });
      if (options.enabled) await reporter.run(now);
    },

    async reconcile() {
      if (accounts.isPostgres) {
        const released = await accounts.releaseExpired();
        if (released) logger.warn('released expired credit reservations', { count: released });
        return;
      }
      const released = await accounts.releaseAll();
      if (released) logger.warn('released credit reservations left by a previous stop', { count: released });
      // Unreported charges are exactly what the usage buckets have not reported yet.
      await sequelize.query(
        `UPDATE credit_accounts SET "unreportedNano" = COALESCE((SELECT SUM(u."creditsNano" - u."reportedCreditsNano") FROM usages u WHERE u."userDid" = credit_accounts."userDid"), 0)`,
      );
    },

    async close() {
      if (!options.enabled) return;
      try {
        await reporter.run();
      } catch (err) {
        logger.warn('reporting usage at shutdown failed; it will be reported at the next start', { err });
      }
    },
  };
}
