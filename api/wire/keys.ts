/** API.md §6: access keys and apps. */
import type { KeyLimits } from './limits.js';
import type { Role } from './session.js';

export interface AccessKeyView {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart. */
  keyPrefix: string;
  userDid: string;
  role: Role;
  appId: string | null;
  /** API.md §14 limits of the key's own; null: none beyond its user's. */
  limits: KeyLimits | null;
  expiresAt: string | null;
  /** Set once the key is revoked; revoked keys stay listed. */
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** `POST /api/access-keys`: the only answer that carries the key itself. */
export interface CreatedAccessKey extends AccessKeyView {
  key: string;
}

export interface AccessKeyBody {
  name: string;
  userDid?: string;
  role?: Role;
  appId?: string | null;
  /** ISO 8601 date-time in the future. */
  expiresAt?: string | null;
  limits?: KeyLimits | null;
}

export interface AppView {
  id: string;
  name: string;
  did: string;
  /** API.md §14 limits of the app; null: none. */
  limits: KeyLimits | null;
  createdAt: string;
}

export interface AppBody {
  name: string;
  did?: string;
}
