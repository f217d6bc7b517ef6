/**
 * Files the hub answers as URLs it serves itself (API.md §12): generated images, videos and speech
 * kept under `<dataDir>/media/` for MEDIA_RETENTION_DAYS, each under an unguessable name (24 random
 * bytes) that is its only key — /api/media/<name> needs no login, as the URLs of providers' files.
 * Several instances need the directory on a volume they share.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';

const DAY_MS = 86_400_000;
const SWEEP_EVERY_MS = 60 * 60_000;

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
};
const TYPE = Object.fromEntries(Object.entries(EXT).map(([type, ext]) => [ext, type]));
const NAME = /^[0-9a-f]{48}\.([a-z0-9]{1,5})$/;

export interface MediaFile {
  path: string;
  mimeType: string;
  size: number;
}

export interface MediaStore {
  /** Keeps the bytes; resolves to the file's name (for `/api/media/<name>`). */
  save(data: Buffer, mimeType: string): Promise<string>;
  /** The kept file of that name, or null (unknown, malformed or expired). */
  open(name: string): Promise<MediaFile | null>;
  sweep(now?: number): Promise<number>;
  close(): void;
}

export function createMediaStore(dataDir: string, retentionDays: number, logger: Logger): MediaStore {
  const dir = path.join(dataDir, 'media');
  const maxAge = retentionDays * DAY_MS;
  const sweep = async (now = Date.now()) => {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(dir, name);
      const stat = await fs.stat(file).catch(() => null);
      if (stat && now - stat.mtimeMs > maxAge) {
        await fs.rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  };
  const timer = setInterval(() => void sweep().catch((err) => logger.warn('deleting expired media failed', { err })), SWEEP_EVERY_MS);
  timer.unref();
  return {
    async save(data, mimeType) {
      await fs.mkdir(dir, { recursive: true });
      const name = `${randomBytes(24).toString('hex')}.${EXT[mimeType.toLowerCase()] ?? 'bin'}`;
      await fs.writeFile(path.join(dir, name), data, { mode: 0o600 });
      return name;
    },
    async open(name) {
      const m = NAME.exec(name);
      if (!m) return null;
      const file = path.join(dir, name);
      const stat = await fs.stat(file).catch(() => null);
      if (!stat?.isFile() || Date.now() - stat.mtimeMs > maxAge) return null;
      return { path: file, mimeType: TYPE[m[1]!] ?? 'application/octet-stream', size: stat.size };
    },
    sweep,
    close: () => clearInterval(timer),
  };
}

/** The MIME type of a file's bytes where they say it (PNG, JPEG, WebP, GIF, MP4), else `fallback`. */
export function sniffMimeType(data: Buffer, fallback: string): string {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (data.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
  if (data.toString('latin1', 4, 8) === 'ftyp') return 'video/mp4';
  return fallback;
}
