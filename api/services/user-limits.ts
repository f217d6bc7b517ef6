/** A user's own limits (API.md §14): the ceiling under which the keys they make may only narrow (§16). */
import type { KeyLimits } from '../store/models/key-limits.js';

export type UserLimitsSource = (userDid: string) => Promise<KeyLimits | null>;
