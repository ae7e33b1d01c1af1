"""Enrolment round trip: a rep's voiceprint makes them the rep, with their name, in a real call."""
from __future__ import annotations

import json

import pytest

from leadscribe.cli import main
from leadscribe.config import Settings
from leadscribe.speech.diarize import diarize
from leadscribe.speech.enroll import EnrolmentError, enroll, load_voiceprints
from leadscribe.speech.roles import roles
from leadscribe.speech.utterances import utterances
from tests.speech.conftest import run_stages

CSR_CLIP = "callytics-csvd/voiceprint/CSR01.wav"


def test_enrolled_rep_is_recognised_by_voice(transcribed, shared_dir, tmp_path):
    settings = Settings.load(voiceprints_dir=tmp_path)
    path = enroll("Emily", [shared_dir / CSR_CLIP], settings)
    stored = json.loads(path.read_text())
    assert stored["name"] == "Emily" and stored["model"] == "campp" and len(stored["embedding"]) == 192

    call, source = transcribed("callytics-csvd/Call01.wav")
    run_stages(call, source, [diarize, utterances, roles], voiceprints_dir=tmp_path)
    reps = [s for s in call.speakers if s.role == "rep"]
    assert len(reps) == 1
    assert reps[0].role_source == "voiceprint" and reps[0].name == "Emily" and reps[0].role_confidence > 0.8
    # The rep is the one who greets the caller at the start of the call.
    assert call.transcription.utterances[0].speaker == reps[0].id
    others = [s for s in call.speakers if s is not reps[0]]
    assert others and all(s.role == "prospect" for s in others)


def test_another_voice_does_not_match(transcribed, shared_dir, tmp_path):
    enroll("Emily", [shared_dir / CSR_CLIP], Settings.load(voiceprints_dir=tmp_path))
    call, source = transcribed("pyannote-audio/sample.wav")
    run_stages(call, source, [diarize, utterances, roles], voiceprints_dir=tmp_path)
    assert all(s.role_source != "voiceprint" and s.name != "Emily" for s in call.speakers)


def test_too_little_speech_is_refused(shared_dir, tmp_path):
    with pytest.raises(EnrolmentError):
        enroll("Someone", [shared_dir / "deepspeech/LDC93S1.wav"], Settings.load(voiceprints_dir=tmp_path))


def test_cli_enroll_list_and_remove(shared_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEADSCRIBE_VOICEPRINTS_DIR", str(tmp_path))
    assert main(["enroll", "Emily Stone", str(shared_dir / CSR_CLIP)]) == 0
    assert (tmp_path / "emily-stone.json").exists()
    assert main(["enroll", "--list"]) == 0
    assert "Emily Stone" in capsys.readouterr().out
    assert main(["enroll", "Emily Stone", "--remove"]) == 0
    assert load_voiceprints(Settings.load()) == []
    assert main(["enroll", "Nobody", "--remove"]) == 2



def test_enrolled_rep_is_found_on_a_dual_channel_call_without_channel_roles(shared_dir, tmp_path):
    import numpy as np
    from scipy.io import wavfile

    from leadscribe.audio.decode import decode_audio
    from leadscribe.speech.transcribe import transcribe
    from tests.speech.conftest import new_call_from

    # A two-channel call from real speech: JFK on channel 0, the CSR's greeting in Call01
    # (0-9.2 s, before the customer speaks) on channel 1. The CSR is enrolled from her
    # separate enrolment clip, so the match is across recordings.
    jfk = decode_audio(shared_dir / "whisper-and-faster-whisper/jfk.flac", 600, 10**8).samples[0]
    csr = decode_audio(shared_dir / "callytics-csvd/Call01.wav", 600, 10**8).samples[0][: int(9.2 * 16000)]
    length = min(len(jfk), len(csr))
    stereo = tmp_path / "call.wav"
    wavfile.write(stereo, 16000, (np.stack([jfk[:length], csr[:length]], axis=1) * 32767).astype("int16"))
    prints_dir = tmp_path / "prints"
    enroll("Emily", [shared_dir / CSR_CLIP], Settings.load(voiceprints_dir=prints_dir))
    call = new_call_from(stereo)
    run_stages(call, stereo, [transcribe, diarize, utterances, roles], voiceprints_dir=prints_dir)
    by_channel = {s.channel: s for s in call.speakers}
    assert by_channel[1].role == "rep" and by_channel[1].role_source == "voiceprint" and by_channel[1].name == "Emily"
    assert by_channel[0].role == "prospect" and by_channel[0].name != "Emily"
