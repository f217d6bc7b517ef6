/**
 * A user's own limits (API.md §14), the ceiling under which their keys may only narrow (§16). Users
 * carry no limits yet: until the limits feature gives them some, this answers none, and the keys a
 * member makes are checked against the calling key's limits alone. The limits feature supplies the
 * real source in routes/index.ts.
 */
import type { KeyLimits } from '../store/models/key-limits.js';

export type UserLimitsSource = (userDid: string) => Promise<KeyLimits | null>;

export const noUserLimits: UserLimitsSource = async () => null;
