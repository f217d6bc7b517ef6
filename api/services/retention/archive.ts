/**
 * Appends rows as JSON lines to a gzip file, one gzip member per batch (gunzip and zcat read the
 * members as one stream). Each batch is compressed off the main thread and synced to disk before
 * `append` resolves, so rows are deleted only once their archive copy is durable. The file is
 * created on the first row: a run that deletes nothing leaves no empty archive.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface JsonlArchive {
  readonly file: string;
  readonly rows: number;
  append(rows: object[]): Promise<void>;
  /** Resolves to the file, or undefined when nothing was written. */
  close(): Promise<string | undefined>;
}

export function openJsonlArchive(file: string): JsonlArchive {
  let handle: fs.FileHandle | undefined;
  let rows = 0;
  return {
    file,
    get rows() {
      return rows;
    },
    async append(batch) {
      if (!batch.length) return;
      const data = await gzipAsync(batch.map((r) => `${JSON.stringify(r)}\n`).join(''));
      if (!handle) {
        await fs.mkdir(path.dirname(file), { recursive: true });
        handle = await fs.open(file, 'wx', 0o600);
      }
      await handle.write(data);
      await handle.datasync();
      rows += batch.length;
    },
    async close() {
      if (!handle) return undefined;
      await handle.close();
      handle = undefined;
      return file;
    },
  };
}
