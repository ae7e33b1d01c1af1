"""Settings: environment variables `LEADSCRIBE_*`, an optional TOML file, then defaults.

The TOML file is named by `LEADSCRIBE_CONFIG` (or passed to `Settings.load`); keys are the
field names below. Environment variables win over the file, command-line flags over both.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Optional

import phonenumbers
from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from leadscribe.errors import LeadscribeError


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
    download_deadline_s: float = 1800.0
    """An `audio_url` download still running after this long fails the call: a server trickling bytes never
    trips `download_timeout_s`. 30 minutes fetch the 1000 MB limit at 4.5 Mbit/s."""

    # Speakers
    num_speakers: Optional[int] = None
    min_speakers: Optional[int] = None
    max_speakers: Optional[int] = None
    channel_roles: dict[str, str] = {}
    """Channel index -> role for dual-channel recordings, e.g. {"0": "rep", "1": "prospect"}."""
    seller_company: Optional[str] = None
    phone_region: str = "US"
    """Where a phone number said without its country code is from (ISO 3166, e.g. "GB", "DE"): "020 7946 0958" is
    +442079460958 with "GB"; US and Canada share one plan (NANP)."""

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

    @field_validator("phone_region")
    @classmethod
    def _known_phone_region(cls, region: str) -> str:
        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{region!r} is no region code with a phone numbering plan (ISO 3166, e.g. US, GB, DE)")
        return region.upper()

    @model_validator(mode="after")
    def _speaker_counts_agree(self) -> "Settings":
        counts = {"num_speakers": self.num_speakers, "min_speakers": self.min_speakers,
                  "max_speakers": self.max_speakers}
        for name, value in counts.items():
            if value is not None and value < 1:
                raise ValueError(f"{name} must be 1 or more, not {value}")
        lowest, highest = self.min_speakers or 1, self.max_speakers
        if highest is not None and lowest > highest:
            raise ValueError(f"min_speakers ({lowest}) is more than max_speakers ({highest})")
        if self.num_speakers is not None and (self.num_speakers < lowest or (highest and self.num_speakers > highest)):
            raise ValueError(f"num_speakers ({self.num_speakers}) is outside min_speakers..max_speakers")
        return self

    @classmethod
    def load(cls, config_file: Optional[Path] = None, **overrides: Any) -> "Settings":
        """Settings from the file, the environment and `overrides`; a bad value anywhere is a SettingsError."""
        path = config_file or (Path(os.environ["LEADSCRIBE_CONFIG"]) if os.environ.get("LEADSCRIBE_CONFIG") else None)
        file_values: dict[str, Any] = {}
        try:
            if path is not None:
                with open(path, "rb") as handle:
                    file_values = tomllib.load(handle)
            env_values = cls().model_dump(exclude_unset=True)
            merged = {**file_values, **env_values, **{k: v for k, v in overrides.items() if v is not None}}
            return cls(**merged)
        except OSError as exc:
            raise SettingsError(f"config file {path}: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
        except ValidationError as exc:
            raise SettingsError("bad setting: " + "; ".join(_describe(error) for error in exc.errors())) from None


class SettingsError(LeadscribeError):
    code = "bad_settings"


def _describe(error: dict) -> str:
    """One pydantic error as 'min_speakers (LEADSCRIBE_MIN_SPEAKERS): Input should be ... (got 'abc')'."""
    field = ".".join(str(part) for part in error.get("loc", ()))
    where = f"{field} (LEADSCRIBE_{field.split('.')[0].upper()}): " if field else ""
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    given = f" (got {error['input']!r})" if "input" in error and not isinstance(error["input"], dict) else ""
    return where + message + given
