"""Settings: environment variables `LEADSCRIBE_*`, an optional TOML file, then defaults.

The TOML file is named by `LEADSCRIBE_CONFIG` (or passed to `Settings.load`); keys are the
field names below. Environment variables win over the file, command-line flags over both.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Optional

from pydantic_settings import BaseSettings, SettingsConfigDict


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leadscribe"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADSCRIBE_", extra="ignore")

    # Speech
    model: str = "base"
    """`base` (multilingual, default), `tiny.en` (fast English) or a CTranslate2 Whisper folder."""
    compute_type: str = "int8"
    cpu_threads: int = 0
    """0 = all cores."""
    beam_size: int = 5
    language: Optional[str] = None
    """Force a language (ISO 639-1); None detects it."""
    languages: list[str] = []
    """The languages calls may be in (ISO 639-1, e.g. ["en", "es"]): detection picks among them. Empty: any."""
    vocabulary: dict[str, list[str]] = {}
    """Custom vocabulary by category (see `leadscribe.understand.vocabulary`)."""
    cache_dir: Path = default_cache_dir()

    # Input limits
    max_duration_minutes: float = 135.0
    max_file_mb: float = 1000.0
    download_timeout_s: float = 60.0
    """An `audio_url` whose server sends nothing for this long fails the call (connect: at most 10 s)."""

    # Speakers
    num_speakers: Optional[int] = None
    min_speakers: Optional[int] = None
    max_speakers: Optional[int] = None
    channel_roles: dict[str, str] = {}
    """Channel index -> role for dual-channel recordings, e.g. {"0": "rep", "1": "prospect"}."""
    seller_company: Optional[str] = None

    # Understanding and CRM proposals
    crm_mapping: Optional[Path] = None
    """YAML field mapping; None uses the one shipped in leadscribe/crm/default_mapping.yaml."""
    llm_base_url: Optional[str] = None
    """OpenAI-compatible endpoint (e.g. http://localhost:11434/v1) to refine signals; None = rules only."""
    llm_model: Optional[str] = None
    speaker_model: str = "campp"
    """Speaker embeddings for voice diarization and enrolment: `campp` (CAM++, default) or `resemblyzer`."""
    diarize_during_transcription: bool = True
    """Find voices in mono audio while Whisper transcribes (see `diarize.start_finding_voices`)."""
    voiceprints_dir: Optional[Path] = None
    """Where enrolled rep voiceprints live; default `<cache_dir>/voiceprints`."""

    # Storage and queue
    database_url: str = "sqlite:///leadscribe.db"
    queue_url: Optional[str] = None

    # Progress display (the CLI turns it on for a terminal)
    show_progress: bool = False

    @classmethod
    def load(cls, config_file: Optional[Path] = None, **overrides: Any) -> "Settings":
        path = config_file or (Path(os.environ["LEADSCRIBE_CONFIG"]) if os.environ.get("LEADSCRIBE_CONFIG") else None)
        file_values: dict[str, Any] = {}
        if path is not None:
            with open(path, "rb") as handle:
                file_values = tomllib.load(handle)
        env_values = cls().model_dump(exclude_unset=True)
        merged = {**file_values, **env_values, **{k: v for k, v in overrides.items() if v is not None}}
        return cls(**merged)
