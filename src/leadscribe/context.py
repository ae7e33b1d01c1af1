"""What every stage may read besides the Call: settings and the progress reporter."""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from leadscribe.config import Settings


@dataclass
class Context:
    settings: Settings
    source: Optional[Path] = None
    """The local audio file this call is read from."""
    audio_url: Optional[str] = None
    """The URL the recording comes from, when it came as one; `fetch` downloads it and sets `source`."""
    download_dir: Optional[Path] = None
    """A temporary folder for the download, removed with the call's run."""
    on_progress: Optional[Callable[[str, float, float], None]] = None
    """Called as (stage, done, total) by long stages; the CLI draws a progress bar with it."""
    notes: list[str] = field(default_factory=list)
    """Non-fatal observations (e.g. 'channels are identical: treated as mono')."""
    background: dict[str, Future] = field(default_factory=dict)
    """Work a stage started in the background for a later stage to collect (by name)."""

    def progress(self, stage: str, done: float, total: float) -> None:
        if self.on_progress is not None:
            self.on_progress(stage, done, total)
