"""Speech to words with faster-whisper: word timestamps, word confidence, language.

Guards against Whisper's invented text on silence, hold music and long pauses:
- Silero VAD finds the speech first; Whisper only decodes speech regions (`clip_timestamps`),
  so a 30 s silent stretch is never decoded at all. Regions are merged across short pauses
  because cutting a conversation at every pause costs Whisper its context (measured on the
  callytics calls: faster-whisper's own `vad_filter` raised WER from 0.185 to 0.246);
- `hallucination_silence_threshold` skips silent gaps Whisper still tries to fill;
- words that fall outside every speech region are dropped;
- segments Whisper itself believes are not speech and that decode poorly are dropped, and
  known "silence phrases" (subtitle credits, "thanks for watching") with weak confidence.

Whisper sometimes skips speech: vocabulary biasing (hotwords), which helps it spell names,
can make it drop whole sentences (seen on the callytics calls), and a long-form decode can
jump over a turn (a synthetic call lost the prospect's 8 s e-mail and phone answer between
two of the rep's turns). Speech left without words, a whole region or a stretch inside one,
is therefore decoded again on its own and without the bias, so no heard speech is lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from leadscribe.audio.decode import SAMPLE_RATE
from leadscribe.errors import AudioError, LeadscribeError
from leadscribe.schema import Segment, Word
from leadscribe.speech.utterances import join_words

ProgressCallback = Callable[[float], None]

# Silero settings for finding speech: sensitive (telephone audio is quiet), generous padding.
SPEECH_VAD = VadOptions(threshold=0.35, min_speech_duration_ms=150, min_silence_duration_ms=700, speech_pad_ms=300)
# Speech regions closer than this are decoded as one stretch, keeping Whisper's context.
MERGE_GAP_S = 6.0
# A word must overlap a speech region widened by this much, or it was invented.
WORD_SPEECH_TOLERANCE_S = 0.5
# Speech at least this long with under this share covered by words was skipped by the decoder.
SKIPPED_SPEECH_MIN_S = 1.0
SKIPPED_SPEECH_COVERAGE = 0.2
# Inside a speech region (Silero splits regions at pauses of 0.7 s), a stretch this long between words was skipped.
# Measured on the standard set's mono calls: stretches without words inside a region were at most 1.2 s, except where
# the reference holds speech Whisper did not write (AMI overlap: 1.7-3.8 s). On 144 synthetic calls, 10 held such
# stretches (1.6-17.3 s; a skipped turn of 9.5 s); decoding them again took those calls' WER from 31.7% to 27.0%.
WORDLESS_STRETCH_S = 1.5

# Phrases Whisper emits on silence/music (it learned them from subtitle files).
_SILENCE_PHRASES = re.compile(
    r"^\W*(thank(s| you)( so much)? for watching|please subscribe|subtitles? by|"
    r"amara\.org|transcription by|\[?(music|silence|blank_audio)\]?|you)\W*$",
    re.IGNORECASE,
)
# Tokens Whisper may write per 30 s window: OpenAI Whisper's own limit (`sample_len`, half the
# text context), well above fast speech (~170 English words). faster-whisper allows 448, and a
# window decoded in the wrong language can loop to that length at each of the six fallback
# temperatures (AMI trn08 heard as Welsh: about 10 s per attempt, minutes per 30 s of audio).
MAX_NEW_TOKENS = 224
# A segment with Whisper's no-speech probability above this and a weak decode is dropped.
NO_SPEECH_PROB = 0.6
WEAK_LOGPROB = -1.0


@dataclass
class TranscribeOptions:
    language: Optional[str] = None
    languages: tuple[str, ...] = ()
    """Languages the call may be in; detection picks among them. Empty: any."""
    beam_size: int = 5
    vocabulary: tuple[str, ...] = ()


def vocabulary_prompt(terms: Iterable[str]) -> Optional[str]:
    """Hotwords string for faster-whisper: the terms, comma-separated, capped in length.

    Whisper's prompt holds at most 224 tokens, half of which faster-whisper gives to
    hotwords; ~400 characters stay well inside that.
    """
    text = ", ".join(t.strip() for t in terms if t.strip())
    return text[:400] or None


def find_speech(samples: np.ndarray) -> list[tuple[float, float]]:
    """Speech regions (seconds) by Silero VAD."""
    return [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE)
            for r in get_speech_timestamps(samples, SPEECH_VAD, sampling_rate=SAMPLE_RATE)]


def merge_regions(regions: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in regions:
        if merged and start - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def skipped_speech(speech: list[tuple[float, float]], segments: list[Segment]) -> list[tuple[float, float]]:
    """Speech the decoder left without words: regions (almost) without any, and stretches of at least
    WORDLESS_STRETCH_S between the words of the others."""
    spans = sorted((w.start, w.end) for s in segments for w in s.words)
    skipped = []
    for region in speech:
        length = region[1] - region[0]
        if length < SKIPPED_SPEECH_MIN_S:
            continue
        inside = [span for span in spans if _overlap(region, span) > 0]
        if sum(_overlap(region, span) for span in inside) / length < SKIPPED_SPEECH_COVERAGE:
            skipped.append(region)
            continue
        heard_until = region[0]
        for start, end in inside + [(region[1], region[1])]:
            if start - heard_until >= WORDLESS_STRETCH_S:
                skipped.append((heard_until, start))
            heard_until = max(heard_until, end)
    return skipped


@dataclass
class ChannelTranscript:
    segments: list[Segment]
    language: str
    language_probability: float
    speech_seconds: float
    """How much speech the VAD heard on the channel, words or not."""


def transcribe_channel(model, samples: np.ndarray, options: TranscribeOptions, channel: Optional[int],
                       on_progress: Optional[ProgressCallback] = None) -> ChannelTranscript:
    """Transcribe one channel: its segments, detected language and its probability, speech heard."""
    speech = find_speech(samples)
    if not speech:
        return ChannelTranscript([], options.language or "", 0.0, 0.0)
    # Edges count as pauses too: decoding from 0 rather than from the first word keeps
    # Whisper's 30 s windows where plain faster-whisper would put them.
    duration = len(samples) / SAMPLE_RATE
    stretches = merge_regions([(0.0, 0.0)] + speech + [(duration, duration)], MERGE_GAP_S)
    stretches = [(a, b) for a, b in stretches if b > a]
    hotwords = vocabulary_prompt(options.vocabulary)
    chosen, probability = None, 1.0
    if options.language is None:  # heard from where the speech starts, not from a silent or ringing lead-in
        chosen, probability = detect_language(model, samples[int(speech[0][0] * SAMPLE_RATE):], options.languages)
    segments, language, _ = _decode(model, samples, options, channel, stretches, hotwords, on_progress,
                                    language=chosen)
    missed = skipped_speech(speech, segments)
    if missed:
        # Decoded with the context of nearby skipped speech; only the words that fill what was skipped are taken.
        again, _, _ = _decode(model, samples, options, channel, merge_regions(missed, MERGE_GAP_S), None, None,
                              language=language)
        in_missed = lambda w: _midpoint_in(w, missed)  # noqa: E731
        kept = _select_words(segments, lambda w: not in_missed(w))
        repeated = edge_repeats([w for s in again for w in s.words if in_missed(w)],
                                [w for s in kept for w in s.words], missed)
        refilled = _select_words(again, lambda w: in_missed(w) and id(w) not in repeated)
        for word in (w for segment in refilled for w in segment.words):
            word.reheard = True
        segments = sorted(kept + refilled, key=lambda s: s.start)
    widened = [(a - WORD_SPEECH_TOLERANCE_S, b + WORD_SPEECH_TOLERANCE_S) for a, b in speech]
    segments = _select_words(segments, lambda w: any(_overlap((w.start, w.end), r) > 0 for r in widened))
    return ChannelTranscript(segments, language, probability, sum(b - a for a, b in speech))


def _decode(model, samples, options: TranscribeOptions, channel, stretches, hotwords, on_progress,
            language: Optional[str] = None) -> tuple[list[Segment], str, float]:
    clips = [t for start, end in stretches for t in (round(start, 3), round(end, 3))]
    segments_iter, info = model.transcribe(
        samples,
        language=language or options.language,
        beam_size=options.beam_size,
        word_timestamps=True,
        clip_timestamps=clips,
        hotwords=hotwords,
        condition_on_previous_text=False,
        hallucination_silence_threshold=2.0,
        max_new_tokens=MAX_NEW_TOKENS,
    )
    segments: list[Segment] = []
    for raw in segments_iter:
        if on_progress is not None:
            on_progress(raw.end)
        segment = _to_segment(raw, info.language, channel)
        if segment is not None:
            segments.append(segment)
    return segments, info.language, info.language_probability


# How near a stretch's edge the first-pass word its re-decode repeats must be.
REPEAT_WINDOW_S = 1.0


def _spoken(word: Word) -> str:
    return re.sub(r"[^\w']", "", word.word.lower())


def edge_repeats(refilled: list[Word], kept: list[Word], stretches: list[tuple[float, float]]) -> set[int]:
    """The ids of re-decoded words that repeat the first-pass word just outside their stretch: Whisper timed that
    word late or early, so its midpoint fell outside ("Hello" at 4.4-4.9 s after a region of 3.2-4.6 s), and the
    second decode heard it again inside. Only the first and last word of a stretch can be such a repeat."""
    middle = lambda w: (w.start + w.end) / 2  # noqa: E731
    repeats = set()
    for start, end in stretches:
        inside = sorted((w for w in refilled if start <= middle(w) <= end), key=middle)
        before = [w for w in kept if middle(w) < start and w.end >= start - REPEAT_WINDOW_S]
        after = [w for w in kept if middle(w) > end and w.start <= end + REPEAT_WINDOW_S]
        if inside and before and _spoken(inside[0]) == _spoken(max(before, key=middle)):
            repeats.add(id(inside[0]))
        if inside and after and _spoken(inside[-1]) == _spoken(min(after, key=middle)):
            repeats.add(id(inside[-1]))
    return repeats


def _midpoint_in(word: Word, regions: list[tuple[float, float]]) -> bool:
    middle = (word.start + word.end) / 2
    return any(start <= middle <= end for start, end in regions)


def _select_words(segments: list[Segment], keep: Callable[[Word], bool]) -> list[Segment]:
    """Segments reduced to the words `keep` accepts; segments left empty are dropped."""
    selected = []
    for segment in segments:
        words = [w for w in segment.words if keep(w)]
        if len(words) == len(segment.words):
            selected.append(segment)
        elif words:
            selected.append(segment.model_copy(update={
                "words": words, "start": words[0].start, "end": words[-1].end,
                "text": join_words(words)}))
    return selected


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


# Whisper's language guess is heard from one 30 s window. Below UNSURE_LANGUAGE, the likeliest LANGUAGE_CONTENDERS
# languages with at least LANGUAGE_CONTENDER_MIN_P each decode that window (`fluency_of`, judged by Whisper's own
# thresholds for a failed decode: repetitive text, improbable tokens), and each utterance gets its own language check.
LANGUAGE_WINDOW_S = 30
UNSURE_LANGUAGE = 0.8
LANGUAGE_CONTENDERS = 2
LANGUAGE_CONTENDER_MIN_P = 0.1
FAILED_COMPRESSION_RATIO = 2.4
FAILED_LOGPROB = -1.0


def detect_language(model, samples: np.ndarray, allowed: tuple[str, ...] = ()) -> tuple[str, float]:
    """Language of (the first 30 s of) `samples` and its probability; the likeliest of `allowed`
    when the user named the languages their calls are in. When Whisper is unsure between two
    languages, each decodes the audio once and the one the model reads more fluently wins
    (`fluency_of`): Whisper base takes far-field English for Welsh at p=0.44-0.55 and then invents
    Welsh text for minutes (AMI trn08: cy 0.51 against en 0.48, and 162 s to transcribe its 30 s; the Welsh decode
    fails Whisper's compression check, the English one does not, and the call takes 12 s in English)."""
    if not model.model.is_multilingual:
        return "en", 1.0
    window = samples[: LANGUAGE_WINDOW_S * SAMPLE_RATE]
    _, _, ranked = model.detect_language(window)  # likeliest first, as faster-whisper itself reads it
    if allowed:
        ranked = [(code, p) for code, p in ranked if code in allowed] or ranked
    language, probability = ranked[0]
    contenders = [code for code, p in ranked[:LANGUAGE_CONTENDERS] if p >= LANGUAGE_CONTENDER_MIN_P]
    if probability < UNSURE_LANGUAGE and len(contenders) > 1:
        language = max(contenders, key=lambda code: fluency_of(model, window, code))
        probability = dict(ranked)[language]
    return language, probability


def fluency_of(model, window: np.ndarray, language: str) -> tuple[bool, float]:
    """How well `window` decodes in `language` (greedy, one temperature, no timestamps): whether the decode
    passes Whisper's own failure checks (a wrong language loops or stumbles), then its mean log-probability
    per token. Larger is better; tuples compare in that order."""
    segments, _ = model.transcribe(window, language=language, beam_size=1, temperature=0.0, without_timestamps=True,
                                   condition_on_previous_text=False, max_new_tokens=MAX_NEW_TOKENS)
    segments = list(segments)
    tokens = sum(len(s.tokens) for s in segments)
    if not tokens:
        return False, float("-inf")
    logprob = sum(s.avg_logprob * len(s.tokens) for s in segments) / tokens
    fluent = all(s.compression_ratio <= FAILED_COMPRESSION_RATIO for s in segments) and logprob > FAILED_LOGPROB
    return fluent, logprob


def check_languages(model, language: Optional[str], languages: list[str]) -> None:
    """Stop with a clear error for a language code the model does not know (a typo in a setting
    would otherwise surface as an internal error, or silently allow no language at all)."""
    known = set(model.supported_languages)
    unknown = [code for code in ([language] if language else []) + list(languages) if code not in known]
    if unknown:
        raise LeadscribeError(f"unknown language code {', '.join(map(repr, unknown))} for this model: use ISO 639-1 "
                              f"codes it knows ({', '.join(sorted(known)[:8])}, ...)", code="bad_language")


def transcribe(call, ctx) -> None:
    """Stage: fill `call.segments` (all channels), words with confidence and language."""
    from leadscribe.speech.models import load_whisper, model_label

    settings = ctx.settings
    model = load_whisper(settings.model, settings.cache_dir, settings.compute_type, settings.cpu_threads)
    check_languages(model, settings.language, settings.languages)
    options = TranscribeOptions(language=settings.language, languages=tuple(settings.languages),
                                beam_size=settings.beam_size,
                                vocabulary=tuple(t for terms in settings.vocabulary.values() for t in terms))
    channels = call.samples.shape[0]
    total = call.file.audio_duration * channels
    segments: list[Segment] = []
    heard: list[ChannelTranscript] = []
    for index in range(channels):
        channel = index if channels > 1 else None
        offset = index * call.file.audio_duration
        result = transcribe_channel(model, call.samples[index], options, channel,
                                    on_progress=lambda t, offset=offset: ctx.progress("transcribe", offset + t, total))
        found = result.segments
        if settings.language is None and result.language_probability < UNSURE_LANGUAGE and model.model.is_multilingual:
            found = [_relabel_language(model, call.samples[index], s, options.languages) for s in found]
        segments.extend(found)
        heard.append(result)
    ctx.progress("transcribe", total, total)
    reheard = [w for s in segments for w in s.words if w.reheard]
    if reheard:
        ctx.notes.append(f"Whisper skipped speech and heard it only when decoding it again ({len(reheard)} words, "
                         f"{min(w.start for w in reheard):.1f}-{max(w.end for w in reheard):.1f} s): "
                         f"CRM values from those words go to review")
    speech_seconds = sum(r.speech_seconds for r in heard)
    if not segments and speech_seconds >= SKIPPED_SPEECH_MIN_S:
        # Not silence: speech was heard and nothing it decoded passed the guards against invented text.
        # Most often Whisper took the language for another one (far-field English heard as Welsh).
        guess = max(heard, key=lambda r: r.speech_seconds)
        raise AudioError(f"{speech_seconds:.1f} s of speech were heard but none could be transcribed "
                         f"(language detected: {guess.language or 'unknown'}, probability "
                         f"{guess.language_probability:.2f}); if you know the call's language, set it with "
                         f"--language or LEADSCRIBE_LANGUAGE, or name the languages your calls are in "
                         f"with --languages or LEADSCRIBE_LANGUAGES", code="not_transcribed")
    call.segments = sorted(segments, key=lambda s: (s.start, s.channel or 0))
    call.metadata.model = model_label(settings.model)


def _relabel_language(model, samples: np.ndarray, segment: Segment, allowed: tuple[str, ...]) -> Segment:
    start, end = int(segment.start * SAMPLE_RATE), int(segment.end * SAMPLE_RATE)
    if end - start < 2 * SAMPLE_RATE:  # too short to tell reliably
        return segment
    language, probability = detect_language(model, samples[start:end], allowed)
    return segment.model_copy(update={"language": language}) if probability >= 0.5 else segment
