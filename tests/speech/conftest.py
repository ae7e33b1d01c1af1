"""Speech fixtures: real calls run through decode + transcribe once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from leadscribe.audio.decode import decode
from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.pipeline import new_call
from leadscribe.speech.transcribe import transcribe

_transcribed: dict[str, object] = {}


@pytest.fixture(scope="session")
def transcribed(shared_dir: Path):
    """Return a function: relative eval-data path -> (Call after transcription, its source path).

    Transcription is the slow part; each file is transcribed once per session and a fresh
    copy is handed out, so tests can diarize it with different settings.
    """
    settings = Settings.load()

    def get(relative: str):
        source = shared_dir / relative
        if relative not in _transcribed:
            call = new_call(source)
            ctx = Context(settings=settings, source=source)
            decode(call, ctx)
            transcribe(call, ctx)
            _transcribed[relative] = call
        base = _transcribed[relative]
        copy = base.model_copy(deep=True)
        copy.samples = base.samples
        return copy, source

    return get


def run_stages(call, source: Path, stages, **overrides):
    ctx = Context(settings=Settings.load(**overrides), source=source)
    for stage in stages:
        stage(call, ctx)
    return call


def new_call_from(source: Path):
    """A decoded Call for `source`, ready for the stages after decode."""
    call = new_call(source)
    decode(call, Context(settings=Settings.load(), source=source))
    return call
