/**
 * What aborts one upstream attempt (client gone, first-byte timeout). The same-wire relay listens to
 * it and aborts its undici request; a real `AbortSignal`, which costs far more per call on Node 20
 * (docs/performance.md), is made only when a provider adapter asks for `signal`.
 */
import { EventEmitter } from 'node:events';

export class AttemptAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  private controller?: AbortController;

  /** An AbortSignal that follows this handle (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.emit('abort');
  }
}
