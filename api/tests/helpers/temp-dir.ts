import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Directories made by this test file, removed after its last test (api/tests/helpers/temp-dir-cleanup.ts). */
const made = new Set<string>();

export function makeTempDir(prefix = 'aigne-hub-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every directory `makeTempDir` made in this test file; returns how many there were. */
export function removeTempDirs(): number {
  const n = made.size;
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  made.clear();
  return n;
}
