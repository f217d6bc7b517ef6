#!/usr/bin/env bash
# Builds the Blocklet bundle into .blocklet/bundle (and the release tarball into .blocklet/release):
# the built server and dashboard, the logo, screenshots and blocklet.prefs.json, and only the
# node_modules files the server's code reaches (Blocklet CLI's zip mode traces them from `main`).
set -euo pipefail
cd "$(dirname "$0")/../.."
BLOCKLET="$(bash scripts/blocklet/install-cli.sh)"
rm -rf .blocklet
"$BLOCKLET" bundle --create-release
