/** Makes sure dist/web holds a build of the current dashboard sources; builds it when missing or stale. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(REPO_ROOT, 'dist/web');

const TEST_FILE = /\.test\.tsx?$|test-setup\.ts$/;

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (!TEST_FILE.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Why dist/web needs a build, or null when it is up to date. */
export function webBuildStaleness(): string | null {
  const index = path.join(WEB_DIR, 'index.html');
  if (!fs.existsSync(index)) return 'dist/web/index.html is missing';
  const built = fs.statSync(index).mtimeMs;
  const inputs = [newestSourceTime(path.join(REPO_ROOT, 'src')), fs.statSync(path.join(REPO_ROOT, 'vite.config.ts')).mtimeMs];
  return Math.max(...inputs) > built ? 'src/ changed after the last build' : null;
}

export function ensureWebBuild(): string {
  const reason = webBuildStaleness();
  if (reason) {
    process.stderr.write(`e2e: building the dashboard (${reason})\n`);
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return WEB_DIR;
}
