/** AES-256-GCM sealing of secrets, key hashing and random tokens. No domain imports. */
import { createCipheriv, createDecipheriv, hash, randomBytes, timingSafeEqual, scryptSync } from 'node:crypto';

const VERSION = 'v1';

/** Derives the 32-byte encryption key from the configured secret. */
export function deriveKey(secret: string): Buffer {
  return scryptSync(secret, 'aigne-hub:credentials', 32);
}

/** Encrypts a UTF-8 string; the result is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function seal(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
}

export function unseal(sealed: string, key: Buffer): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('Malformed sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

export function sha256(value: string): string {
  return hash('sha256', value, 'hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A random token with `bytes` bytes of entropy, base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Masks a secret for display: never more than the first 4 and last 4 characters. */
export function maskSecret(value: string): string {
  if (value.length <= 8) return '****';
  if (value.length < 16) return `${value.slice(0, 2)}****${value.slice(-2)}`;
  return `${value.slice(0, 4)}****${value.slice(-4)}`;
}
