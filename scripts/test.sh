#!/usr/bin/env bash
# Command 2: install what is missing, then run every check and test: formatting, clippy, the
# TypeScript type check, Rust unit/integration tests (real SQLite files, a real Secret Service,
# the CLI binary, the bindings staleness check), the UI tests (vitest), short fuzz runs of every
# parser target, and the end-to-end test of the real app window under Xvfb over WebDriver (with
# the app's .deb, bundled here, unpacked for its desktop entry).
# One cargo target directory and one build for everything; artifacts (screenshots) land in
# ./artifacts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# A CI checkout builds once from scratch: incremental state would only cost disk (~5 GB) and time.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}; fi
mkdir -p artifacts
disk() { log "disk: $(df -h --output=avail,size . | tail -1 | awk '{print $1 " free of " $2}'); target: $( (du -sh target 2>/dev/null || echo none) | cut -f1)"; }
disk
# A target directory that outlives its checkouts keeps every earlier build's artifacts (one
# machine here reached 69 GB and a run died of a full disk). A fresh debug build with its test
# binaries takes about 6 GB (line tables only); when less than NEED_GB is free and the old target
# holds much, start it over.
NEED_GB=${RINGDESK_BUILD_DISK_GB:-20}
free_gb=$(df -BG --output=avail . | tail -1 | tr -dc '0-9')
# (a clean checkout has no target/ yet: du fails there, which must not end the run)
target_gb=$( (du -s -BG target 2>/dev/null || true) | cut -f1 | tr -dc '0-9'); target_gb=${target_gb:-0}
if [ "$free_gb" -lt "$NEED_GB" ] && [ "$target_gb" -gt 5 ]; then
  log "only ${free_gb} GB free and target/ holds ${target_gb} GB of earlier builds: cleaning it"
  rm -rf target/debug target/release target/tmp
  disk
fi

log "building the UI (the desktop binary embeds ui/dist)"
npm --prefix ui run --silent build

log "lint: rustfmt, clippy, tsc"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings
npm --prefix ui run --silent typecheck

log "bundling the .deb (debug profile, the tests' build): the end-to-end test opens links through its entry"
ui/node_modules/.bin/tauri build --debug --bundles deb --config '{"build":{"beforeBuildCommand":""}}'

log "UI tests (vitest; each test drives a real core, ringdesk-cli serve --stdio)"
cargo build --quiet -p ringdesk-cli -p ringdesk-testkit --bin ringdesk-cli --bin signalwire-emulator --bin team-backend --bin sip-peer
disk
npm --prefix ui test --silent

log "Rust tests (workspace, including the end-to-end window test)"
cargo test --workspace --quiet -- --test-threads=2

disk
log "fuzzing every parser briefly"
"$ROOT/scripts/fuzz.sh" "${FUZZ_SECONDS:-15}"

disk
log "all checks passed"
