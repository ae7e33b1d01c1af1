"""Issue-2 benchmark: WER, real-time factor and overhead over plain faster-whisper.

For each real phone call in ../shared/eval-data/callytics-csvd, in one run:
  - plain faster-whisper with the same model (its defaults: beam 5, no VAD), timed;
  - `leadscribe.enrich` on the same file, timed (wall clock, decode to result);
and reports WER of both against the human reference (normalisation: leadscribe.evaluate.normalise),
RTF of enrich, and two ratios to plain: the speech-to-text stages (decode + transcribe, the work
plain faster-whisper also does) and the whole of enrich (diarization, roles, extraction, CRM too). Run: python scripts/bench_transcription.py [--model base]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from leadscribe.config import Settings
from leadscribe.evaluate.bench import plain_transcription
from leadscribe.evaluate.metrics import error_counts, pooled_error_rate
from leadscribe.pipeline import enrich

SPEECH_TO_TEXT_STAGES = ("decode", "transcribe", "require_speech")
CALLS = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "callytics-csvd"


def reference_text(call: str) -> str:
    return " ".join(line.split(None, 5)[5] for line in open(CALLS / f"{call}.stm", encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--repeat", type=int, default=1, help="runs per file; the best time of each is kept")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    settings = Settings.load(model=args.model)
    enrich(CALLS / "Call02.wav", settings)  # warm-up: first-call allocations are not the steady state

    rows, plain_counts, enrich_counts = [], [], []
    for name in ("Call01", "Call02"):
        audio = CALLS / f"{name}.wav"
        plain_times, enrich_times = [], []
        for _ in range(args.repeat):
            plain_seconds, plain_text = plain_transcription(audio, settings)
            plain_times.append(plain_seconds)
            started = time.perf_counter()
            call = enrich(audio, settings)
            enrich_times.append(time.perf_counter() - started)
        if call.status != "done":
            print(f"{name}: {call.error}", file=sys.stderr)
            return 1
        reference = reference_text(name)
        plain_counts.append(error_counts(reference, plain_text))
        enrich_counts.append(error_counts(reference, call.transcription.full_transcript))
        duration = call.file.audio_duration
        rows.append({"file": name, "duration": duration, "plain_s": min(plain_times), "enrich_s": min(enrich_times),
                     "stt_s": sum(call.metadata.timings[s] for s in SPEECH_TO_TEXT_STAGES),
                     "rtf": min(enrich_times) / duration, "ratio": min(enrich_times) / min(plain_times),
                     "wer_plain": plain_counts[-1]["error_rate"], "wer_enrich": enrich_counts[-1]["error_rate"],
                     "timings": call.metadata.timings})
    total_duration = sum(r["duration"] for r in rows)
    summary = {
        "model": args.model,
        "wer_enrich_pooled": pooled_error_rate(enrich_counts)["error_rate"],
        "wer_plain_pooled": pooled_error_rate(plain_counts)["error_rate"],
        "rtf": sum(r["enrich_s"] for r in rows) / total_duration,
        "ratio_to_plain": sum(r["enrich_s"] for r in rows) / sum(r["plain_s"] for r in rows),
        "stt_ratio_to_plain": sum(r["stt_s"] for r in rows) / sum(r["plain_s"] for r in rows),
        "stage_share_of_transcribe": {stage: sum(r["timings"][stage] for r in rows) / sum(r["timings"]["transcribe"] for r in rows)
                                      for stage in rows[0]["timings"]},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "files": rows,
    }
    for r in rows:
        print(f"{r['file']}: {r['duration']:.1f} s audio  plain {r['plain_s']:.2f} s  enrich {r['enrich_s']:.2f} s  "
              f"RTF {r['rtf']:.3f}  speech-to-text/plain {r['stt_s'] / r['plain_s']:.2f}  enrich/plain {r['ratio']:.2f}  WER enrich {r['wer_enrich']:.3f} plain {r['wer_plain']:.3f}")
    print(f"pooled: WER enrich {summary['wer_enrich_pooled']:.3f} (plain {summary['wer_plain_pooled']:.3f})  "
          f"RTF {summary['rtf']:.3f}  speech-to-text/plain {summary['stt_ratio_to_plain']:.2f}  "
          f"enrich/plain {summary['ratio_to_plain']:.2f}  peak RSS {summary['peak_rss_mb']:.0f} MB")
    print("stage time / transcribe time: " + "  ".join(
        f"{stage} {share:.1%}" for stage, share in summary["stage_share_of_transcribe"].items()))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
