"""Where the diarization of a dual-channel call and its channel-derived reference disagree, and what an
independent speech detector hears there.

    python scripts/inspect_channel_reference.py build/eval/standard build/reports/standard [--min 0.3]

A dual-channel call's reference (`evaluate.importers.channel_activity_turns`) is every stretch where a channel's
level rises well above its floor; the hypothesis is where the segmentation model hears speech on that channel.
For each run of reference speech the hypothesis misses (and hypothesis speech the reference lacks) of at least
--min seconds, this prints the run, its level against the channel's median level, the words Whisper wrote in it,
and how much of it Silero VAD (threshold 0.3, no padding: a third detector, used by neither side here) calls
speech. Totals split the missed time into runs Silero hears as speech and runs it does not: the second kind is
sound the level detector counts and no speech model does (a breath, a click, handling noise).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from leadscribe.audio.decode import decode_audio
from leadscribe.evaluate.datasets import load_dataset

RATE = 16000
STEP_S = 0.01
SILERO = VadOptions(threshold=0.3, min_speech_duration_ms=100, min_silence_duration_ms=100, speech_pad_ms=0)


def mask(turns, speaker: str, frames: int) -> np.ndarray:
    out = np.zeros(frames, dtype=bool)
    for label, start, end in turns:
        if label == speaker:
            out[int(start / STEP_S):int(end / STEP_S)] = True
    return out


def runs(flags: np.ndarray, min_s: float) -> list[tuple[float, float]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(a * STEP_S, b * STEP_S) for a, b in zip(edges[::2], edges[1::2]) if (b - a) * STEP_S >= min_s]


def level_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples ** 2) + 1e-12))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min", type=float, default=0.3, help="shortest run shown, seconds")
    args = parser.parse_args()
    for record in load_dataset(args.dataset).records:
        if "dual-channel" not in record.tags or not record.has_reference_turns():
            continue
        result = json.loads((args.report / "calls" / f"{record.id.replace('/', '__')}.json").read_text())
        reference = record.reference_turns()
        hypothesis = [(t["speaker"], t["start"], t["end"]) for t in result["diarization"]["turns"]]
        audio = decode_audio(Path(record.audio), max_duration_s=10_800, max_bytes=2 ** 31)
        frames = int(audio.samples.shape[1] / RATE / STEP_S) + 1
        totals = {"missed, Silero hears speech": 0.0, "missed, Silero hears none": 0.0, "false alarm": 0.0}
        print(f"== {record.id}")
        for channel in range(audio.samples.shape[0]):
            samples = audio.samples[channel]
            ref_label, hyp_label = f"channel{channel}", f"S{channel + 1}"
            ref, hyp = mask(reference, ref_label, frames), mask(hypothesis, hyp_label, frames)
            speech = np.zeros(frames, dtype=bool)
            for region in get_speech_timestamps(samples, SILERO, sampling_rate=RATE):
                speech[int(region["start"] / RATE / STEP_S):int(region["end"] / RATE / STEP_S)] = True
            median = float(np.median([level_db(samples[i:i + 800]) for i in range(0, len(samples) - 800, 800)]))
            print(f"channel {channel}: reference {ref.sum() * STEP_S:.1f} s, hypothesis {hyp.sum() * STEP_S:.1f} s, "
                  f"median level {median:.1f} dB")
            for kind, flags in (("missed", ref & ~hyp), ("false alarm", hyp & ~ref)):
                for start, end in runs(flags, args.min):
                    words = [w["word"] for u in result["transcription"]["utterances"] if (u.get("channel") or 0) ==
                             channel for w in u["words"] if w["end"] > start and w["start"] < end]
                    heard = speech[int(start / STEP_S):int(end / STEP_S)].mean()
                    level = level_db(samples[int(start * RATE):int(end * RATE)])
                    print(f"  {kind:11s} {start:7.2f}-{end:7.2f} ({end - start:.2f} s) level {level:6.1f} dB, "
                          f"Silero speech {heard:4.0%}, words {words}")
                    key = kind if kind == "false alarm" else \
                        f"missed, Silero hears {'speech' if heard >= 0.5 else 'none'}"
                    totals[key] += end - start
        print("totals (runs of at least %.2f s): " % args.min + ", ".join(f"{k} {v:.2f} s" for k, v in totals.items()))


if __name__ == "__main__":
    main()
