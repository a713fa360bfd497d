#!/usr/bin/env bash
# Command 1: install what is missing, build the UI and the desktop app, and launch Ringdesk.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
log "building the UI"
npm --prefix ui run --silent build
log "building Ringdesk"
cargo build --bin ringdesk
log "launching Ringdesk"
exec "$ROOT/target/debug/ringdesk" "$@"
