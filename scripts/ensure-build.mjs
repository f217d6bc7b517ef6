// Builds the server and the dashboard before `npm start` when the build is missing or older than
// the sources, so that `npm install && npm start` works on a fresh checkout.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newest(dir) {
  let latest = 0;
  if (!fs.existsSync(dir)) return latest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx')) continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

const builtAt = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

const apiOut = path.join(root, 'dist/api/index.js');
const webOut = path.join(root, 'dist/web/index.html');
if (builtAt(apiOut) < Math.max(newest(path.join(root, 'api')), newest(path.join(root, 'migrations')))) {
  console.log('Building the server…');
  execSync('npm run build:api', { cwd: root, stdio: 'inherit' });
}
if (builtAt(webOut) < newest(path.join(root, 'src'))) {
  console.log('Building the dashboard…');
  execSync('npm run build:web', { cwd: root, stdio: 'inherit' });
}
