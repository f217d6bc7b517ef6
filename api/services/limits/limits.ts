/**
 * Limits per key, app and user (API.md §14), checked in one place before a model call is accepted:
 * models (403), budget (402), requests and tokens per minute and calls open now (429). What a call
 * takes is given back or settled when it ends. A refusal leaves no call behind.
 */
import type { Sequelize } from 'sequelize';
import { AppError } from '../../errors.js';
import { creditsToNano, nanoToCredits } from '../../lib/decimal.js';
import type { Models } from '../../store/models/index.js';
import type { KeyLimits } from '../../store/models/key-limits.js';
import type { LimitReport, LimitUsed } from '../../wire/limits.js';
import { isPostgres } from '../../store/sequelize.js';
import type { Caller } from '../access-keys.js';
import { globMatch } from '../key-limits.js';
import { memoryHolds, MinuteCounter, periodEnd, postgresHolds, SpendLedger, type HoldStore } from './counters.js';
import { createSubjectSource, type LimitSubject } from './subjects.js';

export type LimitKind = 'rpm' | 'tpm' | 'concurrency' | 'model' | 'budget';

/** 429 for a rate limit; carries `Retry-After` and the kind of limit hit. */
export class LimitRefusal extends AppError {
  constructor(
    readonly kind: LimitKind,
    status: 402 | 403 | 429,
    message: string,
    retryAfter?: number,
  ) {
    const type = status === 402 ? 'insufficient_credits' : status === 403 ? 'permission_denied' : 'rate_limit_exceeded';
    const code = kind === 'model' ? 'model_not_allowed' : kind === 'budget' ? 'budget_exceeded' : `${kind}_limit_exceeded`;
    super(status, type, message, { code, retryAfter });
  }
}

export interface AdmitRequest {
  /** The model string the client sent. */
  model: string;
  /** `provider/model` names the call may be served by. */
  candidates: string[];
  /** Tokens to take from tokens-per-minute now (the estimate; settled to the count after). */
  tokens: number;
  /** The most the call can cost, in nano-credits. */
  maxCostNano: number;
}

/** What an accepted call holds; `settle` gives it back with what the call used. */
export interface Admission {
  /** `x-ratelimit-*` headers for the answer. */
  headers: Record<string, string>;
  /** Candidates (`provider/model`) the caller's model patterns allow. */
  allows(name: string): boolean;
  settle(used: { tokens: number; creditsNano: number }): void;
}

export interface LimitService {
  /**
   * null when nothing limits the caller; throws a LimitRefusal when a limit refuses the call.
   * `describe` is asked only when something does (most callers are not limited); its null admits.
   */
  admit(caller: Caller, describe: () => Promise<AdmitRequest | null>): Promise<Admission | null>;
  /** Whether the caller's model patterns let it use `name` (model lists). */
  modelFilter(caller: Caller): Promise<((name: string) => boolean) | null>;
  /** API.md §14 `GET /api/user/limits`. */
  report(caller: Caller): Promise<LimitReport>;
  /** What a key, app or user (by id; users by DID) has used of `limits` now. */
  usage(kind: LimitSubject['kind'], id: string, limits: KeyLimits): Promise<LimitUsed>;
  userLimits(did: string): Promise<KeyLimits | null>;
  /** App or user limits changed. */
  forget(): void;
  /** Told of every refusal (metrics). */
  onRefused(listener: (kind: LimitKind) => void): void;
  close(): Promise<void>;
}

export interface LimitServiceOptions {
  sequelize: Sequelize;
  models: Models;
  defaultKeyLimits: KeyLimits | null;
  /** How long a hold of a crashed instance keeps counting (PostgreSQL). */
  holdTtlMs: number;
  now?: () => Date;
}

/** A model pattern: exact `provider/model`, a bare name (any provider), or a `*` glob. */
export function modelMatches(pattern: string, names: string[]): boolean {
  return names.some((n) => globMatch(pattern, n) || (!pattern.includes('/') && globMatch(pattern, n.slice(n.indexOf('/') + 1))));
}

/** OpenAI's form of a reset time: `1s`, `6m0s`, `250ms`. */
export function resetText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

export function createLimitService(o: LimitServiceOptions): LimitService {
  const now = o.now ?? (() => new Date());
  const subjects = createSubjectSource(o.models, o.defaultKeyLimits);
  const requests = new MinuteCounter(o.sequelize, 'limit-rpm');
  const tokens = new MinuteCounter(o.sequelize, 'limit-tpm');
  const holds: HoldStore = isPostgres(o.sequelize) ? postgresHolds(o.sequelize, o.holdTtlMs) : memoryHolds();
  const spend = new SpendLedger(o.sequelize);
  const refusedListeners: ((kind: LimitKind) => void)[] = [];
  const refuse = (err: LimitRefusal): never => {
    for (const l of refusedListeners) l(err.kind);
    throw err;
  };
  const usedBy = async (subject: string, l: KeyLimits, at: Date): Promise<LimitUsed> => ({
    requests: l.rpm ? (await requests.used(subject, at)).used : null,
    tokens: l.tpm ? (await tokens.used(subject, at)).used : null,
    concurrent: l.maxConcurrent ? await holds.open(subject) : null,
    budgetCredits: l.budget ? nanoToCredits(await spend.spent(subject, l.budget.period, at)) : null,
  });
  const who = (s: LimitSubject) => (s.kind === 'key' ? 'this key' : s.kind === 'app' ? "this key's app" : "this key's user");

  return {
    async admit(caller, describe) {
      const list = await subjects.subjectsOf(caller);
      if (!list.length) return null;
      const req = await describe();
      if (!req) return null;
      const at = now();
      const patterns = list.flatMap((s) => (s.limits.models ? [s.limits.models] : []));
      const allows = (name: string) => patterns.every((p) => p.some((pattern) => modelMatches(pattern, [name])));
      if (patterns.length && !req.candidates.some(allows)) {
        refuse(new LimitRefusal('model', 403, `The model '${req.model}' is not among the models this key may use`));
      }
      // What calls admitted and not yet settled may cost counts against a budget as if spent, so
      // calls made at once cannot pass it together (on one instance; others see it once settled).
      const budgeted = list.filter((s) => s.limits.budget);
      const spentNow = await Promise.all(budgeted.map((s) => spend.spent(s.id, s.limits.budget!.period, at)));
      budgeted.forEach((s, i) => {
        const budget = s.limits.budget!;
        const spent = spentNow[i]!;
        if (spent + spend.reserved(s.id) + req.maxCostNano > creditsToNano(budget.credits)) {
          const ends = periodEnd(budget.period, at);
          const open = spend.reserved(s.id) > 0 ? ' with the calls in progress' : '';
          refuse(
            new LimitRefusal('budget', 402, `The ${budget.period === 'total' ? 'total' : `${budget.period}'s`} budget of ${budget.credits} credits of ${who(s)} is spent${open} (${nanoToCredits(spent)} used)`, ends ? Math.ceil((ends.getTime() - at.getTime()) / 1000) : undefined),
          );
        }
      });
      for (const s of budgeted) spend.reserve(s.id, req.maxCostNano);

      const taken: (() => Promise<void>)[] = budgeted.map((s) => async () => spend.release(s.id, req.maxCostNano));
      const giveBack = () => Promise.all(taken.map((f) => f().catch(() => {})));
      const tightest: Tightest = { requests: null, tokens: null };
      const note = (which: 'requests' | 'tokens', limit: number, used: number, resetMs: number) => {
        const remaining = Math.max(0, limit - used);
        const t = tightest[which];
        if (!t || remaining < t.remaining) tightest[which] = { limit, remaining, resetMs };
      };
      const holdsTaken: { subject: string; hold: string }[] = [];
      const tokenWindows: { subject: string; window: number }[] = [];
      try {
        for (const s of list) {
          if (s.limits.rpm) {
            const c = await requests.take(s.id, 1, s.limits.rpm, at);
            note('requests', s.limits.rpm, c.used, c.resetMs);
            if (!c.ok) throw new LimitRefusal('rpm', 429, `Rate limit of ${who(s)}: ${s.limits.rpm} requests a minute`, Math.max(1, Math.ceil(c.resetMs / 1000)));
            taken.push(() => requests.adjust(s.id, c.window, 1, at));
          }
          if (s.limits.tpm) {
            const c = await tokens.take(s.id, req.tokens, s.limits.tpm, at);
            note('tokens', s.limits.tpm, c.used, c.resetMs);
            if (!c.ok) {
              const message = req.tokens > s.limits.tpm ? `This request's ${req.tokens} tokens (estimated, with its output allowance) are more than the ${s.limits.tpm} tokens a minute of ${who(s)}` : `Rate limit of ${who(s)}: ${s.limits.tpm} tokens a minute`;
              throw new LimitRefusal('tpm', 429, message, Math.max(1, Math.ceil(c.resetMs / 1000)));
            }
            taken.push(() => tokens.adjust(s.id, c.window, req.tokens, at));
            tokenWindows.push({ subject: s.id, window: c.window });
          }
          if (s.limits.maxConcurrent) {
            const hold = await holds.acquire(s.id, s.limits.maxConcurrent);
            if (!hold) throw new LimitRefusal('concurrency', 429, `Concurrency limit of ${who(s)}: ${s.limits.maxConcurrent} calls open at once`, 1);
            holdsTaken.push({ subject: s.id, hold });
            taken.push(() => holds.release(s.id, hold));
          }
        }
      } catch (err) {
        await giveBack();
        if (err instanceof LimitRefusal) {
          err.headers = headersOf(tightest);
          refuse(err);
        }
        throw err;
      }
      let settled = false;
      return {
        headers: headersOf(tightest),
        allows: (name) => !patterns.length || allows(name),
        settle(used) {
          if (settled) return;
          settled = true;
          const at2 = now();
          for (const t of tokenWindows) if (used.tokens !== req.tokens) void tokens.adjust(t.subject, t.window, req.tokens - used.tokens, at2).catch(() => {});
          for (const s of budgeted) {
            spend.release(s.id, req.maxCostNano);
            spend.add(s.id, used.creditsNano, at2);
          }
          for (const h of holdsTaken) void holds.release(h.subject, h.hold).catch(() => {});
        },
      };
    },

    async modelFilter(caller) {
      const patterns = (await subjects.subjectsOf(caller)).flatMap((s) => (s.limits.models ? [s.limits.models] : []));
      if (!patterns.length) return null;
      return (name) => patterns.every((p) => p.some((pattern) => modelMatches(pattern, [name])));
    },

    async report(caller) {
      const at = now();
      const out: LimitReport['subjects'] = [];
      for (const s of await subjects.subjectsOf(caller)) {
        const l = s.limits;
        const used = await usedBy(s.id, l, at);
        const window = new Date(at.getTime() + 60_000 - (at.getTime() % 60_000)).toISOString();
        out.push({
          kind: s.kind,
          limits: l,
          default: Boolean(s.default),
          used,
          remaining: {
            requests: l.rpm ? Math.max(0, l.rpm - used.requests!) : null,
            tokens: l.tpm ? Math.max(0, l.tpm - used.tokens!) : null,
            concurrent: l.maxConcurrent ? Math.max(0, l.maxConcurrent - used.concurrent!) : null,
            budgetCredits: l.budget ? nanoToCredits(Math.max(0, creditsToNano(l.budget.credits) - creditsToNano(used.budgetCredits!))) : null,
          },
          resetsAt: { requests: l.rpm ? window : null, tokens: l.tpm ? window : null, budget: l.budget ? (periodEnd(l.budget.period, at)?.toISOString() ?? null) : null },
        });
      }
      return { subjects: out };
    },

    usage: (kind, id, limits) => usedBy(`${kind}:${id}`, limits, now()),

    userLimits: (did) => subjects.userLimits(did),
    forget() {
      subjects.forget();
      spend.forget();
    },
    onRefused(listener) {
      refusedListeners.push(listener);
    },
    close: () => spend.close(),
  };
}

interface WindowState {
  limit: number;
  remaining: number;
  resetMs: number;
}
type Tightest = { requests: WindowState | null; tokens: WindowState | null };

function headersOf(t: Tightest): Record<string, string> {
  const h: Record<string, string> = {};
  if (t.requests) {
    h['x-ratelimit-limit-requests'] = String(t.requests.limit);
    h['x-ratelimit-remaining-requests'] = String(t.requests.remaining);
    h['x-ratelimit-reset-requests'] = resetText(t.requests.resetMs);
  }
  if (t.tokens) {
    h['x-ratelimit-limit-tokens'] = String(t.tokens.limit);
    h['x-ratelimit-remaining-tokens'] = String(t.tokens.remaining);
    h['x-ratelimit-reset-tokens'] = resetText(t.tokens.resetMs);
  }
  return h;
}

