import { Router, type CookieOptions, type Request } from 'express';
import { z } from 'zod/v4';
import { AuthenticationError } from '../errors.js';
import { validateBody } from '../middlewares/validate.js';
import type { AccessKeyService } from '../services/access-keys.js';
import type { LoginThrottle } from '../services/login-throttle.js';
import { SESSION_COOKIE, type SessionService } from '../services/sessions.js';
import type { LoginBody, LogoutAnswer, SessionAnswer } from '../wire/session.js';

const login = z.object({ key: z.string().min(1).max(300) }).strict() satisfies z.ZodType<LoginBody>;

/** `Secure` whenever the browser reached the hub over HTTPS (directly or through a trusted proxy). */
const cookieOptions = (req: Request): CookieOptions => ({ httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });

/** API.md §1 browser sessions. */
export function authRoutes(deps: { accessKeys: AccessKeyService; sessions: SessionService; loginThrottle: LoginThrottle }): Router {
  const r = Router();
  r.post('/login', validateBody(login), async (req, res) => {
    const { key } = req.body as z.infer<typeof login>;
    await deps.loginThrottle.check(req.ip, key);
    const caller = await deps.accessKeys.authenticate(key);
    if (!caller) {
      await deps.loginThrottle.failed(req.ip, key);
      throw new AuthenticationError('Invalid, expired or revoked access key', { code: 'invalid_api_key' });
    }
    const session = await deps.sessions.open(caller);
    res.cookie(SESSION_COOKIE, session.value, { ...cookieOptions(req), expires: session.expires });
    res.json({ user: { did: caller.userDid, name: caller.name, role: caller.role } } satisfies SessionAnswer);
  });
  r.post('/logout', async (req, res) => {
    const value = req.cookies?.[SESSION_COOKIE];
    if (typeof value === 'string') await deps.sessions.close(value);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.json({ ok: true } satisfies LogoutAnswer);
  });
  r.get('/session', (req, res) => {
    const caller = req.ctx.caller;
    if (!caller) throw new AuthenticationError('Not logged in', { code: 'no_session' });
    res.json({ user: { did: caller.userDid, name: caller.name, role: caller.role } } satisfies SessionAnswer);
  });
  return r;
}
