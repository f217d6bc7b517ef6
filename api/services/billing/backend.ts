/**
 * The billing backend: the gateway's reserve/settle seam plus balances, grants and the ledger that
 * the credit routes show. Two implementations: the embedded ledger (ledger.ts) and Payment Kit
 * (payment-kit/backend.ts), chosen once at start.
 */
import type { ModelCallRow } from '../../store/models/model-call.js';
import type { FlushHook } from '../recording/call-recorder.js';
import type { GrantView, TransactionView } from '../../wire/credits.js';
import type { Page } from '../../wire/page.js';
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

export interface BillingBackend extends BillingHooks {
  readonly kind: 'ledger' | 'payment-kit';
  /** Where a user tops up (sent with 402), when one is known. */
  readonly topUpLink?: string;
  balance(userDid: string): Promise<CreditBalance>;
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
