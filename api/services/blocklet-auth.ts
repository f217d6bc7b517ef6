/**
 * Inside Blocklet Server: accepts the @blocklet/sdk session (DID Connect login token, `blocklet-`
 * access keys) and signed component calls. Imported lazily so that a standalone hub never loads
 * or touches Blocklet-only APIs.
 */
import type { Request, Response } from 'express';
import { AuthenticationError } from '../errors.js';
import type { Caller } from './access-keys.js';
import type { UserService } from './users.js';

type SessionUser = { did: string; role?: string; fullName?: string; method?: string; accessKeyId?: string };

export async function createBlockletAuthenticator(users: UserService): Promise<(req: Request) => Promise<Caller | null>> {
  const known = new Set<string>();
  const { session } = (await import('@blocklet/sdk/lib/middlewares/session.js')) as unknown as {
    session: (o: Record<string, unknown>) => (req: unknown, res: unknown, next: () => void) => Promise<void>;
  };
  const middleware = session({ loginToken: true, accessKey: true, componentCall: true });
  return (req) =>
    new Promise<Caller | null>((resolve, reject) => {
      const target = req as Request & { user?: SessionUser };
      const fakeRes = {
        status: () => fakeRes,
        json: (body: { error?: string }) => reject(new AuthenticationError(body?.error ?? 'Invalid Blocklet session')),
        send: (body: unknown) => reject(new AuthenticationError(typeof body === 'string' ? body : 'Invalid Blocklet session')),
      } as unknown as Response;
      middleware(target, fakeRes, () => {
        const user = target.user;
        if (!user?.did) return resolve(null);
        const role = user.role === 'owner' || user.role === 'admin' ? 'admin' : 'member';
        const caller: Caller = {
          userDid: user.did,
          role,
          keyId: user.accessKeyId ?? `blocklet:${user.did}`,
          appId: null,
          name: user.fullName ?? null,
          limits: null,
          via: user.method === 'componentCall' ? 'component' : 'blocklet',
        };
        // First sight of a Blocklet user creates it (and its new-user credit grant).
        if (known.has(user.did)) return resolve(caller);
        users
          .ensure(user.did, { name: user.fullName ?? null, role })
          .then(() => {
            known.add(user.did);
            resolve(caller);
          }, reject);
      }).catch(reject);
    });
}
