/** Credentials at rest: sealed with the hub's key, and a masked copy of the same fields for display. */
import { maskSecret, seal, unseal } from '../../lib/crypto.js';
import type { ProviderManifest } from '../../providers/types.js';
import type { AiCredential } from '../../store/models/ai-credential.js';

export interface CredentialVault {
  /** The stored form of a checked credential value. */
  seal(manifest: ProviderManifest, value: Record<string, string>): Pick<AiCredential, 'encryptedValue' | 'maskedValue'>;
  /** Decrypts a stored credential (gateway use only; never serialized). */
  open(row: Pick<AiCredential, 'encryptedValue'>): Record<string, string>;
}

export function createCredentialVault(encryptionKey: Buffer): CredentialVault {
  return {
    seal(manifest, value) {
      const secret = new Set(manifest.credentialFields.filter((f) => f.secret).map((f) => f.key));
      return {
        encryptedValue: seal(JSON.stringify(value), encryptionKey),
        maskedValue: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secret.has(k) ? maskSecret(v) : v])),
      };
    },
    open: (row) => JSON.parse(unseal(row.encryptedValue, encryptionKey)) as Record<string, string>,
  };
}
