/** The credential encryption key: AIGNE_HUB_SECRET, else <dataDir>/secret.key (generated, 0600). */
import fs from 'node:fs';
import path from 'node:path';
import { deriveKey, randomToken } from '../lib/crypto.js';

function resolveSecret(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomToken(32);
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

export function loadEncryptionKey(dataDir: string, configured?: string): Buffer {
  return deriveKey(resolveSecret(dataDir, configured));
}
