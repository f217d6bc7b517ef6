/**
 * API.md §16, apps that ask a user for a key: `POST /api/auth/authorize` is what the SPA's
 * /auth/authorize page sends when the signed-in user approves (it answers where to send the
 * browser); `POST /api/auth/keys` is public and trades the one-time code and its verifier for the key.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod/v4';
import { BadRequestError, ConflictError } from '../errors.js';
import { parseCallbackUrl } from '../lib/callback-url.js';
import { requireAuth } from '../middlewares/auth.js';
import { validateBody } from '../middlewares/validate.js';
import type { AccessKeyService } from '../services/access-keys.js';
import type { AuthCodeService } from '../services/auth-codes.js';
import { keyLimitsSchema } from '../services/key-limits.js';
import type { UserLimitsSource } from '../services/user-limits.js';
import type { AuthorizeAnswer, KeyExchangeAnswer } from '../wire/user.js';
import { ownKeyLimits, requireOwnerCaller } from './user-keys.js';

// Printable text without control characters: the name is shown to the user and stored as the key's app.
const APP_NAME = /^[^\p{Cc}\p{Cf}]+$/u;

const authorizeBody = z
  .object({
    callback_url: z.string().min(1).max(2048),
    code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url SHA-256 of the code_verifier (43 characters)'),
    code_challenge_method: z.literal('S256', { error: 'must be S256' }),
    app_name: z.string().trim().min(1).max(100).regex(APP_NAME, 'may not contain control characters'),
    limits: keyLimitsSchema.nullable().optional(),
    state: z.string().max(500).optional(),
  })
  .strict();

const exchangeBody = z.object({ code: z.string().min(1).max(200), code_verifier: z.string().min(1).max(200) }).strict();

export interface AuthKeyRouteDeps {
  accessKeys: AccessKeyService;
  authCodes: AuthCodeService;
  userLimits: UserLimitsSource;
  maxKeysPerUser: number;
}

export function authorizeHandlers(deps: AuthKeyRouteDeps): RequestHandler[] {
  return [
    requireAuth(),
    validateBody(authorizeBody),
    async (req, res) => {
      requireOwnerCaller(req);
      const body = req.body as z.infer<typeof authorizeBody>;
      const callback = parseCallbackUrl(body.callback_url);
      if ('problem' in callback) throw new BadRequestError(`callback_url ${callback.problem}`, { code: 'invalid_callback_url', extra: { param: 'callback_url' } });
      const limits = await ownKeyLimits(req, deps, body.limits);
      // Said now, while the user is on the page, rather than to the app at the exchange.
      const userDid = req.ctx.caller!.userDid;
      const live = (await deps.accessKeys.list({ userDid })).filter((k) => !k.revokedAt && (!k.expiresAt || new Date(k.expiresAt).getTime() > Date.now()));
      if (live.length >= deps.maxKeysPerUser) {
        throw new ConflictError(`You have ${live.length} live keys, the most a user may have (${deps.maxKeysPerUser}): revoke one first`, { code: 'too_many_keys' });
      }
      const approved = await deps.authCodes.approve({ userDid, appName: body.app_name, callbackUrl: callback.url, codeChallenge: body.code_challenge, limits, state: body.state });
      res.status(201).json(approved satisfies AuthorizeAnswer);
    },
  ];
}

export function exchangeHandlers(deps: Pick<AuthKeyRouteDeps, 'authCodes'>): RequestHandler[] {
  return [
    validateBody(exchangeBody),
    async (req, res) => {
      const body = req.body as z.infer<typeof exchangeBody>;
      const { key, userDid } = await deps.authCodes.exchange(body.code, body.code_verifier);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ key, userDid } satisfies KeyExchangeAnswer);
    },
  ];
}
