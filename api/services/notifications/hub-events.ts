/**
 * Where the hub's events come from: credential state changes (the gateway), grants and balances
 * (billing), rate checks and model health checks. Each goes through the shared alert state first,
 * so an event that several instances see at once is told once; then through the notifier.
 */
import type { Sequelize } from 'sequelize';
import { creditsToNano, nanoToCredits } from '../../lib/decimal.js';
import type { Logger } from '../../lib/logger.js';
import type { Models } from '../../store/models/index.js';
import type { RateCheckAnswer } from '../../wire/pricing.js';
import type { BillingBackend, GrantRequest } from '../billing/backend.js';
import type { CallRecord } from '../gateway/call-record.js';
import { createAlertStates } from './alert-states.js';
import { credentialDisabled, credentialRestored, creditsGranted, creditsLow, modelUnhealthy, rateBelowCost, type ModelRef } from './events.js';
import type { Notifier } from './notifier.js';

export interface HubEventsDeps {
  sequelize: Sequelize;
  models: Pick<Models, 'AiCredential' | 'AiProvider'>;
  logger: Logger;
  notifier: Notifier;
  billing: Pick<BillingBackend, 'enabled' | 'balance'>;
  /** Balances under this many credits are told (unset: never); read at each check, so a changed setting applies at once. */
  lowBalanceCredits: () => string | undefined;
  /** Resolves once settled calls are written (balances include them). */
  recordsSettled: () => Promise<void>;
  /** Pause that gathers a burst of calls into one balance read per user. */
  balanceCheckDelayMs?: number;
}

export interface HubEvents {
  credentialDisabled(credentialId: string, providerId: string, reason: string): void;
  /** A credential was put back in rotation (re-checked by the hub, or re-enabled or tested by an admin). */
  credentialReset(credentialId: string, how: string): void;
  callSettled(record: CallRecord): void;
  granted(request: GrantRequest, grant: { id: string; amount: string; balance?: string }): void;
  /** `checked`: the ids of every rate the check compared with the table. */
  rateChecked(answer: RateCheckAnswer, checked: string[]): void;
  /** Records a model's check result; a model that starts failing is told. */
  modelChecked(model: ModelRef, ok: boolean, error: string | null): Promise<void>;
  /** Resolves when the events under way are told (tests, shutdown). */
  settled(): Promise<void>;
}

export function createHubEvents(deps: HubEventsDeps): HubEvents {
  const states = createAlertStates(deps.sequelize);
  const pending = new Set<Promise<unknown>>();
  const track = (what: string, work: () => Promise<unknown>) => {
    const p = work()
      .catch((err) => deps.logger.warn(`telling of ${what} failed`, { err }))
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  const credentialRef = async (credentialId: string) => {
    const credential = await deps.models.AiCredential.findByPk(credentialId);
    if (!credential) return null;
    const provider = await deps.models.AiProvider.findByPk(credential.providerId);
    return { credentialId, credentialName: credential.name, providerId: credential.providerId, provider: provider?.name ?? credential.providerId };
  };

  const balanceChecks = new Set<string>();
  let balanceTimer: NodeJS.Timeout | undefined;
  const checkBalances = async () => {
    balanceTimer = undefined;
    const users = [...balanceChecks];
    balanceChecks.clear();
    await deps.recordsSettled();
    const limit = deps.lowBalanceCredits();
    if (limit === undefined) return;
    const threshold = creditsToNano(limit);
    for (const userDid of users) {
      const { balanceNano } = await deps.billing.balance(userDid);
      const now = new Date();
      if (balanceNano >= threshold) {
        await states.set(`credits:${userDid}`, 'ok', now);
        continue;
      }
      if ((await states.set(`credits:${userDid}`, 'low', now)) !== 'same') {
        await deps.notifier.notify(creditsLow(userDid, nanoToCredits(balanceNano), limit, now));
      }
    }
  };
  const scheduleBalanceCheck = (userDid: string) => {
    if (deps.lowBalanceCredits() === undefined || !deps.billing.enabled) return;
    balanceChecks.add(userDid);
    balanceTimer ??= setTimeout(() => track('a low balance', checkBalances), deps.balanceCheckDelayMs ?? 1000);
  };

  return {
    credentialDisabled(credentialId, _providerId, reason) {
      track('a disabled credential', async () => {
        const now = new Date();
        if ((await states.set(`credential:${credentialId}`, 'disabled', now)) === 'same') return;
        const ref = await credentialRef(credentialId);
        if (ref) await deps.notifier.notify(credentialDisabled(ref, reason, now));
      });
    },
    credentialReset(credentialId, how) {
      track('a restored credential', async () => {
        const now = new Date();
        if ((await states.set(`credential:${credentialId}`, 'active', now)) !== 'changed') return;
        const ref = await credentialRef(credentialId);
        if (ref) await deps.notifier.notify(credentialRestored(ref, how, now));
      });
    },
    callSettled(record) {
      if (record.userDid && record.creditsNano > 0) scheduleBalanceCheck(record.userDid);
    },
    granted(request, grant) {
      track('a grant', async () => {
        const balance = grant.balance ?? nanoToCredits((await deps.billing.balance(request.userDid)).balanceNano);
        await deps.notifier.notify(creditsGranted(request.userDid, grant.id, grant.amount, balance, request.reason ?? null));
      });
      scheduleBalanceCheck(request.userDid);
    },
    rateChecked(answer, checked) {
      track('rates below cost', async () => {
        const below = new Set<string>();
        for (const item of answer.flagged) {
          const sides = item.sides.filter((s) => s.flags.includes('below_cost'));
          if (!sides.length) continue;
          below.add(item.rateId);
          const state = `below:${sides.map((s) => `${s.side}=${s.rate}<${s.cost}`).join(',')}`;
          if ((await states.set(`rate:${item.rateId}`, state)) === 'same') continue;
          await deps.notifier.notify(rateBelowCost({ ...item, sides: sides.map(({ side, rate, cost }) => ({ side, rate, cost })) }, state));
        }
        // Rates checked and fine again may be told again should they fall below cost later.
        for (const id of checked) if (!below.has(id)) await states.set(`rate:${id}`, 'ok');
      });
    },
    async modelChecked(model, ok, error) {
      const subject = `model:${model.providerId}:${model.type}:${model.model}`;
      const now = new Date();
      if (ok) {
        await states.set(subject, 'ok', now);
        return;
      }
      if ((await states.set(subject, 'failing', now)) === 'same') return;
      await deps.notifier.notify(modelUnhealthy(model, error ?? 'unknown error', now));
    },
    async settled() {
      while (pending.size || balanceTimer) {
        if (balanceTimer) {
          clearTimeout(balanceTimer);
          track('a low balance', checkBalances);
        }
        await Promise.all([...pending]);
      }
      await deps.notifier.settled();
    },
  };
}
