/** Files only the hub's user may read. No domain imports. */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Makes a SQLite database file private (0600) before it is opened: creates it empty if missing
 * (SQLite takes an empty file as a new database, and gives its -wal and -shm files the database
 * file's mode), and narrows the mode of an existing one and of its companions. The directory is
 * created 0700 when missing.
 */
export function makeDatabaseFilePrivate(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
