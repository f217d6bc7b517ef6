/**
 * API.md §7 credits: `GET /api/user/credits` and `/api/user/credits/transactions` (member: own;
 * admin may pass ?userDid), `POST /api/credits/grants` and `POST /api/credits/refunds` (admin).
 */
import { Router, type Request } from 'express';
import { z } from 'zod/v4';
import { BadRequestError, PermissionDeniedError } from '../errors.js';
import { creditsToNano, nanoToCredits, normalizeDecimal } from '../lib/decimal.js';
import { isAdmin, requireAuth, requireRole } from '../middlewares/auth.js';
import { parseQuery, validateBody } from '../middlewares/validate.js';
import type { BillingBackend } from '../services/billing/backend.js';
import type { UserService } from '../services/users.js';
import type { CreditsAnswer, GrantBody } from '../wire/credits.js';
import { futureDateTime } from './params.js';

export interface CreditRouteDeps {
  billing: BillingBackend;
  users: UserService;
}

/** A positive credit amount, exact to the nano-credit; 400 otherwise. */
export function parseCreditAmount(value: unknown, field = 'amount'): number {
  const normalized = normalizeDecimal(value);
  if (normalized === null) throw new BadRequestError(`${field} must be a positive decimal number of credits (e.g. "12.5")`, { extra: { param: field } });
  let nano: number;
  try {
    nano = creditsToNano(normalized);
  } catch {
    throw new BadRequestError(`${field} is too large`, { extra: { param: field } });
  }
  if (nano <= 0) throw new BadRequestError(`${field} must be greater than 0`, { extra: { param: field } });
  if (nanoToCredits(nano) !== normalized) throw new BadRequestError(`${field} has more than 9 decimal places`, { extra: { param: field } });
  return nano;
}

const grantBody = z.object({
  userDid: z.string().trim().min(1).max(128),
  amount: z.union([z.string(), z.number()], { error: 'must be a decimal string like "12.5"' }),
  reason: z.string().trim().max(500).nullable().optional(),
  expiresAt: futureDateTime,
}) satisfies z.ZodType<GrantBody>;

const refundBody = z.object({
  modelCallId: z.string().trim().min(1).max(64),
  reason: z.string().trim().max(500).nullable().optional(),
});

const transactionsQuery = z.object({
  userDid: z.string().trim().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

const balanceQuery = z.object({ userDid: z.string().trim().min(1).max(128).optional() });

/** The user a request may read: a member only themselves, an admin anyone (`?userDid`). */
export function scopedUserDid(req: Request, requested: string | undefined): string {
  const own = req.ctx.caller!.userDid;
  if (!requested || requested === own) return own;
  if (!isAdmin(req)) throw new PermissionDeniedError("Only an admin may read another user's credits or calls");
  return requested;
}

export function creditRouters(deps: CreditRouteDeps): { path: string; router: Router }[] {
  const { billing, users } = deps;

  const user = Router();
  user.use(requireAuth());
  user.get('/', async (req, res) => {
    const q = parseQuery(balanceQuery, req.query);
    const b = await billing.balance(scopedUserDid(req, q.userDid));
    res.json({
      balance: nanoToCredits(b.balanceNano),
      currency: 'credits',
      pending: nanoToCredits(b.pendingNano),
      ...(billing.topUpLink ? { link: billing.topUpLink } : {}),
    } satisfies CreditsAnswer);
  });
  user.get('/transactions', async (req, res) => {
    const q = parseQuery(transactionsQuery, req.query);
    res.json(await billing.transactions(scopedUserDid(req, q.userDid), { limit: q.limit, cursor: q.cursor }));
  });

  const admin = Router();
  admin.use(requireRole('admin'));
  admin.post('/grants', validateBody(grantBody), async (req, res) => {
    const body = req.body as z.infer<typeof grantBody>;
    const amountNano = parseCreditAmount(body.amount);
    if (!(await users.get(body.userDid))) {
      throw new BadRequestError(`Unknown user '${body.userDid}': a user exists once a key was issued for them or they signed in`, { extra: { param: 'userDid' } });
    }
    const grant = await billing.grant({
      userDid: body.userDid,
      amountNano,
      reason: body.reason ?? null,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
      grantedBy: req.ctx.caller!.userDid,
      source: 'admin',
    });
    res.status(201).json(grant);
  });
  admin.post('/refunds', validateBody(refundBody), async (req, res) => {
    const body = req.body as z.infer<typeof refundBody>;
    res.status(201).json(await billing.refund(body.modelCallId, body.reason ?? null));
  });

  return [
    { path: '/api/user/credits', router: user },
    { path: '/api/credits', router: admin },
  ];
}
