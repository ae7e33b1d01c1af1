"""Speech to words with faster-whisper: word timestamps, word confidence, language.

Guards against Whisper's invented text on silence and hold music:
- Silero VAD (inside faster-whisper) removes non-speech before decoding;
- `hallucination_silence_threshold` skips silent gaps Whisper tries to fill;
- segments Whisper itself believes are not speech and that decode poorly are dropped;
- known "silence phrases" (subtitle credits, "thanks for watching") are dropped when
  they come with weak confidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

import numpy as np

from leadscribe.audio.decode import SAMPLE_RATE
from leadscribe.schema import Segment, Word

ProgressCallback = Callable[[float], None]

# Phrases Whisper emits on silence/music (it learned them from subtitle files).
_SILENCE_PHRASES = re.compile(
    r"^\W*(thank(s| you)( so much)? for watching|please subscribe|subtitles? by|"
    r"amara\.org|transcription by|\[?(music|silence|blank_audio)\]?|you)\W*$",
    re.IGNORECASE,
)
# A segment with Whisper's no-speech probability above this and a weak decode is dropped.
NO_SPEECH_PROB = 0.6
WEAK_LOGPROB = -1.0


@dataclass
class TranscribeOptions:
    language: Optional[str] = None
    beam_size: int = 5
    vocabulary: tuple[str, ...] = ()


def vocabulary_prompt(terms: Iterable[str]) -> Optional[str]:
    """Hotwords string for faster-whisper: the terms, comma-separated, capped in length.

    Whisper's prompt holds at most 224 tokens, half of which faster-whisper gives to
    hotwords; ~400 characters stay well inside that.
    """
    text = ", ".join(t.strip() for t in terms if t.strip())
    return text[:400] or None


def transcribe_channel(model, samples: np.ndarray, options: TranscribeOptions, channel: Optional[int],
                       on_progress: Optional[ProgressCallback] = None) -> tuple[list[Segment], str, float]:
    """Transcribe one channel; return its segments, detected language and its probability."""
    segments_iter, info = model.transcribe(
        samples,
        language=options.language,
        beam_size=options.beam_size,
        word_timestamps=True,
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
        hotwords=vocabulary_prompt(options.vocabulary),
        condition_on_previous_text=False,
        hallucination_silence_threshold=2.0,
    )
    segments: list[Segment] = []
    for raw in segments_iter:
        if on_progress is not None:
            on_progress(raw.end)
        segment = _to_segment(raw, info.language, channel)
        if segment is not None:
            segments.append(segment)
    return segments, info.language, info.language_probability


def _to_segment(raw, language: str, channel: Optional[int]) -> Optional[Segment]:
    if raw.no_speech_prob > NO_SPEECH_PROB and raw.avg_logprob < WEAK_LOGPROB:
        return None
    words = [
        Word(word=w.word.strip(), start=round(w.start, 3), end=round(w.end, 3),
             confidence=round(w.probability, 4), channel=channel, raw=w.word)
        for w in (raw.words or []) if w.word.strip()
    ]
    if not words:
        return None
    mean_confidence = sum(w.confidence for w in words) / len(words)
    if _SILENCE_PHRASES.match(raw.text.strip()) and mean_confidence < 0.6:
        return None
    return Segment(channel=channel, start=words[0].start, end=words[-1].end, text=raw.text.strip(),
                   language=language, avg_logprob=raw.avg_logprob, no_speech_prob=raw.no_speech_prob,
                   words=words)


def detect_language(model, samples: np.ndarray) -> tuple[str, float]:
    """Language of a stretch of audio (used per utterance when the call's language is unsure)."""
    language, probability, _ = model.detect_language(samples[: 30 * SAMPLE_RATE])
    return language, probability


# Below this call-level language probability each utterance gets its own language check.
UNSURE_LANGUAGE = 0.8


def transcribe(call, ctx) -> None:
    """Stage: fill `call.segments` (all channels), words with confidence and language."""
    from leadscribe.speech.models import load_whisper, model_label

    settings = ctx.settings
    model = load_whisper(settings.model, settings.cache_dir, settings.compute_type, settings.cpu_threads)
    options = TranscribeOptions(language=settings.language, beam_size=settings.beam_size,
                                vocabulary=tuple(t for terms in settings.vocabulary.values() for t in terms))
    channels = call.samples.shape[0]
    total = call.file.audio_duration * channels
    segments: list[Segment] = []
    for index in range(channels):
        channel = index if channels > 1 else None
        offset = index * call.file.audio_duration
        found, language, probability = transcribe_channel(
            model, call.samples[index], options, channel,
            on_progress=lambda t, offset=offset: ctx.progress("transcribe", offset + t, total))
        if settings.language is None and probability < UNSURE_LANGUAGE and model.model.is_multilingual:
            found = [_relabel_language(model, call.samples[index], s) for s in found]
        segments.extend(found)
    ctx.progress("transcribe", total, total)
    call.segments = sorted(segments, key=lambda s: (s.start, s.channel or 0))
    call.metadata.model = model_label(settings.model)


def _relabel_language(model, samples: np.ndarray, segment: Segment) -> Segment:
    start, end = int(segment.start * SAMPLE_RATE), int(segment.end * SAMPLE_RATE)
    if end - start < 2 * SAMPLE_RATE:  # too short to tell reliably
        return segment
    language, probability = detect_language(model, samples[start:end])
    return segment.model_copy(update={"language": language}) if probability >= 0.5 else segment
