#!/usr/bin/env python3
"""PESQ (ITU-T P.862, narrow band) and SNR of aligned 8 kHz WAVs against a reference.

Usage: score_audio.py REFERENCE.wav DEGRADED.wav [...]
The degraded files are already aligned to the reference (the voice bench writes *-aligned.wav).
A residual lag of up to 20 ms is searched to be safe.
"""
import sys
import wave

import numpy as np
from pesq import pesq


def read(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 8000, f"{path}: expected 8 kHz"
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0


def best_shift(ref, deg, max_shift=160):
    n = min(len(ref), len(deg)) - max_shift
    scores = [np.dot(ref[:n], deg[s:s + n]) for s in range(max_shift)]
    return int(np.argmax(scores))


def snr_db(ref, deg):
    g = np.dot(ref, deg) / max(np.dot(ref, ref), 1e-12)
    e = deg - g * ref
    return 10 * np.log10(np.sum((g * ref) ** 2) / max(np.sum(e ** 2), 1e-12))


ref_all = read(sys.argv[1])
for path in sys.argv[2:]:
    deg = read(path)
    s = best_shift(ref_all, deg)
    deg = deg[s:]
    n = min(len(ref_all), len(deg), 8000 * 12)
    ref, d = ref_all[:n], deg[:n]
    print(f"{path}: PESQ-NB {pesq(8000, ref, d, 'nb'):.2f}, SNR {snr_db(ref, d):.1f} dB over {n / 8000:.1f} s")
