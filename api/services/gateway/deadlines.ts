/**
 * First-byte deadlines of upstream attempts. Every attempt has the same timeout, so deadlines fall
 * in the order attempts start: one list in that order and one timer for the earliest, instead of a
 * Node timer per attempt (docs/performance.md). A timer left over from an entry removed early fires,
 * finds nothing due and waits for the new earliest deadline, if any.
 */
export interface Deadline {
  /** When it falls due (performance.now() ms). */
  readonly at: number;
  prev: Deadline | null;
  next: Deadline | null;
  onDue: (() => void) | null;
}

export class Deadlines {
  private head: Deadline | null = null;
  private tail: Deadline | null = null;
  /** Whether a timer is set (for the earliest deadline when it was set). */
  private armed = false;

  constructor(readonly timeoutMs: number) {}

  /** Calls `onDue` once `timeoutMs` have passed, unless the deadline is removed first. */
  add(onDue: () => void): Deadline {
    const d: Deadline = { at: performance.now() + this.timeoutMs, prev: this.tail, next: null, onDue };
    if (this.tail) this.tail.next = d;
    else this.head = d;
    this.tail = d;
    if (!this.armed) this.arm(d.at);
    return d;
  }

  remove(d: Deadline): void {
    if (d.onDue === null) return;
    d.onDue = null;
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.tail = d.prev;
    d.prev = d.next = null;
  }

  private arm(at: number): void {
    this.armed = true;
    setTimeout(() => this.fire(), Math.max(0, Math.ceil(at - performance.now()))).unref();
  }

  private fire(): void {
    this.armed = false;
    const now = performance.now();
    while (this.head && this.head.at <= now) {
      const d = this.head;
      const onDue = d.onDue!;
      this.remove(d);
      onDue();
    }
    if (this.head) this.arm(this.head.at);
  }
}
