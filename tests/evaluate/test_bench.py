"""bench: the cost model by hand, and one real measurement on a short clip with tiny.en."""
import pytest

from leadscribe.config import Settings
from leadscribe.evaluate.bench import (MANAGED_PRICES_PER_HOUR, added_by_speakers, bench_file, cost_model,
                                      shares_of_transcription)


def test_cost_model_known_case():
    # 20 audio hours per machine hour on a $0.10/h machine: half a cent per audio hour
    cost = cost_model(20.0, 0.10)
    assert cost["self_hosted_per_audio_hour"] == pytest.approx(0.005)
    assert cost["managed_per_audio_hour"]["OpenAI Whisper API"] == 0.36
    assert cost_model(None, 0.10)["self_hosted_per_audio_hour"] is None
    assert set(MANAGED_PRICES_PER_HOUR) >= {"Deepgram Nova-3 (about)", "Gladia Growth (from)"}


def test_stage_groups_are_set_against_transcription():
    timings = {"decode": 0.5, "transcribe": 20.0, "diarize": 4.0, "roles": 0.5, "entities": 0.6, "signals": 0.9,
               "sentiment": 0.3, "summary": 0.1, "crm": 0.1}
    share = shares_of_transcription(timings)
    assert share["extraction_seconds"] == pytest.approx(2.0) and share["transcription_seconds"] == 20.0
    assert share["extraction_share_of_transcription"] == pytest.approx(0.1)
    assert share["diarization_seconds"] == pytest.approx(4.5)
    assert share["diarization_share_of_transcription"] == pytest.approx(0.225)
    assert shares_of_transcription({"decode": 0.1})["extraction_share_of_transcription"] is None


@pytest.mark.slow
def test_bench_file_measures_enrich_and_plain_whisper(eval_data):
    result = bench_file(eval_data / "picovoice/leopard/test.wav", Settings.load(model="tiny.en"), repeat=2)
    assert result["status"] == "done" and result["audio_seconds"] == pytest.approx(5.86, abs=0.05)
    assert result["runs"] == 2  # each figure is the median of two runs
    assert result["plain_whisper_seconds"] > 0 and result["enrich_seconds"] > 0
    # enrich does at least the transcription: it cannot be many times faster than plain Whisper
    assert result["overhead_ratio"] > 0.5
    assert {"decode", "transcribe"} <= set(result["rtf_by_stage"])
    assert result["extraction_share_of_transcription"] > 0 and result["diarization_share_of_transcription"] > 0
    # the speaker stages are judged by the wall time they add to decoding and transcription alone
    assert result["transcription_only_seconds"] > 0
    assert result["speaker_stages_added_share"] == pytest.approx(
        result["speaker_stages_added_seconds"] / result["transcription_only_seconds"])


def test_added_time_is_set_against_transcription_alone():
    added = added_by_speakers(with_speakers=23.0, transcription_only=20.0)
    assert added["speaker_stages_added_seconds"] == pytest.approx(3.0)
    assert added["speaker_stages_added_share"] == pytest.approx(0.15)
    assert added_by_speakers(1.0, 0.0)["speaker_stages_added_share"] is None
