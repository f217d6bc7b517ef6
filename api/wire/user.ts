/** API.md §13 and §16: who the caller is, what they can spend, their own keys, and apps that ask for one. */
import type { GrantView, TransactionView } from './credits.js';
import type { AccessKeyView } from './keys.js';
import type { KeyLimits } from './limits.js';

/** `GET /api/user/credit/balance`, and `creditBalance` of `/api/user/info`: decimal strings. */
export interface CreditBalanceAnswer {
  /** What can be spent now. */
  balance: string;
  /** Credits of the grants that have not expired. */
  total: string;
  grantCount: number;
  /** Owed beyond the balance (usage not yet covered). */
  pendingCredit: string;
  /** Payment Kit's currency of the credits, when it says. */
  currency?: Record<string, unknown>;
}

/** `GET /api/user/info`, in the shape the AIGNE CLI and @blocklet/aigne-hub read. */
export interface UserInfoAnswer {
  user: { did: string; fullName: string; email: string | null; avatar: string | null };
  /** Null with credit billing off. */
  creditBalance: Omit<CreditBalanceAnswer, 'currency'> | null;
  paymentLink: string | null;
  profileLink: string | null;
  enableCredit: boolean;
  currency?: Record<string, unknown>;
  /** What to write before an amount of credits (`$`, `€`, `¥`), or nothing. */
  creditPrefix: string;
}

/** A grant as `/api/user/credit/grants` lists it. */
export interface GrantItem extends GrantView {
  /** `granted` or `expired` (Payment Kit also says `depleted`, `pending`, `voided`). */
  status: string;
}

/** `/api/user/credit/grants` and `/transactions`, by page number as AIGNE Hub pages them. */
export interface CountedList<T> {
  count: number;
  list: T[];
}

export interface NumberedListAnswer<T> extends CountedList<T> {
  paging: { page: number; pageSize: number };
}

export type GrantListAnswer = NumberedListAnswer<GrantItem>;
export type TransactionListAnswer = NumberedListAnswer<TransactionView>;

/** `GET /api/user/access-keys`: the caller's keys with their calls and credits since `since` (this UTC month). */
export interface OwnKeyView extends AccessKeyView {
  usage: { since: string; calls: number; credits: string };
}

/** `POST /api/user/access-keys`. */
export interface OwnKeyBody {
  name: string;
  /** ISO 8601 date-time in the future. */
  expiresAt?: string | null;
  limits?: KeyLimits | null;
}

/** `POST /api/auth/authorize`: what the /auth/authorize page sends when the user approves. */
export interface AuthorizeBody {
  callback_url: string;
  code_challenge: string;
  code_challenge_method: 'S256';
  app_name: string;
  limits?: KeyLimits | null;
  state?: string;
}

/** Where to send the browser: the app's callback with `code` (and `state`). */
export interface AuthorizeAnswer {
  redirectUrl: string;
}

/** `POST /api/auth/keys`. */
export interface KeyExchangeBody {
  code: string;
  code_verifier: string;
}

export interface KeyExchangeAnswer {
  key: string;
  userDid: string;
}
