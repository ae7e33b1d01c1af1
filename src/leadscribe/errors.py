"""Errors a user can act on. Each carries a stable code (for the API's `error_code`)."""
from __future__ import annotations


class LeadscribeError(Exception):
    """A failure with a one-line, user-facing reason; never shown with a traceback."""

    code = "internal_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class AudioError(LeadscribeError):
    """The input cannot be used as audio (missing, empty, corrupt, unsupported, silent)."""

    code = "invalid_audio"


class LimitExceeded(AudioError):
    code = "limit_exceeded"


class ModelError(LeadscribeError):
    code = "model_unavailable"
