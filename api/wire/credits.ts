/** API.md §7: credits. Amounts are decimal strings. */
import type { DecimalInput } from './page.js';

/** `GET /api/user/credits`. */
export interface CreditsAnswer {
  balance: string;
  currency: 'credits';
  /** Held by calls in flight. */
  pending: string;
  /** Where to top up, when the hub knows one. */
  link?: string;
}

/** A ledger entry of `GET /api/user/credits/transactions` (a Page of them). */
export interface TransactionView {
  id: string;
  type: string;
  /** Signed: grants and refunds positive, charges and expiries negative. */
  amount: string;
  balance: string | null;
  reason: string | null;
  modelCallId: string | null;
  grantId: string | null;
  createdAt: string;
}

/** `POST /api/credits/grants`. */
export interface GrantBody {
  userDid: string;
  amount: DecimalInput;
  reason?: string | null;
  /** ISO 8601 date-time in the future. */
  expiresAt?: string | null;
}

/** `POST /api/credits/grants` answers 201 with the grant. */
export interface GrantView {
  id: string;
  userDid: string;
  amount: string;
  reason: string | null;
  expiresAt: string | null;
  createdAt: string;
  /** The user's balance right after the grant, when the backend knows it. */
  balance?: string;
}
