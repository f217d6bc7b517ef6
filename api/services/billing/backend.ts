/**
 * The billing backend: the gateway's reserve/settle seam plus balances, grants and the ledger that
 * the credit routes show. Two implementations: the embedded ledger (ledger.ts) and Payment Kit
 * (payment-kit/backend.ts), chosen once at start.
 */
import type { ModelCallRow } from '../../store/models/model-call.js';
import type { FlushHook } from '../recording/call-recorder.js';
import type { GrantView, TransactionView } from '../../wire/credits.js';
import type { Page } from '../../wire/page.js';
import type { CountedList, GrantItem } from '../../wire/user.js';
import type { BillingHooks } from './hooks.js';

export interface CreditBalance {
  userDid: string;
  balanceNano: number;
  /** Held by open reservations. */
  pendingNano: number;
}

export interface GrantRequest {
  userDid: string;
  amountNano: number;
  reason?: string | null;
  expiresAt?: Date | null;
  grantedBy?: string | null;
  source?: 'admin' | 'new_user';
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** A page by number, as AIGNE Hub's `/api/user/credit/*` take them. */
export interface NumberedPage {
  page: number;
  pageSize: number;
}

/** What `/api/user/info` and `/api/user/credit/balance` tell a user (API.md §13). */
export interface CreditSummary {
  /** Spendable now; below 0 when the user owes. */
  balanceNano: number;
  /** Held by calls in flight. */
  pendingNano: number;
  /** Credits of the grants that have not expired. */
  totalNano: number;
  grantCount: number;
  /** Payment Kit's currency of the credits, when it says. */
  currency?: Record<string, unknown>;
}

export interface BillingBackend extends BillingHooks {
  readonly kind: 'ledger' | 'payment-kit';
  /** Where a user tops up (sent with 402), when one is known now. */
  readonly topUpLink?: string;
  /**
   * Where a user buys credits: CREDIT_PAYMENT_LINK, else (Payment Kit, billing on) the link the hub
   * makes sure Payment Kit has; undefined when there is none.
   */
  paymentLink(): Promise<string | undefined>;
  balance(userDid: string): Promise<CreditBalance>;
  summary(userDid: string): Promise<CreditSummary>;
  grantList(userDid: string, page: NumberedPage): Promise<CountedList<GrantItem>>;
  transactionList(userDid: string, page: NumberedPage): Promise<CountedList<TransactionView>>;
  grant(request: GrantRequest): Promise<GrantView>;
  transactions(userDid: string, page: PageRequest): Promise<Page<TransactionView>>;
  /** Gives back what a call was charged (once). */
  refund(modelCallId: string, reason: string | null): Promise<TransactionView>;
  /**
   * Of a settled ModelCall row, the nano-credits still to be reported to an outside meter (0 for
   * the embedded ledger, whose charges are final where they are written).
   */
  reportableNano(row: ModelCallRow): number;
  /** Written in the transaction of each batch of call records (the embedded ledger's charges). */
  readonly flushHook?: FlushHook;
  /** Periodic upkeep: release expired reservations, expire grants, report usage. */
  sweep(now?: Date): Promise<void>;
  /** At start: release what a stopped process left held. */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}
