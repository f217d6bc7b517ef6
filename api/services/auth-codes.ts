/**
 * Apps that ask a user for a key (API.md §16, OAuth 2.0 PKCE as RFC 7636 has it): the signed-in
 * user approves, the app gets a one-time code on its callback, and trades it with the verifier
 * behind its challenge for a member key of that user whose `appId` names the app. Codes are kept as
 * sha256 only and live five minutes.
 */
import { createHash } from 'node:crypto';
import { Op, QueryTypes } from 'sequelize';
import { BadRequestError } from '../errors.js';
import { randomToken, safeEqual, sha256 } from '../lib/crypto.js';
import type { Logger } from '../lib/logger.js';
import type { Models } from '../store/models/index.js';
import type { KeyLimits } from '../store/models/key-limits.js';
import { writeTransaction } from '../store/write-transaction.js';
import type { AccessKeyService } from './access-keys.js';
import type { UserService } from './users.js';

const AUTH_CODE_TTL_MS = 5 * 60_000;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface ApproveInput {
  userDid: string;
  appName: string;
  callbackUrl: URL;
  codeChallenge: string;
  limits: KeyLimits | null;
  state?: string;
}

export interface AuthCodeService {
  /** Issues a one-time code and answers where to send the browser with it. */
  approve(input: ApproveInput): Promise<{ redirectUrl: string }>;
  /** Trades a code and its verifier for a new key (400 for a wrong verifier, a used or expired code). */
  exchange(code: string, codeVerifier: string): Promise<{ key: string; userDid: string; keyId: string; appId: string }>;
}

const challengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

const refused = (message: string, code: string) => new BadRequestError(message, { code });

export function createAuthCodeService(deps: {
  models: Models;
  users: UserService;
  accessKeys: AccessKeyService;
  logger: Logger;
  maxKeysPerUser: number;
}): AuthCodeService {
  const { models } = deps;
  const now = () => Date.now();
  const sequelize = models.AuthCode.sequelize!;

  return {
    async approve(input) {
      const code = randomToken(32);
      const at = new Date(now());
      // Codes are kept a day past their expiry (a replay then reads as used or expired, not unknown).
      await models.AuthCode.destroy({ where: { expiresAt: { [Op.lt]: new Date(at.getTime() - 86_400_000) } } });
      await models.AuthCode.create({
        codeHash: sha256(code),
        userDid: input.userDid,
        appName: input.appName,
        callbackUrl: input.callbackUrl.href,
        codeChallenge: input.codeChallenge,
        limits: input.limits,
        expiresAt: new Date(at.getTime() + AUTH_CODE_TTL_MS),
        usedAt: null,
        accessKeyId: null,
        createdAt: at,
        updatedAt: at,
      });
      const redirect = new URL(input.callbackUrl.href);
      redirect.searchParams.set('code', code);
      if (input.state !== undefined) redirect.searchParams.set('state', input.state);
      return { redirectUrl: redirect.href };
    },

    async exchange(code, codeVerifier) {
      if (!VERIFIER.test(codeVerifier)) throw refused('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)', 'invalid_code_verifier');
      const codeHash = sha256(code);
      const row = await models.AuthCode.findByPk(codeHash);
      if (!row) throw refused('Unknown code', 'invalid_code');
      const verified = safeEqual(challengeOf(codeVerifier), row.codeChallenge);
      if (row.usedAt) {
        // RFC 6749 §4.1.2: a code used twice takes back what it gave (only its own app can tell, by the verifier).
        if (verified && row.accessKeyId) {
          await deps.accessKeys.revoke(row.accessKeyId).catch(() => {});
          deps.logger.warn('an authorize code was presented again: the key issued for it is revoked', { userDid: row.userDid, accessKeyId: row.accessKeyId });
        }
        throw refused('This code was already used', 'code_used');
      }
      if (row.expiresAt.getTime() <= now()) throw refused('This code has expired (codes live 5 minutes)', 'code_expired');
      if (!verified) throw refused('code_verifier does not match the code_challenge', 'invalid_code_verifier');

      await deps.users.ensure(row.userDid);
      const created = await writeTransaction(sequelize, async (transaction) => {
        const usedAt = new Date(now());
        // One exchange per code, also when two race: the update that finds it unused wins.
        const [, changed] = await sequelize.query(`UPDATE auth_codes SET "usedAt" = :usedAt, "updatedAt" = :usedAt WHERE "codeHash" = :codeHash AND "usedAt" IS NULL`, {
          replacements: { usedAt, codeHash },
          type: QueryTypes.UPDATE,
          transaction,
        });
        if (!changed) throw refused('This code was already used', 'code_used');
        const key = await deps.accessKeys.create(
          { name: row.appName, userDid: row.userDid, role: 'member', appId: row.appName, limits: row.limits },
          { maxLive: deps.maxKeysPerUser, transaction },
        );
        await models.AuthCode.update({ accessKeyId: key.id }, { where: { codeHash }, transaction });
        return key;
      });
      return { key: created.key, userDid: created.userDid, keyId: created.id, appId: row.appName };
    },
  };
}
