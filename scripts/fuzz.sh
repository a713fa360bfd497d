#!/usr/bin/env bash
# Runs every cargo-fuzz target for a short budget (default 15 s each). The machine's stable
# toolchain builds with sanitizers through RUSTC_BOOTSTRAP=1. Crashes fail the run and leave the
# reproducer under fuzz/artifacts/<target>/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_TARGET=${1:-15}
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2 --quiet
mkdir -p "$ROOT/artifacts"
cd "$ROOT/fuzz"
export RUSTC_BOOTSTRAP=1
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  cp -n corpus-seed/"$target"/* "corpus/$target/" 2>/dev/null || true
  cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 >"$ROOT/artifacts/fuzz-$target.log" 2>&1 || {
    tail -40 "$ROOT/artifacts/fuzz-$target.log"
    echo "fuzz target $target failed; see artifacts/fuzz-$target.log" >&2
    exit 1
  }
  grep -E '^Done|#[0-9]+.*DONE' "$ROOT/artifacts/fuzz-$target.log" | tail -1 || true
done
