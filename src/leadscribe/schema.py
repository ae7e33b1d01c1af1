"""The result contract: one `Call` object that every stage reads and extends.

The JSON shape follows DESIGN.md (modelled on Gladia v2 / AssemblyAI async results).
Fields that only exist while the pipeline runs (decoded samples, raw transcription
segments, diarization turns) are excluded from the serialised result.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Status = Literal["queued", "processing", "done", "error"]
Role = Literal["rep", "prospect", "other", "unknown"]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Word(BaseModel):
    word: str
    start: float
    end: float
    confidence: float
    # Which speaker said the word; set by the diarize stage, used to build utterances.
    speaker: Optional[str] = Field(default=None, exclude=True)
    channel: Optional[int] = Field(default=None, exclude=True)
    # The word as Whisper wrote it, with its leading space or none ("$80" + ",000"): joining
    # these rebuilds the text exactly.
    raw: Optional[str] = Field(default=None, exclude=True)
    # Heard only when speech Whisper had skipped was decoded again on its own (speech.transcribe): Whisper found
    # that audio hard once, so a CRM value resting on the word is checked by a person.
    reheard: bool = Field(default=False, exclude=True)


class Segment(BaseModel):
    """A Whisper segment as decoded, before speaker attribution (internal layer)."""

    channel: Optional[int] = None
    start: float
    end: float
    text: str
    language: str
    avg_logprob: float
    no_speech_prob: float
    words: list[Word]


class SpeakerTurn(BaseModel):
    """A span of time in which one speaker talks, as the diarizer heard it."""

    speaker: str
    start: float
    end: float
    channel: Optional[int] = None


class Diarization(BaseModel):
    """Who spoke when, independent of what Whisper wrote: speech with no words (a laugh, a
    quiet "mm-hm", overlap) is here too. Scored for DER; `speakers[].talk_time` sums it."""

    method: Optional[Literal["channel", "voice"]] = None
    turns: list[SpeakerTurn] = Field(default_factory=list)


class Utterance(BaseModel):
    id: int
    speaker: str
    role: Role = "unknown"
    channel: Optional[int] = None
    start: float
    end: float
    text: str
    language: str
    confidence: float
    sentiment: Optional[dict[str, Any]] = None
    words: list[Word]


class Speaker(BaseModel):
    id: str
    role: Role = "unknown"
    role_confidence: float = 0.0
    role_source: Optional[str] = None
    name: Optional[str] = None
    channel: Optional[int] = None
    talk_time: float = 0.0


class Entity(BaseModel):
    id: str
    type: str
    text: str
    value: Any
    start: Optional[float] = None
    end: Optional[float] = None
    utterance: Optional[int] = None
    speaker: Optional[str] = None
    role: Optional[Role] = None
    confidence: float
    source: str


class Signal(BaseModel):
    text: str
    utterance: Optional[int] = None
    speaker: Optional[str] = None
    role: Optional[Role] = None
    confidence: float
    detail: dict[str, Any] = Field(default_factory=dict)


class Signals(BaseModel):
    pain_points: list[Signal] = Field(default_factory=list)
    objections: list[Signal] = Field(default_factory=list)
    next_steps: list[Signal] = Field(default_factory=list)
    competitors: list[Signal] = Field(default_factory=list)
    tech_stack: list[Signal] = Field(default_factory=list)
    timeline: Optional[Signal] = None
    decision_makers: list[Signal] = Field(default_factory=list)


class Summary(BaseModel):
    text: str = ""
    bullets: list[str] = Field(default_factory=list)


class CrmField(BaseModel):
    object: Literal["contact", "company", "deal", "call"]
    field: str
    value: Any
    confidence: float
    entity_ids: list[str] = Field(default_factory=list)
    decision: Literal["auto", "review", "skip"]
    reason: str


class Crm(BaseModel):
    fields: list[CrmField] = Field(default_factory=list)


class FileInfo(BaseModel):
    filename: str
    source: str
    audio_duration: float = 0.0
    number_of_channels: int = 0
    sample_rate: int = 0
    format: Optional[str] = None
    size_bytes: Optional[int] = None
    channels_identical: bool = False


class Metadata(BaseModel):
    audio_duration: float = 0.0
    transcription_time: float = 0.0
    model: Optional[str] = None
    pipeline_version: str = ""
    schema_version: str = SCHEMA_VERSION
    timings: dict[str, float] = Field(default_factory=dict)
    vocabulary: dict[str, list[str]] = Field(default_factory=dict)
    """Custom vocabulary used for this call, by category (companies, competitors, products, people...)."""
    warnings: list[str] = Field(default_factory=list)


class Transcription(BaseModel):
    full_transcript: str = ""
    languages: list[str] = Field(default_factory=list)
    utterances: list[Utterance] = Field(default_factory=list)


class Call(BaseModel):
    """One call as it flows through the pipeline; its JSON dump is the result."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    status: Status = "queued"
    error_code: Optional[str] = None
    error: Optional[str] = None
    created_at: datetime = Field(default_factory=utc_now)
    completed_at: Optional[datetime] = None
    custom_metadata: dict[str, Any] = Field(default_factory=dict)
    file: FileInfo
    metadata: Metadata = Field(default_factory=Metadata)
    transcription: Transcription = Field(default_factory=Transcription)
    speakers: list[Speaker] = Field(default_factory=list)
    diarization: Diarization = Field(default_factory=Diarization)
    entities: list[Entity] = Field(default_factory=list)
    signals: Signals = Field(default_factory=Signals)
    summary: Summary = Field(default_factory=Summary)
    crm: Crm = Field(default_factory=Crm)

    # Internal layers, never serialised.
    samples: Optional[np.ndarray] = Field(default=None, exclude=True, repr=False)
    """Decoded audio, float32, shape (channels, n) at 16 kHz after channel handling."""
    segments: list[Segment] = Field(default_factory=list, exclude=True, repr=False)
    voiceprints: dict[str, Any] = Field(default_factory=dict, exclude=True, repr=False)
    """Speaker id -> mean speaker embedding (numpy vector), set by voice diarization for the roles stage."""
    embeddings: dict[str, Any] = Field(default_factory=dict, exclude=True, repr=False)
    """Sentence or clause text -> unit MiniLM vector, shared by the signals and sentiment stages."""

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def format_time(seconds: float) -> str:
    """A place in the recording as mm:ss, as people quote it."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"
