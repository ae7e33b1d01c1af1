"""Speed, memory and cost: real-time factor per stage, the overhead of `enrich` over a plain
faster-whisper transcription with the same model, the time of extraction (entities .. crm) as a share of the
transcription's, throughput with N calls in parallel
(processes), peak resident memory, and cost per audio hour next to managed-API list prices.

Real-time factor (RTF) = processing seconds / audio seconds (below 1 is faster than real time).
"""
from __future__ import annotations

import multiprocessing
import os
import resource
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import median
from time import perf_counter
from typing import Any, Optional

from leadscribe.config import Settings
from leadscribe.context import Context

# List prices per audio hour, USD, as published by the vendors (batch / pre-recorded audio).
MANAGED_PRICES_PER_HOUR = {
    "Gladia Growth (from)": 0.20,
    "Gladia Starter (all-in)": 0.61,
    "AssemblyAI base (0.15-0.21)": 0.15,
    "AssemblyAI + speakers, entities, sentiment, summary (about)": 0.33,
    "Deepgram Nova-3 (about)": 0.46,
    "OpenAI Whisper API": 0.36,
}
DEFAULT_MACHINE_PRICE_PER_HOUR = 0.10  # a 2-core CPU VM
# Stage groups whose time is set against `transcribe`'s: the speaker stages ("diarization adds at most
# 15% to transcription time") and the stages that turn the transcript into CRM fields ("extraction adds
# at most 10%").
STAGE_GROUPS = {"diarization": ("diarize", "roles"),
                "extraction": ("entities", "signals", "sentiment", "summary", "crm")}
TRANSCRIPTION_STAGE = "transcribe"


def shares_of_transcription(seconds_by_stage: dict[str, float]) -> dict[str, Any]:
    """Seconds of each stage group and of transcription, and each group as a share of transcription."""
    transcription = seconds_by_stage.get(TRANSCRIPTION_STAGE, 0.0)
    result: dict[str, Any] = {"transcription_seconds": transcription}
    for group, stages in STAGE_GROUPS.items():
        seconds = sum(seconds_by_stage.get(stage, 0.0) for stage in stages)
        result[f"{group}_seconds"] = seconds
        result[f"{group}_share_of_transcription"] = seconds / transcription if transcription else None
    return result


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident set size; Linux reports ru_maxrss in KiB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def plain_transcription(audio: Path, settings: Settings) -> tuple[float, str]:
    """Wall time and text of faster-whisper alone on `audio`: the same model and beam, its defaults otherwise."""
    from leadscribe.speech.models import load_whisper

    model = load_whisper(settings.model, settings.cache_dir, settings.compute_type, settings.cpu_threads)
    started = perf_counter()
    segments, _ = model.transcribe(str(audio), beam_size=settings.beam_size, word_timestamps=False)
    text = " ".join(s.text.strip() for s in segments)  # the generator does the work
    return perf_counter() - started, text


def bench_file(audio: Path, settings: Settings, repeat: int = 1) -> dict[str, Any]:
    """Every per-file figure. With `repeat` > 1 the three runs (enrich, plain faster-whisper, decode and
    transcribe alone) are taken in turn `repeat` times and each figure is the median of its runs: the added
    time of the speaker stages is a difference of two wall times a few seconds long, which a shared machine
    moves by several points from one run to the next."""
    from leadscribe.pipeline import enrich
    from leadscribe.speech.models import load_whisper

    # Load first, so that neither measurement pays for loading the model.
    load_whisper(settings.model, settings.cache_dir, settings.compute_type, settings.cpu_threads)
    enrich_runs, plain_runs, alone_runs, timings_runs = [], [], [], []
    for _ in range(max(1, repeat)):
        started = perf_counter()
        call = enrich(Path(audio), settings)
        enrich_runs.append(perf_counter() - started)
        timings_runs.append(call.metadata.timings)
        plain_runs.append(plain_transcription(Path(audio), settings)[0])
        alone_runs.append(transcription_only_seconds(Path(audio), settings))
    timings = {stage: median([t.get(stage, 0.0) for t in timings_runs]) for stage in timings_runs[0]}
    enrich_seconds, plain_seconds = median(enrich_runs), median(plain_runs)
    duration = call.file.audio_duration or 0.0
    with_speakers = median([sum(t.get(stage, 0.0) for stage in stages_through(LAST_SPEAKER_STAGE))
                            for t in timings_runs])
    return {
        "audio": str(audio), "status": call.status, "error": call.error, "audio_seconds": duration,
        "runs": len(enrich_runs),
        "enrich_seconds": enrich_seconds, "plain_whisper_seconds": plain_seconds,
        "overhead_ratio": enrich_seconds / plain_seconds if plain_seconds else None,
        "rtf_total": enrich_seconds / duration if duration else None,
        "rtf_by_stage": {stage: seconds / duration for stage, seconds in timings.items()} if duration else {},
        "seconds_by_stage": timings,
        **shares_of_transcription(timings),
        **added_by_speakers(with_speakers, median(alone_runs)),
    }


# Diarization may run while Whisper transcribes (`diarize.start_finding_voices`): then the
# `diarize` stage's own time is only the wait for it, and the true cost is how much longer
# decoding, transcription and diarization take together than decoding and transcription alone.
LAST_SPEAKER_STAGE = "roles"


def stages_through(last: str) -> list[str]:
    """The pipeline's stage names from the first up to and including `last`, in their order."""
    from leadscribe.pipeline import STAGES

    names = [name for name, _ in STAGES]
    return names[:names.index(last) + 1]


def transcription_only_seconds(audio: Path, settings: Settings) -> float:
    """Wall time of the pipeline's own decode and transcribe stages alone on `audio`."""
    from leadscribe.audio.decode import decode
    from leadscribe.pipeline import new_call, run_pipeline
    from leadscribe.speech.transcribe import transcribe

    call = new_call(audio)
    started = perf_counter()
    run_pipeline(call, Context(settings=settings, source=audio), [("decode", decode), ("transcribe", transcribe)])
    return perf_counter() - started


def added_by_speakers(with_speakers: float, transcription_only: float) -> dict[str, Any]:
    added = with_speakers - transcription_only
    return {"up_to_speakers_seconds": with_speakers, "transcription_only_seconds": transcription_only,
            "speaker_stages_added_seconds": added,
            "speaker_stages_added_share": added / transcription_only if transcription_only else None}


def _enrich_in_worker(args: tuple[str, dict[str, Any]]) -> float:
    from leadscribe.pipeline import enrich

    path, settings_data = args
    call = enrich(Path(path), Settings(**settings_data))
    return call.file.audio_duration or 0.0


def parallel_throughput(audio: list[Path], settings: Settings, workers: int) -> dict[str, Any]:
    """Run every file through `enrich` in `workers` processes; audio hours per wall-clock hour.

    Each worker gets an equal share of the cores, so N workers do not oversubscribe the CPU."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    data = settings.model_dump()
    data["cpu_threads"] = threads
    started = perf_counter()
    # spawn, not fork: forking a process that already runs CTranslate2/torch thread pools can deadlock.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        durations = list(pool.map(_enrich_in_worker, [(str(p), data) for p in audio]))
    wall = perf_counter() - started
    audio_seconds = sum(durations)
    return {"workers": workers, "threads_per_worker": threads, "files": len(audio), "audio_seconds": audio_seconds,
            "wall_seconds": wall, "audio_hours_per_hour": audio_seconds / wall if wall else None,
            "peak_rss_mb_workers": peak_rss_mb(children=True)}


def cost_model(audio_hours_per_hour: Optional[float], machine_price_per_hour: float) -> dict[str, Any]:
    self_hosted = machine_price_per_hour / audio_hours_per_hour if audio_hours_per_hour else None
    return {"machine_price_per_hour": machine_price_per_hour, "audio_hours_per_machine_hour": audio_hours_per_hour,
            "self_hosted_per_audio_hour": self_hosted, "managed_per_audio_hour": dict(MANAGED_PRICES_PER_HOUR)}


def run_bench(audio: list[Path], settings: Settings, parallel: int = 1,
              machine_price_per_hour: float = DEFAULT_MACHINE_PRICE_PER_HOUR, repeat: int = 1) -> dict[str, Any]:
    from leadscribe.pipeline import enrich

    # One untimed run loads every stage's models (spaCy, MiniLM, CAM++...): a server or worker
    # pays that once at start, not per call, so it does not belong in the per-call figures.
    started = perf_counter()
    enrich(Path(audio[0]), settings)
    warm_up_seconds = perf_counter() - started
    files = [bench_file(Path(p), settings, repeat) for p in audio]
    audio_seconds = sum(f["audio_seconds"] for f in files)
    enrich_seconds = sum(f["enrich_seconds"] for f in files)
    plain_seconds = sum(f["plain_whisper_seconds"] for f in files)
    stages: dict[str, float] = {}
    for f in files:
        for stage, seconds in f["seconds_by_stage"].items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    sequential_rate = audio_seconds / enrich_seconds if enrich_seconds else None
    result: dict[str, Any] = {
        "settings": {"model": settings.model, "compute_type": settings.compute_type,
                     "cpu_threads": settings.cpu_threads, "cpu_count": os.cpu_count()},
        "warm_up_seconds": warm_up_seconds,
        "files": files,
        "total": {"audio_seconds": audio_seconds, "enrich_seconds": enrich_seconds,
                  "plain_whisper_seconds": plain_seconds,
                  "overhead_ratio": enrich_seconds / plain_seconds if plain_seconds else None,
                  "rtf_total": enrich_seconds / audio_seconds if audio_seconds else None,
                  "rtf_by_stage": {s: v / audio_seconds for s, v in stages.items()} if audio_seconds else {},
                  **shares_of_transcription(stages),
                  **added_by_speakers(sum(f["up_to_speakers_seconds"] for f in files),
                                      sum(f["transcription_only_seconds"] for f in files))},
        "peak_rss_mb": peak_rss_mb(),
        "sequential": {"audio_hours_per_hour": sequential_rate},
    }
    best_rate = sequential_rate
    if parallel > 1:
        result["parallel"] = parallel_throughput([Path(p) for p in audio], settings, parallel)
        best_rate = max(filter(None, [best_rate, result["parallel"]["audio_hours_per_hour"]]), default=None)
    result["cost"] = cost_model(best_rate, machine_price_per_hour)
    return result
