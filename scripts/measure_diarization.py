"""Measure voice diarization on the shared eval-data: DER (collar 0.25 s and 0 s, overlap scored),
speaker count without --speakers, and diarization time as a share of transcription time.

    python scripts/measure_diarization.py [--eval-data ../shared/eval-data] [--cache /tmp/ls-diar-cache]

Transcriptions are cached (pickles of samples + Whisper segments) so that re-runs only
repeat diarization; delete the cache folder after changing transcription.
"""
from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

from leadscribe.audio.decode import decode
from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.pipeline import new_call
from leadscribe.speech.diarize import diarize
from leadscribe.speech.transcribe import transcribe
from leadscribe.speech.voice import load_speaker_encoder


COLLARS = (0.25, 0.0)


def read_rttm(path: Path) -> dict[str, Annotation]:
    found: dict[str, Annotation] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "SPEAKER":
            start = float(parts[3])
            found.setdefault(parts[1], Annotation(uri=parts[1]))[Segment(start, start + float(parts[4]))] = parts[7]
    return found


def references(data: Path) -> dict[str, tuple[str, Annotation]]:
    """relative audio path -> (group, reference)."""
    refs = {"pyannote-audio/sample.wav": ("calls", read_rttm(data / "pyannote-audio/sample.rttm")["sample"])}
    for name in ("Call01", "Call02"):
        refs[f"callytics-csvd/{name}.wav"] = ("calls", read_rttm(data / f"callytics-csvd/{name}.rttm")[name])
    for part in ("train", "development", "test"):
        for uri, ref in read_rttm(data / f"pyannote-audio/ami/debug.{part}.rttm").items():
            refs[f"pyannote-audio/ami/{uri}.wav"] = ("ami", ref)
    refs["picovoice/falcon/test.wav"] = ("3-speaker", read_rttm(data / "picovoice/falcon_test.rttm")["falcon_test"])
    return refs


def transcribed(data: Path, relative: str, cache: Path, settings: Settings):
    target = cache / (relative.replace("/", "__") + ".pkl")
    if not target.exists():
        call = new_call(data / relative)
        ctx = Context(settings=settings, source=data / relative)
        decode(call, ctx)
        started = time.perf_counter()
        transcribe(call, ctx)
        elapsed = time.perf_counter() - started
        target.write_bytes(pickle.dumps({"samples": call.samples, "segments": call.segments,
                                         "duration": call.file.audio_duration, "transcribe_s": elapsed}))
    stored = pickle.loads(target.read_bytes())
    call = new_call(data / relative)
    call.samples, call.segments, call.file.audio_duration = stored["samples"], stored["segments"], stored["duration"]
    return call, stored["transcribe_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval-data")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ls-diar-cache"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    settings = Settings.load()
    load_speaker_encoder(settings.speaker_model)  # loading is a one-off per process, not per call
    pooled = {("all", collar): DiarizationErrorRate(collar=collar, skip_overlap=False) for collar in COLLARS}
    right = total = 0
    diarize_s = transcribe_s = 0.0
    for relative, (group, ref) in references(args.eval_data).items():
        call, spent = transcribed(args.eval_data, relative, args.cache, settings)
        started = time.perf_counter()
        diarize(call, Context(settings=settings, source=args.eval_data / relative))
        elapsed = time.perf_counter() - started
        hyp = Annotation(uri=ref.uri)
        for turn in call.turns:
            hyp[Segment(turn.start, turn.end)] = turn.speaker
        uem = Timeline([Segment(0, call.file.audio_duration)])
        der = {}
        for collar in COLLARS:
            der[collar] = pooled[("all", collar)](ref, hyp, uem=uem)
            pooled.setdefault((group, collar), DiarizationErrorRate(collar=collar, skip_overlap=False))(ref, hyp, uem=uem)
        ok = len(ref.labels()) == len(hyp.labels())
        right, total = right + ok, total + 1
        diarize_s, transcribe_s = diarize_s + elapsed, transcribe_s + spent
        print(f"{relative:42s} {group:9s} DER {der[0.25]:6.1%} (collar 0: {der[0.0]:6.1%})  speakers ref {len(ref.labels())} hyp {len(hyp.labels())}"
              f"  diarize {elapsed:5.2f} s  transcribe {spent:5.1f} s", flush=True)
    for (group, collar), metric in pooled.items():
        print(f"pooled {group:9s} collar {collar:4.2f} DER {abs(metric):.1%}")
    print(f"speaker count right on {right}/{total} files; diarization time = {diarize_s / transcribe_s:.1%} "
          f"of transcription time")


if __name__ == "__main__":
    main()
