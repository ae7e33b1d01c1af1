"""Shared fixtures: where test audio lives, settings with a private model cache."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from leadscribe.config import Settings

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval-data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/eval-data is not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load()


def words_text(call) -> str:
    return " ".join(u.text for u in call.transcription.utterances)


def ffmpeg(*args: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (make system-deps)")
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    soundfile.write(str(path), samples.T if samples.ndim == 2 else samples, rate, subtype="PCM_16")
    return path
