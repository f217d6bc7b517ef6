/**
 * An upstream request through undici's handler interface (`dispatch`) instead of `request()`: no
 * Readable stream per answer, with its events, body mixin and async iterator. A whole answer's
 * chunks are kept and decoded once; a streamed answer's chunks wait in a small queue until asked
 * for (reading pauses while 16 wait). Failures are those of `request()`: the abort's reason when
 * the attempt is aborted, undici's error when the connection fails.
 */
import { util, type Dispatcher } from 'undici';
import type { AttemptAbort } from '../../lib/attempt-abort.js';

export interface UpstreamRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamAnswer {
  status: number;
  /** The headers of an error answer (status ≥ 400), by lower-case name. */
  errorHeaders?: Record<string, string | string[] | undefined>;
  /** The body of a whole answer, and of any error answer (status ≥ 400). */
  text?: string;
  /** The body of a streamed answer that succeeded. */
  chunks?: ChunkQueue;
}

const PAUSE_AT = 16;

/** A streamed body's chunks as an async iterator; one promise per `next()` and no other. */
export class ChunkQueue implements AsyncIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private failed = false;
  private failure: unknown;
  private waiter: { resolve(r: IteratorResult<Buffer>): void; reject(e: unknown): void } | null = null;
  private paused = false;
  /** undici's resume, given with the headers. */
  resume: (() => void) | null = null;
  /** Aborts the upstream request (undici's abort, given on connect). */
  cancel: ((reason: unknown) => void) | null = null;

  /** Returns false when undici should pause reading. */
  push(chunk: Buffer): boolean {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve({ done: false, value: chunk });
      return true;
    }
    this.queue.push(chunk);
    this.paused = this.queue.length >= PAUSE_AT;
    return !this.paused;
  }

  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ done: true, value: undefined });
  }

  fail(err: unknown): void {
    this.failed = true;
    this.failure = err;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(err);
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.queue.shift();
    if (chunk) {
      if (this.paused && this.queue.length < PAUSE_AT / 4) {
        this.paused = false;
        this.resume?.();
      }
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.failed) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The reader stops early: the rest of the answer is not wanted, so the upstream request is aborted. */
  return(): Promise<IteratorResult<Buffer>> {
    this.queue.length = 0;
    if (!this.ended && !this.failed) {
      this.ended = true;
      this.cancel?.(new RelayStoppedError());
    }
    return Promise.resolve({ done: true, value: undefined });
  }
}

/** Why an answer's reading was stopped by its reader. */
export class RelayStoppedError extends Error {
  override name = 'AbortError';
  constructor() {
    super('the answer was no longer read');
  }
}

/**
 * POSTs `request` and resolves with the answer: once its headers are in for a streamed answer that
 * succeeded (its chunks follow through `chunks`), once it is complete otherwise.
 */
export function dispatchUpstream(agent: Dispatcher, request: UpstreamRequest, abort: AttemptAbort, stream: boolean): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    if (abort.aborted) return reject(abort.reason);
    const collected: Buffer[] = [];
    let answer: UpstreamAnswer | undefined;
    let cancel: ((reason: unknown) => void) | undefined;
    const onAbort = () => cancel?.(abort.reason);
    abort.once('abort', onAbort);
    const done = () => abort.removeListener('abort', onAbort);
    agent.dispatch(
      { origin: request.origin, path: request.path, method: 'POST', headers: request.headers, body: request.body },
      {
        onConnect(abortRequest: (reason: unknown) => void) {
          if (abort.aborted) abortRequest(abort.reason);
          else cancel = abortRequest;
        },
        onHeaders(status: number, rawHeaders: Buffer[], resume: () => void) {
          // Informational answers (103 Early Hints, 100 Continue) come before the real one.
          if (status < 200) return true;
          answer = { status };
          if (status >= 400) answer.errorHeaders = util.parseHeaders(rawHeaders);
          else if (stream) {
            answer.chunks = new ChunkQueue();
            answer.chunks.resume = resume;
            answer.chunks.cancel = cancel ?? null;
            resolve(answer);
          }
          return true;
        },
        onData(chunk: Buffer) {
          if (answer?.chunks) return answer.chunks.push(chunk);
          collected.push(chunk);
          return true;
        },
        onComplete() {
          done();
          if (answer?.chunks) return answer.chunks.end();
          resolve({ ...answer!, text: (collected.length === 1 ? collected[0]! : Buffer.concat(collected)).toString('utf8') });
        },
        onError(err: Error) {
          done();
          if (answer?.chunks) answer.chunks.fail(err);
          else reject(err);
        },
      } as unknown as Parameters<Dispatcher['dispatch']>[1],
    );
  });
}
