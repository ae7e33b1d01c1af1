"""Measure voice diarization on the shared eval-data: DER (collar ±0.25 s and 0 s, overlap scored),
speaker count without --speakers, and diarization time as a share of transcription time.

    python scripts/measure_diarization.py [--eval-data ../shared/eval-data] [--cache /tmp/ls-diar-cache]
    python scripts/measure_diarization.py --same-run [--files callytics-csvd/Call01.wav ...]
        [--compare MAX_VOICEPRINT_S=3 ...]

Transcriptions are cached (pickles of samples + Whisper segments) so that re-runs only
repeat diarization; delete the cache folder after changing transcription.

--same-run transcribes and diarizes each file in one process, one right after the
other, as the pipeline does: on a shared, noisy machine times from different runs
(or a cached transcription time) are not comparable. --compare diarizes each file a
second time with `speech.diarize` constants overridden, so a setting's cost and DER are
judged against the current one on the same transcription in the same run.
"""
from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from leadscribe.audio.decode import decode
from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.evaluate.datasets import Turn, parse_rttm, parse_uem
from leadscribe.evaluate.metrics import diarization_error, pooled_diarization_error
from leadscribe.pipeline import new_call
from leadscribe.speech import diarize as diarize_module
from leadscribe.speech.diarize import diarize
from leadscribe.speech.models import load_whisper, thread_budget
from leadscribe.speech.segmentation import load_segmenter
from leadscribe.speech.transcribe import transcribe
from leadscribe.speech.voice import encoder_for


SAME_RUN_FILES = ("callytics-csvd/Call01.wav", "callytics-csvd/Call02.wav", "pyannote-audio/sample.wav",
                  "pyannote-audio/ami/dev00.wav", "pyannote-audio/ami/trn00.wav")


def read_rttm(path: Path) -> dict[str, list[Turn]]:
    return parse_rttm(path.read_text(encoding="utf-8"))


def scored_regions(data: Path, relative: str) -> list[tuple[float, float]] | None:
    """The AMI .uem regions of a file if it has some, else None (the whole recording is scored)."""
    uri = Path(relative).stem
    if relative.startswith("pyannote-audio/ami/"):
        for part in ("train", "development", "test"):
            regions = parse_uem((data / f"pyannote-audio/ami/debug.{part}.uem").read_text(encoding="utf-8"))
            if uri in regions:
                return regions[uri]
    return None


def references(data: Path) -> dict[str, tuple[str, list[Turn]]]:
    """relative audio path -> (group, reference turns)."""
    refs = {"pyannote-audio/sample.wav": ("calls", read_rttm(data / "pyannote-audio/sample.rttm")["sample"])}
    for name in ("Call01", "Call02"):
        refs[f"callytics-csvd/{name}.wav"] = ("calls", read_rttm(data / f"callytics-csvd/{name}.rttm")[name])
    for part in ("train", "development", "test"):
        for uri, ref in read_rttm(data / f"pyannote-audio/ami/debug.{part}.rttm").items():
            refs[f"pyannote-audio/ami/{uri}.wav"] = ("ami", ref)
    refs["picovoice/falcon/test.wav"] = ("3-speaker", read_rttm(data / "picovoice/falcon_test.rttm")["falcon_test"])
    return refs


def score(reference: list[Turn], call, data: Path, relative: str) -> dict:
    """DER of the call's diarization turns (metrics.diarization_error: collar ±0.25 s and 0 s, overlap scored)."""
    hypothesis = [(t.speaker, t.start, t.end) for t in call.diarization.turns]
    return diarization_error(reference, hypothesis, uem=scored_regions(data, relative),
                             duration=call.file.audio_duration)


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


def parse_overrides(pairs: list[str]) -> dict[str, float]:
    overrides = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not hasattr(diarize_module, name):
            raise SystemExit(f"speech.diarize has no constant {name}")
        kind = type(getattr(diarize_module, name))
        overrides[name] = value.lower() in {"1", "true", "yes"} if kind is bool else kind(value)
    return overrides


def timed_diarization(call, ctx: Context, overrides: dict[str, float]):
    """Seconds spent diarizing `call` with `overrides` applied to speech.diarize for this call only."""
    saved = {name: getattr(diarize_module, name) for name in overrides}
    for name, value in overrides.items():
        setattr(diarize_module, name, value)
    try:
        started = time.perf_counter()
        diarize(call, ctx)
        return time.perf_counter() - started
    finally:
        for name, value in saved.items():
            setattr(diarize_module, name, value)


def same_run(args, settings: Settings) -> None:
    """Transcribe then diarize each file in this process; diarization time over transcription time per file."""
    refs = references(args.eval_data)
    variants = {"current": {}}
    if args.compare:
        variants[" ".join(args.compare)] = parse_overrides(args.compare)
    # Loading is a one-off per process, not per call.
    load_whisper(settings.model, settings.cache_dir, settings.compute_type, settings.cpu_threads)
    load_segmenter(thread_budget(settings.cpu_threads))
    encoder_for(settings)
    totals = {name: [0.0, 0.0] for name in variants}
    for position, relative in enumerate(args.files):
        ref = refs[relative][1]
        ctx = Context(settings=settings, source=args.eval_data / relative)
        call = new_call(args.eval_data / relative)
        decode(call, ctx)
        started = time.perf_counter()
        transcribe(call, ctx)
        transcribe_s = time.perf_counter() - started
        # Alternate which variant goes first: the first diarization after Whisper pays any warm-up.
        order = list(variants.items())
        for name, overrides in (order if position % 2 == 0 else order[::-1]):
            diarize_s = timed_diarization(call, ctx, overrides)
            result = score(ref, call, args.eval_data, relative)
            totals[name][0] += diarize_s
            totals[name][1] += transcribe_s
            print(f"{relative:32s} {name:28s} DER {result['collar_0.25']['der']:6.1%}  speakers ref "
                  f"{result['reference_speakers']} hyp {result['hypothesis_speakers']}  "
                  f"transcribe {transcribe_s:5.2f} s  diarize {diarize_s:5.2f} s  ratio {diarize_s / transcribe_s:6.1%}",
                  flush=True)
    for name, (diarize_s, transcribe_s) in totals.items():
        print(f"{name:28s} diarization time = {diarize_s / transcribe_s:.1%} of transcription time (all files)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval-data")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ls-diar-cache"))
    parser.add_argument("--same-run", action="store_true", help="transcribe and diarize in this process, no cache")
    parser.add_argument("--files", nargs="+", default=list(SAME_RUN_FILES), help="with --same-run")
    parser.add_argument("--compare", nargs="*", default=[], metavar="CONSTANT=VALUE",
                        help="with --same-run: also diarize with these speech.diarize constants")
    args = parser.parse_args()
    settings = Settings.load()
    if args.same_run:
        same_run(args, settings)
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    encoder_for(settings)  # loading is a one-off per process, not per call
    by_group: dict[str, list[dict]] = {}
    right = total = 0
    diarize_s = transcribe_s = 0.0
    for relative, (group, ref) in references(args.eval_data).items():
        call, spent = transcribed(args.eval_data, relative, args.cache, settings)
        started = time.perf_counter()
        diarize(call, Context(settings=settings, source=args.eval_data / relative))
        elapsed = time.perf_counter() - started
        result = score(ref, call, args.eval_data, relative)
        by_group.setdefault(group, []).append(result)
        right, total = right + (result["reference_speakers"] == result["hypothesis_speakers"]), total + 1
        diarize_s, transcribe_s = diarize_s + elapsed, transcribe_s + spent
        print(f"{relative:42s} {group:9s} DER {result['collar_0.25']['der']:6.1%} (collar 0: "
              f"{result['collar_0']['der']:6.1%})  speakers ref {result['reference_speakers']} hyp "
              f"{result['hypothesis_speakers']}  diarize {elapsed:5.2f} s  transcribe {spent:5.1f} s", flush=True)
    by_group["all"] = [r for rows in by_group.values() for r in rows]
    for group, rows in by_group.items():
        pooled = pooled_diarization_error(rows)
        print(f"pooled {group:9s} DER {pooled['collar_0.25']['der']:.1%} (collar 0: {pooled['collar_0']['der']:.1%})")
    print(f"speaker count right on {right}/{total} files; diarization time = {diarize_s / transcribe_s:.1%} "
          f"of transcription time")

if __name__ == "__main__":
    main()
