/**
 * The failover loop: tries candidates (providers by rank) and, within each, credentials by smooth
 * weighted round-robin, until one attempt produces its first data. A retryable failure or a
 * refused credential moves on; a request the upstream calls bad stops at once.
 */
import {
  AppError,
  BadRequestError,
  ClientAbortedError,
  ModelNotFoundError,
  NoAvailableProviderError,
  PayloadTooLargeError,
  ProviderError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../errors.js';
import { toProviderError } from '../../providers/shared/provider-error.js';
import type { ProviderTarget } from '../../providers/types.js';
import { redactSecrets } from '../../lib/redact.js';
import { AttemptAbort } from '../../lib/attempt-abort.js';
import type { Deadlines } from './deadlines.js';
import type { CallRecord } from './call-record.js';
import { pickCredential, recordFailure, recordSuccess, type CredentialChange } from './credential-pool.js';
import { targetOf, type Candidate } from './routing.js';

export const MAX_ATTEMPTS = 8;

export interface AttemptInput {
  candidate: Candidate;
  credentialId: string;
  target: ProviderTarget;
  /** Aborted on client disconnect, or on the first-byte timeout (undici takes it as its signal). */
  abort: AttemptAbort;
  /** The same as an AbortSignal, for provider adapters (made when first read). */
  readonly signal: AbortSignal;
  /** Downloads an image URL the adapter must send as bytes (one download per call, every attempt). */
  fetchImage?: (url: string) => Promise<{ data: string; mimeType?: string }>;
}

export interface AttemptResult<T> {
  value: T;
  candidate: Candidate;
  credentialId: string;
}

/**
 * The client's side of a call: whether it went away (set by the call; failover only reads it), and
 * the attempt to abort when it does (the attempt in progress, then the answering one while its
 * answer is relayed).
 */
export interface ClientLink {
  closed: boolean;
  attempt?: AttemptAbort;
}

export interface FailoverDeps {
  /** The first-byte timeout of every attempt (`timeoutMs`, the upstream timeout). */
  deadlines: Deadlines;
  onCredentialChange(change: CredentialChange, candidate: Candidate): void;
}

class TimeoutReason extends Error {
  constructor() {
    super('upstream timeout');
  }
}

function describe(err: ProviderError, candidate: Candidate, secrets: string[]): string {
  const who = candidate.provider.displayName;
  const message = redactSecrets(err.message, secrets);
  if (err.kind === 'timeout') return `${who} did not answer in time`;
  if (err.kind === 'connection') return `${who} could not be reached (${message})`;
  if (err.status) return `${who} answered ${err.status}: ${message}`;
  return `${who} failed: ${message}`;
}

/** Upstream verdicts on the request itself: reported to the client, not failed over. */
function clientError(err: ProviderError, candidate: Candidate, model: string, secrets: string[]): AppError | null {
  if (err.kind !== 'http' || err.retryable || err.isAuthFailure || !err.status) return null;
  const msg = `${candidate.provider.displayName} rejected the request: ${redactSecrets(err.message, secrets)}`;
  if (err.status === 404) {
    const e = new ModelNotFoundError(model);
    return new AppError(404, 'model_not_found', `${e.message} (${msg})`, { code: 'model_not_found' });
  }
  if (err.status === 413) return new PayloadTooLargeError(msg);
  if (err.status === 402) return new UpstreamError(msg, { code: 'upstream_payment_required' });
  return new BadRequestError(msg, { code: 'upstream_rejected_request' });
}

export async function runWithFailover<T>(
  deps: FailoverDeps,
  candidates: Candidate[],
  record: CallRecord,
  client: ClientLink,
  attempt: (input: AttemptInput) => Promise<T>,
): Promise<AttemptResult<T>> {
  const failures: string[] = [];
  let timeouts = 0;
  let lastError: ProviderError | undefined;

  for (const candidate of candidates) {
    const tried = new Set<string>();
    while (record.attempts < MAX_ATTEMPTS) {
      if (client.closed) throw new ClientAbortedError();
      const credential = pickCredential(candidate.provider.credentials, tried);
      if (!credential) break;
      tried.add(credential.id);
      record.attempts += 1;
      record.providerId = candidate.provider.id;
      record.providerName = candidate.provider.name;
      record.credentialId = credential.id;

      const abort = new AttemptAbort();
      client.attempt = abort;
      const deadline = deps.deadlines.add(() => abort.abort(new TimeoutReason()));
      const startedAt = performance.now();
      try {
        const value = await attempt({
          candidate,
          credentialId: credential.id,
          target: targetOf(candidate.provider, credential.id),
          abort,
          get signal() {
            return abort.signal;
          },
        });
        deps.deadlines.remove(deadline);
        record.providerTtfb = performance.now() - startedAt;
        const change = recordSuccess(credential);
        if (change) deps.onCredentialChange(change, candidate);
        return { value, candidate, credentialId: credential.id };
      } catch (raw) {
        deps.deadlines.remove(deadline);
        client.attempt = undefined;
        if (client.closed) throw new ClientAbortedError();
        // Only an upstream's own answer counts against a credential: the hub's verdicts on the request
        // (an image it may not fetch, a request it cannot serialize) are the caller's, answered at once.
        if (raw instanceof AppError) throw raw;
        if (raw instanceof RangeError || (raw instanceof ProviderError && raw.kind === 'protocol' && raw.cause instanceof RangeError)) {
          throw new BadRequestError('The request is too large or too deeply nested to be sent upstream', { code: 'request_too_complex' });
        }
        let err = raw instanceof ProviderError ? raw : toProviderError(raw);
        if (abort.reason instanceof TimeoutReason) {
          err = new ProviderError(`no answer within ${deps.deadlines.timeoutMs} ms`, { kind: 'timeout' });
        }
        lastError = err;
        if (err.kind === 'timeout') timeouts += 1;
        const secrets = Object.values(candidate.provider.secrets.get(credential.id) ?? {});
        failures.push(describe(err, candidate, secrets));
        const stop = clientError(err, candidate, record.model, secrets);
        deps.onCredentialChange(recordFailure(credential, err), candidate);
        if (stop) throw stop;
      }
    }
  }

  if (!lastError) {
    throw new NoAvailableProviderError(`No credential for '${record.model}' is usable right now (all cooling down or disabled)`, 30);
  }
  if (timeouts === failures.length) {
    throw new UpstreamTimeoutError(`The upstream did not answer within ${deps.deadlines.timeoutMs} ms (${failures.length} attempt${failures.length > 1 ? 's' : ''})`);
  }
  const summary = failures.length === 1 ? failures[0] : `all ${failures.length} attempts failed; last: ${failures[failures.length - 1]}`;
  throw new UpstreamError(`Upstream error: ${summary}`, { code: lastError.status ? `upstream_${lastError.status}` : `upstream_${lastError.kind}` });
}
