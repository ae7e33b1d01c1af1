"""Shared fixtures: where test audio lives, and default settings."""
from __future__ import annotations

from pathlib import Path

import pytest

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
