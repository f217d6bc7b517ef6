/**
 * The steps every whole-answer media call (embeddings, images, audio, video) shares: its attempts
 * through one capability of the provider's adapter, then its usage, its settlement and its first byte.
 */
import { ProviderError } from '../errors.js';
import type { PricedUsage } from '../services/billing/pricing.js';
import type { AttemptInput } from '../services/gateway/failover.js';
import type { ModelCall } from '../services/gateway/model-call.js';

/** Runs a call's attempts; a call that gets no answer is settled as failed. */
export async function settle<T>(call: ModelCall, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    await call.fail(err);
    throw err;
  }
}

type Adapter = AttemptInput['candidate']['provider']['module']['adapter'];

/**
 * The answer of `capability` of each candidate's adapter in turn (a provider without it fails the
 * attempt as `<provider> <lacks>`), charged for `usageOf(answer)` and settled before it is returned.
 */
export async function runMediaCall<K extends keyof Adapter, T>(
  call: ModelCall,
  capability: K,
  lacks: string,
  attempt: (adapter: Adapter & Required<Pick<Adapter, K>>, input: AttemptInput) => Promise<T>,
  usageOf: (answer: T) => { usage: Partial<PricedUsage>; estimated?: boolean },
): Promise<T> {
  const { value } = await settle(call, () =>
    call.run((input) => {
      const adapter = input.candidate.provider.module.adapter;
      if (!adapter[capability]) throw new ProviderError(`${input.candidate.provider.displayName} ${lacks}`, { kind: 'protocol' });
      return attempt(adapter as Adapter & Required<Pick<Adapter, K>>, input);
    }),
  );
  const { usage, estimated } = usageOf(value);
  call.setUsage(usage, estimated);
  await call.succeed();
  return value;
}
