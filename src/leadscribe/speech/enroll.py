"""Rep enrolment: a voiceprint per sales rep, so calls recognise the rep by voice.

A voiceprint is the mean speaker embedding of a rep's speech, stored as one JSON file
per rep in the voiceprint folder (`settings.voiceprints_dir`, default
`<cache_dir>/voiceprints`). It records which speaker model made it: embeddings of
different models are not comparable, so a print only matches calls diarized with the
same model.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from leadscribe.config import Settings
from leadscribe.errors import LeadscribeError

# Less speech than this gives a voiceprint too noisy to tell two voices apart.
MIN_ENROL_SPEECH_S = 3.0
# Enrolment speech is embedded in spans of this length, then averaged.
ENROL_SPAN_S = 2.5


class EnrolmentError(LeadscribeError):
    code = "enrolment_failed"


@dataclass
class Voiceprint:
    name: str
    model: str
    embedding: np.ndarray
    speech_seconds: float
    sources: list[str]
    created_at: str


def voiceprints_dir(settings: Settings) -> Path:
    return Path(settings.voiceprints_dir or Path(settings.cache_dir) / "voiceprints")


def _file_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise EnrolmentError(f"'{name}' is not a usable rep name (use letters or digits)")
    return f"{slug}.json"


def speech_spans(samples: np.ndarray, span_s: float = ENROL_SPAN_S) -> list[tuple[float, float]]:
    """Silero speech regions cut into spans of at most `span_s` seconds."""
    from leadscribe.speech.transcribe import find_speech

    spans = []
    for start, end in find_speech(samples):
        while end - start > 0.5:
            spans.append((start, min(end, start + span_s)))
            start += span_s
    return spans


def voiceprint_from_audio(paths: Sequence[Path], settings: Settings) -> tuple[np.ndarray, float]:
    """Mean, L2-normalised embedding of the speech in `paths` (each mixed down to mono)."""
    from leadscribe.audio.decode import decode_audio
    from leadscribe.speech.voice import encoder_for

    encoder = encoder_for(settings)
    embeddings, weights = [], []
    for path in paths:
        audio = decode_audio(Path(path), max_duration_s=settings.max_duration_minutes * 60,
                             max_bytes=int(settings.max_file_mb * 1e6))
        mono = audio.samples.mean(axis=0).astype(np.float32)
        spans = speech_spans(mono)
        if spans:
            embeddings.append(encoder.embed_spans(mono, spans))
            weights.extend(end - start for start, end in spans)
    speech = float(sum(weights))
    if speech < MIN_ENROL_SPEECH_S:
        raise EnrolmentError(f"only {speech:.1f} s of speech found; enrolment needs at least "
                             f"{MIN_ENROL_SPEECH_S:.0f} s of the rep talking")
    mean = np.average(np.concatenate(embeddings), axis=0, weights=np.array(weights))
    return mean / np.linalg.norm(mean), speech


def enroll(name: str, paths: Sequence[Path], settings: Settings) -> Path:
    """Store (or replace) the voiceprint of rep `name` from their recordings; return its file."""
    from leadscribe.speech.voice import encoder_for

    target = voiceprints_dir(settings) / _file_name(name)
    embedding, speech = voiceprint_from_audio(paths, settings)
    record = {
        "name": name,
        "model": encoder_for(settings).name,
        "embedding": [round(float(x), 6) for x in embedding],
        "speech_seconds": round(speech, 2),
        "sources": [str(Path(p).name) for p in paths],
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.part")
    partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
    partial.replace(target)  # readers never see half a file
    return target


def load_voiceprints(settings: Settings) -> list[Voiceprint]:
    folder = voiceprints_dir(settings)
    prints = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            prints.append(Voiceprint(name=data["name"], model=data["model"],
                                     embedding=np.asarray(data["embedding"], dtype=np.float32),
                                     speech_seconds=float(data.get("speech_seconds", 0.0)),
                                     sources=list(data.get("sources", [])), created_at=data.get("created_at", "")))
        except (OSError, ValueError, KeyError) as exc:
            raise EnrolmentError(f"voiceprint file {path} is unreadable ({exc}); re-enrol or delete it") from None
    return prints


def remove_voiceprint(name: str, settings: Settings) -> Path:
    path = voiceprints_dir(settings) / _file_name(name)
    if not path.exists():
        raise EnrolmentError(f"no enrolled rep named '{name}'")
    path.unlink()
    return path
