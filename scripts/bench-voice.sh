#!/usr/bin/env bash
# Voice engine benchmarks against real peers (release build), then PESQ of the recorded audio.
# Needs what scripts/test.sh installs, plus a Python venv with `pesq` and `numpy` (made here).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
VENV="$ROOT/target/bench-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pesq, numpy' 2>/dev/null; then
  log "making a Python venv with pesq and numpy for scoring"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pesq numpy
fi
export VOICE_BENCH_OUT="$ROOT/target/voice-bench"
log "media engine (sans-IO, virtual time)"
cargo bench -q -p ringdesk-media --bench media
log "voice engine against Kamailio, baresip and SIPp"
cargo bench -q -p ringdesk-voice --bench voice
log "PESQ-NB against the reference"
"$VENV/bin/python" scripts/score_audio.py "$VOICE_BENCH_OUT/reference.wav" \
  "$VOICE_BENCH_OUT/ringdesk-hears-baresip-aligned.wav" \
  "$VOICE_BENCH_OUT/baresip-hears-ringdesk-aligned.wav" \
  "$VOICE_BENCH_OUT/echo-clean-aligned.wav" \
  "$VOICE_BENCH_OUT/echo-loss3-aligned.wav"
