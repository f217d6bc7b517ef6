/**
 * API.md §13, who am I and what can I spend, in the shape AIGNE clients read: `GET /api/user/info`
 * (the AIGNE CLI's hub status and @blocklet/aigne-hub's `getUserInfo`), and AIGNE Hub's
 * `/api/user/credit/{balance,grants,transactions,payment-link}`, each the caller's own.
 */
import { Router } from 'express';
import { z } from 'zod/v4';
import type { Config } from '../config.js';
import { publicOrigin } from './blocklet-js.js';
import { nanoToCredits } from '../lib/decimal.js';
import { requireAuth } from '../middlewares/auth.js';
import { parseQuery } from '../middlewares/validate.js';
import type { BillingBackend, CreditSummary } from '../services/billing/backend.js';
import type { UserService } from '../services/users.js';
import type { CreditBalanceAnswer, GrantListAnswer, TransactionListAnswer, UserInfoAnswer } from '../wire/user.js';

export interface UserCreditRouteDeps {
  config: Config;
  billing: BillingBackend;
  users: UserService;
  /** What clients put before an amount of credits (`$`, `€`, `¥`, or none). */
  creditPrefix: () => string;
}

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

/** Amounts as AIGNE Hub gives them: what can be spent, and what is owed beyond it. */
function creditBalanceOf(s: CreditSummary): Omit<CreditBalanceAnswer, 'currency'> {
  return {
    balance: nanoToCredits(Math.max(0, s.balanceNano)),
    total: nanoToCredits(s.totalNano),
    grantCount: s.grantCount,
    pendingCredit: nanoToCredits(Math.max(0, -s.balanceNano)),
  };
}

export function userInfoRoutes(deps: UserCreditRouteDeps): Router {
  const { billing } = deps;
  const r = Router();
  r.use(requireAuth());
  r.get('/', async (req, res) => {
    const caller = req.ctx.caller!;
    const user = await deps.users.get(caller.userDid);
    const enableCredit = billing.enabled;
    const [summary, paymentLink] = enableCredit ? await Promise.all([billing.summary(caller.userDid), billing.paymentLink()]) : [null, undefined];
    res.json({
      user: {
        did: caller.userDid,
        // A Blocklet login carries the person's name; a key carries its own.
        fullName: (caller.via === 'blocklet' ? caller.name : user?.name) ?? '',
        email: null,
        avatar: null,
      },
      creditBalance: summary ? creditBalanceOf(summary) : null,
      paymentLink: enableCredit ? (paymentLink ?? null) : null,
      profileLink: `${publicOrigin(deps.config, req).replace(/\/+$/, '')}/#/credits`,
      enableCredit,
      ...(summary?.currency ? { currency: summary.currency } : {}),
      creditPrefix: deps.creditPrefix(),
    } satisfies UserInfoAnswer);
  });
  return r;
}

export function userCreditRoutes(deps: Pick<UserCreditRouteDeps, 'billing'>): Router {
  const { billing } = deps;
  const r = Router();
  r.use(requireAuth());
  r.get('/balance', async (req, res) => {
    const summary = await billing.summary(req.ctx.caller!.userDid);
    res.json({ ...creditBalanceOf(summary), ...(summary.currency ? { currency: summary.currency } : {}) } satisfies CreditBalanceAnswer);
  });
  r.get('/grants', async (req, res) => {
    const page = parseQuery(pageQuery, req.query);
    const result = await billing.grantList(req.ctx.caller!.userDid, page);
    res.json({ ...result, paging: page } satisfies GrantListAnswer);
  });
  r.get('/transactions', async (req, res) => {
    const page = parseQuery(pageQuery, req.query);
    const result = await billing.transactionList(req.ctx.caller!.userDid, page);
    res.json({ ...result, paging: page } satisfies TransactionListAnswer);
  });
  // A JSON string (or null), as AIGNE Hub answers it.
  r.get('/payment-link', async (_req, res) => {
    res.json(billing.enabled ? ((await billing.paymentLink()) ?? null) : null);
  });
  return r;
}
