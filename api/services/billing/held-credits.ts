/**
 * Credit reservations held in the process, for a database only this process writes (SQLite): every
 * call in flight lives here, and none can outlive a restart, so a reservation needs no row. Per
 * user it keeps the committed balance (read once from credit_accounts, then followed through every
 * commit that changes it), what calls in flight hold, and charges settled but not yet committed.
 * A reservation is a check and an addition in one synchronous step: two calls can never both
 * spend the same credits.
 */
import { newId } from '../../lib/ids.js';

interface Account {
  /** balance − unreported as committed; null until read. */
  committed: number | null;
  loading: Promise<void> | null;
  held: number;
  /** Charged by settled calls whose rows are not committed yet. */
  pending: number;
}

interface Hold {
  userDid: string;
  amountNano: number;
  expiresAt: number;
}

export type HoldResult = { id: string; amountNano: number } | { id: null; availableNano: number };

export class HeldCredits {
  private readonly accounts = new Map<string, Account>();
  private readonly holds = new Map<string, Hold>();

  /** `read` returns the committed balance; it must run in the database's write order (see ledger). */
  constructor(private readonly read: (userDid: string, set: (committedNano: number) => void) => Promise<void>) {}

  private account(userDid: string): Account {
    let a = this.accounts.get(userDid);
    if (!a) this.accounts.set(userDid, (a = { committed: null, loading: null, held: 0, pending: 0 }));
    return a;
  }

  private async loaded(userDid: string): Promise<Account> {
    const a = this.account(userDid);
    while (a.committed === null) {
      a.loading ??= this.read(userDid, (value) => {
        a.committed = value;
      }).finally(() => {
        a.loading = null;
      });
      await a.loading;
    }
    return a;
  }

  /** Holds `amountNano` when the user's available credits cover it (and are above zero). */
  async hold(userDid: string, amountNano: number, expiresAt: number): Promise<HoldResult> {
    const a = await this.loaded(userDid);
    const available = a.committed! - a.held - a.pending;
    if (available < amountNano || available <= 0) return { id: null, availableNano: available };
    a.held += amountNano;
    const id = newId();
    this.holds.set(id, { userDid, amountNano, expiresAt });
    return { id, amountNano };
  }

  /** Ends a hold; returns what it held (0 when it had already expired and been released). */
  release(id: string): number {
    const h = this.holds.get(id);
    if (!h) return 0;
    this.holds.delete(id);
    this.account(h.userDid).held -= h.amountNano;
    return h.amountNano;
  }

  /** A settled call's charge, spent from now on, until its commit (or its loss). */
  addPending(userDid: string, chargeNano: number): void {
    this.account(userDid).pending += chargeNano;
  }

  /** After a commit that changed the user's balance (and wrote `settledNano` of pending charges). */
  committed(userDid: string, committedNano: number, settledNano = 0): void {
    const a = this.accounts.get(userDid);
    if (!a) return;
    a.committed = committedNano;
    a.pending -= settledNano;
  }

  /** Pending charges that will never be committed (their batch failed). */
  dropPending(userDid: string, chargeNano: number): void {
    const a = this.accounts.get(userDid);
    if (a) a.pending -= chargeNano;
  }

  heldNano(userDid: string): number {
    return this.accounts.get(userDid)?.held ?? 0;
  }

  /** Releases holds past their expiry (a call that outlived the reservation TTL). */
  releaseExpired(now = Date.now()): number {
    let released = 0;
    for (const [id, h] of this.holds) {
      if (h.expiresAt <= now) {
        this.release(id);
        released += 1;
      }
    }
    return released;
  }
}
