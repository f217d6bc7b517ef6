#!/usr/bin/env bash
# Installs Blocklet Server's CLI (@blocklet/cli, ~900 MB) outside the repository, once:
# BLOCKLET_CLI_DIR (default below). Offline-safe: sharp is pinned to 0.33 (0.32
# downloads libvips from outside npm) and sqlite3 is built from source. Prints the `blocklet` path.
set -euo pipefail
VERSION=1.17.12
# Default: /work/blocklet-cli where /work is writable (these machines), else the user's cache.
DEFAULT_DIR=/work/blocklet-cli
[ -w /work ] || DEFAULT_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/aigne-hub/blocklet-cli"
DIR="${BLOCKLET_CLI_DIR:-$DEFAULT_DIR}"
BIN="$DIR/node_modules/.bin/blocklet"

if [ -x "$BIN" ] && [ -f "$DIR/.installed-$VERSION" ]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"blocklet-cli-host","private":true}' > package.json
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.dependencies = { "@blocklet/cli": process.argv[1] };
  pkg.overrides = { sharp: "0.33.5" };
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
' "$VERSION"
npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2
npm rebuild sqlite3 --loglevel=error >&2
touch ".installed-$VERSION"
echo "$BIN"
