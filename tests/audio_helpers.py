"""Helpers for tests that make or read audio."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile


def words_text(call) -> str:
    return " ".join(u.text for u in call.transcription.utterances)


def ffmpeg(*args: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (make system-deps)")
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    soundfile.write(str(path), samples.T if samples.ndim == 2 else samples, rate, subtype="PCM_16")
    return path
