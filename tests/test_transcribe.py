"""Transcription with the real Whisper models on real audio."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jiwer
import numpy as np
import pytest

from tests.audio_helpers import words_text, write_wav
from leadscribe.audio.decode import SAMPLE_RATE, decode_audio
from leadscribe.config import Settings
from leadscribe.errors import ModelError
from leadscribe.pipeline import enrich
from leadscribe.schema import Segment, Word
from leadscribe.speech import models
from leadscribe.speech import transcribe as transcribe_module


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower()).split())


def test_whisper_base_is_joined_once_and_verified(tmp_path):
    folder = models.whisper_base_dir(tmp_path)
    assert models.file_sha256(folder / "model.bin") == models.WHISPER_BASE_SHA256
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert models.whisper_base_dir(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # reused, not joined again


def test_a_corrupt_joined_model_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "WHISPER_BASE_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="checksum"):
        models.whisper_base_dir(tmp_path)
    assert not (tmp_path / "whisper-base" / "model.bin").exists()


def test_model_folder_must_be_ctranslate2(tmp_path):
    with pytest.raises(ModelError, match="not a CTranslate2 Whisper folder"):
        models.resolve_model_dir(str(tmp_path), tmp_path)
    with pytest.raises(ModelError, match="unknown model"):
        models.resolve_model_dir("huge-v9", tmp_path)


def test_models_load_once_per_process(settings):
    first = models.load_whisper("tiny.en", settings.cache_dir)
    assert models.load_whisper("tiny.en", settings.cache_dir) is first


SAMPLED_DECODE = """
import sys
from faster_whisper.audio import decode_audio
from leadscribe.speech.models import load_whisper
model = load_whisper("tiny.en", sys.argv[2])
samples = decode_audio(sys.argv[1])
segments, _ = model.transcribe(samples, temperature=1.0, beam_size=1, best_of=1, condition_on_previous_text=False)
print(" ".join(segment.text for segment in segments))
"""


def test_whisper_samples_the_same_words_on_every_run(settings):
    # Each run a fresh process, decoding only by sampling (as Whisper's fallback does): unseeded, two runs of the
    # JFK clip come out worded differently.
    clip = Path(__file__).parent / "data" / "jfk.flac"
    runs = [subprocess.run([sys.executable, "-c", SAMPLED_DECODE, str(clip), str(settings.cache_dir)],
                           capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[0].stderr[-2000:]
    assert runs[0].stdout.strip() and runs[0].stdout == runs[1].stdout


def test_phone_call_8khz_default_model(shared_dir, settings):
    reports = []
    call = enrich(shared_dir / "callytics-csvd" / "Call01.wav", settings,
                  on_progress=lambda stage, done, total: reports.append((stage, done, total)))
    assert call.status == "done", call.error
    transcribe_reports = [(done, total) for stage, done, total in reports if stage == "transcribe"]
    assert len(transcribe_reports) > 3 and transcribe_reports[-1] == (73.5, 73.5)
    assert all(a[0] <= b[0] for a, b in zip(transcribe_reports, transcribe_reports[1:]))
    assert call.file.sample_rate == 8000 and call.file.number_of_channels == 1
    assert call.metadata.model == "whisper-base"
    assert set(call.metadata.timings) >= {"decode", "transcribe", "diarize", "utterances"}
    assert call.transcription.languages[0] == "en"
    reference = " ".join(line.split(None, 5)[5] for line in open(shared_dir / "callytics-csvd" / "Call01.stm"))
    assert jiwer.wer(normalise(reference), normalise(words_text(call))) < 0.3
    words = [w for u in call.transcription.utterances for w in u.words]
    assert all(0.0 <= w.confidence <= 1.0 and w.start <= w.end for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert "emily" in words_text(call).lower()


def test_tiny_en_on_8khz_sentence(data_dir):
    call = enrich(data_dir / "LDC93S1_pcms16le_1_8000.wav", Settings.load(model="tiny.en"))
    assert call.status == "done", call.error
    assert call.metadata.model == "whisper-tiny.en"
    assert jiwer.wer("she had your dark suit in greasy wash water all year", normalise(words_text(call))) <= 0.2


def test_dual_channel_is_transcribed_per_channel(data_dir, settings):
    call = enrich(data_dir / "stereo_diarization.wav", settings)
    assert call.status == "done", call.error
    by_channel = {}
    for u in call.transcription.utterances:
        by_channel.setdefault(u.channel, []).append(u.text)
    assert set(by_channel) == {0, 1}
    left, right = normalise(" ".join(by_channel[0])), normalise(" ".join(by_channel[1]))
    assert "wizard" in left and "horizon" not in left
    assert "horizon" in right and "wizard" not in right
    assert {s.channel for s in call.speakers} == {0, 1}
    starts = [u.start for u in call.transcription.utterances]
    assert starts == sorted(starts)
    # Both read at once: one utterance per channel, not their words alternating in time.
    assert len(by_channel[0]) == 1 and len(by_channel[1]) == 1


def test_stereo_copy_is_one_speaker(data_dir, settings):
    call = enrich(data_dir / "jfk.flac", settings)
    assert call.status == "done" and call.file.channels_identical
    assert len(call.speakers) == 1 and call.transcription.utterances[0].channel is None
    assert "channels are copies" in call.metadata.warnings[0]
    assert normalise(words_text(call)).count("fellow americans") == 1


def test_spanish_clip_detects_language(data_dir, settings):
    call = enrich(data_dir / "test_es.wav", settings)
    assert call.status == "done", call.error
    assert call.transcription.languages == ["es"]
    assert all(u.language == "es" for u in call.transcription.utterances)
    assert "arenas" in words_text(call).lower()


def test_thirty_seconds_of_silence_yield_no_words(tmp_path, data_dir, settings):
    speech = decode_audio(data_dir / "LDC93S1_pcms16le_1_8000.wav", 60, 10**9).samples[0]
    rng = np.random.default_rng(0)
    hiss = (rng.standard_normal(30 * SAMPLE_RATE) * 0.002).astype(np.float32)  # line noise, not speech
    path = write_wav(tmp_path / "pause.wav", np.concatenate([speech, hiss, speech]))
    call = enrich(path, settings)
    assert call.status == "done", call.error
    gap_start, gap_end = len(speech) / SAMPLE_RATE, (len(speech) + len(hiss)) / SAMPLE_RATE
    words = [w for u in call.transcription.utterances for w in u.words]
    assert not [w for w in words if w.start > gap_start + 0.5 and w.end < gap_end - 0.5]
    assert normalise(words_text(call)).count("greasy") == 2


def segment_of(spans: list[tuple[float, float]]) -> Segment:
    words = [Word(word="word", start=a, end=b, confidence=0.9) for a, b in spans]
    return Segment(start=spans[0][0], end=spans[-1][1], text="", language="en", avg_logprob=-0.2, no_speech_prob=0.1,
                   words=words)


def test_speech_left_without_words_is_found():
    speech = [(0.0, 10.0), (12.0, 12.8), (20.0, 24.0)]
    # 2.0-7.0 s inside the first region has no words; the last region has none at all; the short one is ignored.
    segments = [segment_of([(0.3, 1.0), (1.2, 2.0), (7.0, 8.0), (8.1, 9.8)])]
    assert transcribe_module.skipped_speech(speech, segments) == [(2.0, 7.0), (20.0, 24.0)]


def test_pauses_between_words_are_not_skipped_speech():
    segments = [segment_of([(0.3, 1.0), (2.2, 3.0), (4.2, 5.8)])]  # 1.2 s pauses, the longest seen in real speech
    assert transcribe_module.skipped_speech([(0.0, 6.0)], segments) == []


def test_a_stretch_whisper_skipped_is_decoded_again(data_dir, settings, monkeypatch):
    """Whisper jumping over words in the middle of speech (here made to, by dropping what the first decode wrote
    between "Americans" and the second "ask"): that stretch is decoded again on its own, its words come back marked
    as heard on a second decode, and the call says so."""
    real_decode = transcribe_module._decode
    calls = []

    def first_pass_skips(model, samples, options, channel, stretches, hotwords, on_progress, language=None):
        segments, found, probability = real_decode(model, samples, options, channel, stretches, hotwords,
                                                   on_progress, language)
        calls.append(stretches)
        if len(calls) == 1:
            segments = transcribe_module._select_words(segments, lambda w: not 2.5 < (w.start + w.end) / 2 < 7.5)
        return segments, found, probability

    monkeypatch.setattr(transcribe_module, "_decode", first_pass_skips)
    call = enrich(data_dir / "jfk.flac", settings)
    assert call.status == "done", call.error
    assert len(calls) == 2
    words = [w for u in call.transcription.utterances for w in u.words]
    assert normalise(words_text(call)).count("country") == 2
    reheard = [normalise(w.word) for w in words if w.reheard]
    assert "country" in reheard and "americans" not in reheard and reheard.count("country") == 1
    assert any("heard it only when decoding it again" in warning for warning in call.metadata.warnings)


def test_speech_decoded_in_full_is_not_decoded_again(data_dir, settings, monkeypatch):
    real_decode = transcribe_module._decode
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[4])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(transcribe_module, "_decode", counted)
    call = enrich(data_dir / "jfk.flac", settings)
    assert call.status == "done" and len(calls) == 1
    assert not any(w.reheard for u in call.transcription.utterances for w in u.words)


def test_noise_only_is_a_clear_error(tmp_path, settings):
    rng = np.random.default_rng(1)
    path = write_wav(tmp_path / "hiss.wav", (rng.standard_normal(10 * SAMPLE_RATE) * 0.01).astype(np.float32))
    call = enrich(path, settings)
    assert call.status == "error" and call.error_code == "no_speech"
    assert "no speech" in call.error


def test_vocabulary_is_kept_on_the_result(data_dir):
    vocabulary = {"companies": ["Acme Logistics"], "people": ["David Chen"]}
    call = enrich(data_dir / "LDC93S1_pcms16le_1_8000.wav", Settings.load(model="tiny.en", vocabulary=vocabulary))
    assert call.status == "done"
    assert call.metadata.vocabulary == vocabulary
    assert '"vocabulary"' in call.to_json()


def test_speech_that_yields_no_words_is_not_called_silence(data_dir, monkeypatch):
    """When the guards reject everything Whisper wrote for real speech (it took far-field English
    for Welsh on an AMI meeting), the error says speech was heard and how to fix it."""
    def nothing_accepted(model, samples, options, channel, stretches, hotwords, on_progress, language=None):
        return [], "cy", 0.55

    monkeypatch.setattr(transcribe_module, "_decode", nothing_accepted)
    call = enrich(data_dir / "jfk.flac", Settings.load(model="tiny.en"))
    assert call.status == "error" and call.error_code == "not_transcribed"
    assert "speech were heard" in call.error and "language detected: cy" in call.error
    assert "LEADSCRIBE_LANGUAGE" in call.error


def test_expected_languages_keep_far_field_english_from_becoming_welsh(shared_dir):
    """Whisper base rates this AMI meeting excerpt Welsh (p 0.53) or English (p 0.54) depending
    on the audio it hears first, and in Welsh it writes repetitive invented text. With the
    calls' languages named, detection picks among them: the words are English."""
    call = enrich(shared_dir / "pyannote-audio/ami/trn08.wav", Settings.load(languages=["en", "es"]))
    assert call.status == "done", call.error
    assert call.transcription.languages == ["en"]
    words = normalise(" ".join(u.text for u in call.transcription.utterances)).split()
    assert len(words) > 20 and {"the", "i", "it"} & set(words)
    assert not {"mae", "hyn", "cymryd", "yn"} & set(words)


def test_unsure_language_is_settled_by_decoding_in_each(shared_dir):
    """No languages named: Whisper base hears this AMI excerpt as Welsh (p 0.51) over English (p 0.48), and decoded
    in Welsh it loops through every fallback temperature for minutes. Unsure, each of the two decodes the
    first 30 s once; the Welsh decode fails Whisper's own checks, so the call is English, words and labels."""
    call = enrich(shared_dir / "pyannote-audio/ami/trn08.wav", Settings.load())
    assert call.status == "done", call.error
    assert call.transcription.languages == ["en"]
    assert {u.language for u in call.transcription.utterances} == {"en"}
    words = normalise(" ".join(u.text for u in call.transcription.utterances)).split()
    assert len(words) > 20 and not {"mae", "hyn", "yn", "oeddwn"} & set(words)


def test_a_sure_language_costs_no_extra_decode(data_dir, monkeypatch):
    def not_expected(*args, **kwargs):
        raise AssertionError("a confident language guess was decoded again")

    monkeypatch.setattr(transcribe_module, "fluency_of", not_expected)
    call = enrich(data_dir / "test_es.wav", Settings.load())
    assert call.status == "done" and call.transcription.languages == ["es"]


def test_expected_languages_still_tell_them_apart(data_dir):
    call = enrich(data_dir / "test_es.wav", Settings.load(languages=["en", "es"]))
    assert call.status == "done" and call.transcription.languages == ["es"]


@pytest.mark.parametrize("overrides", [{"languages": ["en", "xx"]}, {"language": "english"}])
def test_an_unknown_language_code_is_a_clear_error(data_dir, overrides):
    call = enrich(data_dir / "jfk.flac", Settings.load(model="tiny.en", **overrides))
    assert call.status == "error" and call.error_code == "bad_language"
    assert "unknown language code" in call.error


def test_a_word_the_second_decode_repeats_at_a_stretch_edge_is_dropped():
    # Callytics Call01: the first region is 3.2-4.6 s; the first pass timed "Hello" at 4.4-4.9 s (kept: its midpoint
    # lies outside), the second decode heard it again at 3.2-3.8 s inside the stretch.
    kept = [Word(word="Hello", start=4.4, end=4.88, confidence=0.9),
            Word(word="and", start=4.88, end=5.5, confidence=0.9)]
    again = [Word(word="Hello", start=3.2, end=3.8, confidence=0.8)]
    assert transcribe_module.edge_repeats(again, kept, [(3.19, 4.56)]) == {id(again[0])}
    # A different word, or the same word said well away from the edge, is new.
    assert transcribe_module.edge_repeats([Word(word="Hi", start=3.2, end=3.8, confidence=0.8)], kept,
                                          [(3.19, 4.56)]) == set()
    far = [Word(word="and", start=1.0, end=1.3, confidence=0.9)]
    assert transcribe_module.edge_repeats([Word(word="and", start=3.2, end=3.8, confidence=0.8)], far,
                                          [(3.19, 4.56)]) == set()
