#!/usr/bin/env bash
# Desktop benchmarks (release build): cold start, idle memory beside a hello-world Tauri window,
# and the .deb size. Builds the release app and .deb with the Tauri bundler, the hello-world
# anchor and the CLI, then runs scripts/bench_desktop.py inside Xvfb and a private D-Bus session.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
log "building the release app and its .deb (Tauri bundler)"
# `-- -p ringdesk`: cargo builds the app only, not every workspace binary (each a fat-LTO link).
ui/node_modules/.bin/tauri build --bundles deb -- -p ringdesk
log "building the hello-world anchor (release) and the CLI that seeds the database (debug: only its import runs)"
cargo build --release -p ringdesk-bench-hello
cargo build -p ringdesk-cli
RUN=$(mktemp -d); chmod 700 "$RUN"
trap 'kill $XVFB 2>/dev/null || true; rm -rf "$RUN"' EXIT
Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & XVFB=$!
for _ in $(seq 50); do DISPLAY=:97 xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
DISPLAY=:97 XDG_RUNTIME_DIR=$RUN XDG_DATA_HOME=$RUN/data XDG_CONFIG_HOME=$RUN/config \
  dbus-run-session -- python3 "$ROOT/scripts/bench_desktop.py"
