"""Sentence embeddings of one call, computed once and shared by the stages that classify its text.

Signals (per clause) and sentiment (per sentence) both place text in MiniLM space; encoding is most of their
cost. The first stage to ask embeds every sentence and clause of the call in one batch and keeps the vectors on
the call (`call.embeddings`, never serialised), so the next stage finds its texts there.
"""
from __future__ import annotations

import numpy as np

from leadscribe.schema import Call
from leadscribe.understand.models import embed
from leadscribe.understand.text import sentences_and_clauses


def sentence_vectors(call: Call, texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of `texts` (one row each), encoding only what the call has not embedded yet."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    missing = [t for t in dict.fromkeys(texts) if t not in call.embeddings]
    if missing:
        # One batch for everything a classifying stage may ask about, not one per stage.
        pending = list(dict.fromkeys(missing + [u for u in sentences_and_clauses(call.transcription.utterances)
                                                if u not in call.embeddings]))
        call.embeddings.update(zip(pending, embed(pending)))
    return np.stack([call.embeddings[t] for t in texts])
