/** The seam between the gateway and billing: reserve before the upstream call, settle after. */
import type { CallRecord } from '../gateway/call-record.js';
import type { Candidate } from '../gateway/routing.js';

export interface Reservation {
  id: string;
  amountNano: number;
}

export interface ReserveRequest {
  record: CallRecord;
  candidates: Candidate[];
  /** The most the call can plausibly cost, in nano-credits. */
  maxCostNano: number;
}

export interface BillingHooks {
  readonly enabled: boolean;
  /** Throws InsufficientCreditsError (402) when the caller cannot cover `maxCostNano`. */
  reserve(request: ReserveRequest): Promise<Reservation | null>;
  /** Charges `record.creditsNano` and releases the rest of the reservation. */
  settle(record: CallRecord, reservation: Reservation | null): Promise<void>;
}

