/** One small live call that proves a credential works before it is stored. */
import { BadRequestError, ProviderError } from '../../errors.js';
import { getProviderModule } from '../../providers/registry.js';
import type { CredentialValidator } from './credentials.js';

export function createCredentialValidator(timeoutMs: number): CredentialValidator {
  return async (provider, manifest, credential) => {
    const adapter = getProviderModule(manifest.id)?.adapter;
    if (!adapter?.chat || !manifest.testModel) return;
    const signal = AbortSignal.timeout(Math.min(timeoutMs, 30_000));
    try {
      const stream = adapter.chat(
        { model: manifest.testModel, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 },
        { baseUrl: provider.baseUrl ?? manifest.defaultBaseUrl, region: provider.region ?? undefined, credential, config: provider.config ?? undefined },
        { signal },
      );
      for await (const _event of stream) {
        // Drain: the call must complete for the credential to count as valid.
      }
    } catch (err) {
      const reason = err instanceof ProviderError || err instanceof Error ? err.message : String(err);
      const status = err instanceof ProviderError && err.status ? ` (upstream status ${err.status})` : '';
      throw new BadRequestError(`The credential was rejected by ${manifest.displayName}${status}: ${reason}`, { code: 'credential_invalid' });
    }
  };
}
