/**
 * Authentication (API.md §1): Bearer access key, the hub's session cookie, and — inside Blocklet
 * Server only — the @blocklet/sdk session (login token, blocklet access key, component call).
 * `authenticate` only identifies the caller; `requireAuth` and `requireRole` reject.
 */
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError, PermissionDeniedError } from '../errors.js';
import type { AccessKeyService, Caller } from '../services/access-keys.js';
import { SESSION_COOKIE, type SessionService } from '../services/sessions.js';
import type { Role } from '../store/models/user.js';
import { withExpressApi } from '../lib/express-api.js';

export type BlockletAuthenticator = (req: Request) => Promise<Caller | null>;

export interface AuthOptions {
  accessKeys: AccessKeyService;
  sessions: SessionService;
  /** Present only inside Blocklet Server. */
  blocklet?: BlockletAuthenticator;
}

/** The access key: `Authorization: Bearer <key>`, or `x-api-key: <key>` as Anthropic's clients send it. */
function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) {
    const key = req.headers['x-api-key'];
    return typeof key === 'string' && key ? key.trim() : undefined;
  }
  const m = /^Bearer\s+(.+)$/i.exec(header);
  return m ? m[1]!.trim() : undefined;
}

export function authenticate(options: AuthOptions) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (token !== undefined) {
      const caller = await options.accessKeys.authenticate(token);
      if (caller) {
        req.ctx.caller = caller;
        return next();
      }
      if (!options.blocklet || token.startsWith('aigne_')) {
        return next(new AuthenticationError('Invalid, expired or revoked access key', { code: 'invalid_api_key' }));
      }
    }
    const session = req.cookies?.[SESSION_COOKIE];
    if (typeof session === 'string' && session) {
      const caller = await options.sessions.resolve(session);
      if (caller) {
        req.ctx.caller = caller;
        return next();
      }
    }
    if (options.blocklet) {
      try {
        // The SDK's session check reads the request through Express's methods (`req.get`, `req.query`).
        withExpressApi(req);
        req.ctx.caller = await options.blocklet(req);
      } catch (err) {
        return next(err);
      }
      if (!req.ctx.caller && token !== undefined) return next(new AuthenticationError('Invalid or expired token'));
    }
    next();
  };
}

export function requireAuth() {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.ctx.caller) return next(new AuthenticationError('Authentication required: send Authorization: Bearer <access key>', { code: 'missing_api_key' }));
    next();
  };
}

export function requireRole(role: Role) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const caller = req.ctx.caller;
    if (!caller) return next(new AuthenticationError('Authentication required: send Authorization: Bearer <access key>', { code: 'missing_api_key' }));
    if (role === 'admin' && caller.role !== 'admin') return next(new PermissionDeniedError('This route needs an admin'));
    next();
  };
}

export const isAdmin = (req: Request): boolean => req.ctx.caller?.role === 'admin';
