"""Channel handling: which channels hold distinct parties, and which are copies.

Call recorders (Twilio, Aircall...) write one party per channel; many other tools save
a mono call as two identical channels. Copies must be merged, or every word would be
transcribed twice and credited to two speakers.
"""
from __future__ import annotations

import numpy as np

from leadscribe.audio.decode import SAMPLE_RATE, SILENCE_PEAK

# Pearson correlation above which two channels are the same signal (gain/offset aside).
COPY_CORRELATION = 0.97


def channels_are_copies(a: np.ndarray, b: np.ndarray) -> bool:
    # Every 16th sample is plenty to tell a copy from a different signal, at 1/16 the cost.
    step = max(1, SAMPLE_RATE // 1000)
    a, b = a[::step].astype(np.float64), b[::step].astype(np.float64)
    if a.std() == 0 or b.std() == 0:
        return False
    return float(np.corrcoef(a, b)[0, 1]) >= COPY_CORRELATION


def separate_channels(samples: np.ndarray) -> tuple[np.ndarray, list[int], bool]:
    """Return (samples of the channels to keep, their original indices, were-copies flag).

    Silent channels are dropped; channels that copy an earlier one are dropped too.
    """
    kept: list[int] = []
    copies = False
    for index in range(samples.shape[0]):
        channel = samples[index]
        if float(np.max(np.abs(channel), initial=0.0)) < SILENCE_PEAK:
            continue
        if any(channels_are_copies(samples[k], channel) for k in kept):
            copies = True
            continue
        kept.append(index)
    if not kept:
        kept = [0]
    return samples[kept], kept, copies
