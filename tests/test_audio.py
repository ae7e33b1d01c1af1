"""Decoding: every container users send, channel handling, and each kind of bad input."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from tests.audio_helpers import ffmpeg, write_wav
from leadscribe.audio.channels import separate_channels
from leadscribe.audio.decode import SAMPLE_RATE, decode_audio
from leadscribe.errors import AudioError, LimitExceeded

BIG = dict(max_duration_s=3600, max_bytes=10**9)


@pytest.mark.parametrize("suffix,codec_args", [
    (".wav", ["-ar", "8000", "-c:a", "pcm_s16le"]),
    (".mp3", ["-c:a", "libmp3lame"]),
    (".m4a", ["-c:a", "aac"]),
    (".flac", ["-c:a", "flac"]),
    (".ogg", ["-c:a", "libopus"]),
    (".webm", ["-c:a", "libopus"]),
    (".mp4", ["-c:a", "aac"]),
])
def test_decodes_each_container_to_16k(tmp_path, data_dir, suffix, codec_args):
    target = tmp_path / f"clip{suffix}"
    ffmpeg("-i", str(data_dir / "LDC93S1_pcms16le_1_8000.wav"), *codec_args, str(target))
    audio = decode_audio(target, **BIG)
    assert audio.samples.dtype == np.float32
    assert audio.samples.shape[0] == 1
    assert abs(audio.duration - 2.925) < 0.15
    assert np.max(np.abs(audio.samples)) > 0.05


def test_video_with_audio_track(tmp_path, data_dir):
    target = tmp_path / "meeting.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x64:d=3", "-i", str(data_dir / "LDC93S1_pcms16le_1_8000.wav"),
           "-shortest", "-c:v", "libx264", "-c:a", "aac", str(target))
    assert abs(decode_audio(target, **BIG).duration - 2.9) < 0.2


def test_keeps_channels_of_a_dual_channel_call(data_dir):
    audio = decode_audio(data_dir / "stereo_diarization.wav", **BIG)
    assert audio.samples.shape[0] == 2 and audio.source_channels == 2
    kept_samples, kept, copies = separate_channels(audio.samples)
    assert kept == [0, 1] and not copies


def test_identical_channels_are_treated_as_mono(data_dir):
    audio = decode_audio(data_dir / "jfk.flac", **BIG)
    assert audio.source_sample_rate == 44100 and audio.samples.shape[0] == 2
    samples, kept, copies = separate_channels(audio.samples)
    assert copies and kept == [0] and samples.shape[0] == 1


def test_a_channel_at_different_gain_is_still_a_copy(data_dir):
    mono = decode_audio(data_dir / "LDC93S1_pcms16le_1_8000.wav", **BIG).samples[0]
    _, kept, copies = separate_channels(np.stack([mono, 0.5 * mono]))
    assert copies and kept == [0]


# --- bad input: each one a clear AudioError, never a crash -------------------------------

def expect_error(path, match, **limits):
    with pytest.raises(AudioError, match=match):
        decode_audio(path, **{**BIG, **limits})


def test_missing_file(tmp_path):
    expect_error(tmp_path / "nope.wav", "not found")


def test_directory_is_not_audio(tmp_path):
    expect_error(tmp_path, "not a regular file")


def test_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    expect_error(tmp_path / "empty.wav", "empty")


def test_text_file_is_not_audio(tmp_path):
    (tmp_path / "notes.mp3").write_text("Meeting notes: call Acme on Tuesday.\n" * 20)
    expect_error(tmp_path / "notes.mp3", "not an audio file|corrupt|no audio")


def test_truncated_mp3(tmp_path, data_dir):
    whole = tmp_path / "whole.mp3"
    ffmpeg("-i", str(data_dir / "jfk.flac"), "-c:a", "libmp3lame", str(whole))
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    expect_error(cut, "truncated")


def test_zero_length_wav(tmp_path):
    write_wav(tmp_path / "zero.wav", np.zeros(0, dtype=np.float32))
    expect_error(tmp_path / "zero.wav", "no audio samples|empty|corrupt")


def test_digital_silence(tmp_path):
    write_wav(tmp_path / "silence.wav", np.zeros(SAMPLE_RATE * 5, dtype=np.float32))
    expect_error(tmp_path / "silence.wav", "silent")


def test_unsupported_codec(tmp_path, data_dir):
    # A WAV whose format tag names a codec no decoder exists for.
    raw = bytearray((data_dir / "LDC93S1_pcms16le_1_8000.wav").read_bytes())
    fmt = raw.index(b"fmt ")
    raw[fmt + 8: fmt + 10] = struct.pack("<H", 0x7777)
    (tmp_path / "odd.wav").write_bytes(bytes(raw))
    expect_error(tmp_path / "odd.wav", "codec|corrupt|not an audio")


def test_file_over_size_limit(data_dir):
    with pytest.raises(LimitExceeded, match="MB limit"):
        decode_audio(data_dir / "jfk.flac", max_duration_s=3600, max_bytes=100_000)


def test_audio_over_duration_limit(data_dir):
    with pytest.raises(LimitExceeded, match="min limit"):
        decode_audio(data_dir / "jfk.flac", max_duration_s=5, max_bytes=10**9)
