/** The hub of another commit, for before/after figures (`--baseline <ref>`). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './workers.js';

/** The tree of `ref` in a temporary directory, sharing this checkout's node_modules. */
export function checkoutBaseline(ref: string, workDir: string): string {
  const dir = path.join(workDir, 'baseline');
  fs.mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive --format=tar "$0" | tar -x -C "$1"`, ref, dir], { cwd: ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Whether `ref` locks other dependencies than this checkout (it still runs with this checkout's node_modules). */
export function baselineDepsDiffer(dir: string): boolean {
  const lock = (root: string) => (fs.existsSync(path.join(root, 'package-lock.json')) ? fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8') : '');
  return lock(dir) !== lock(ROOT);
}
