import { Router } from 'express';
import { z } from 'zod/v4';
import { AuthenticationError } from '../errors.js';
import { validateBody } from '../middlewares/validate.js';
import type { AccessKeyService } from '../services/access-keys.js';
import { SESSION_COOKIE, type SessionCodec } from '../services/sessions.js';
import type { LoginBody, LogoutAnswer, SessionAnswer } from '../wire/session.js';

const login = z.object({ key: z.string().min(1).max(300) }).strict() satisfies z.ZodType<LoginBody>;

/** API.md §1 browser sessions. */
export function authRoutes(deps: { accessKeys: AccessKeyService; sessions: SessionCodec; secureCookies: boolean }): Router {
  const r = Router();
  r.post('/login', validateBody(login), async (req, res) => {
    const caller = await deps.accessKeys.authenticate((req.body as z.infer<typeof login>).key);
    if (!caller) throw new AuthenticationError('Invalid, expired or revoked access key', { code: 'invalid_api_key' });
    const session = deps.sessions.issue(caller.keyId);
    res.cookie(SESSION_COOKIE, session.value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      path: '/',
      expires: session.expires,
    });
    res.json({ user: { did: caller.userDid, name: caller.name, role: caller.role } } satisfies SessionAnswer);
  });
  r.post('/logout', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookies });
    res.json({ ok: true } satisfies LogoutAnswer);
  });
  r.get('/session', (req, res) => {
    const caller = req.ctx.caller;
    if (!caller) throw new AuthenticationError('Not logged in', { code: 'no_session' });
    res.json({ user: { did: caller.userDid, name: caller.name, role: caller.role } } satisfies SessionAnswer);
  });
  return r;
}
