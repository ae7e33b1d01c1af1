"""Stage `sentiment`: positive / negative / neutral / mixed per utterance, with a score.

Each sentence is placed by its nearest labelled examples (sentiment_examples.yaml) in MiniLM space, so a calm
business complaint ("the reporting is too slow") reads negative, which word-list polarity tools miss. An
utterance whose sentences disagree strongly is mixed.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Optional

import numpy as np
import yaml

from leadscribe.schema import Call
from leadscribe.understand.embeddings import sentence_vectors
from leadscribe.understand.models import embed
from leadscribe.understand.text import UtteranceText

LABELS = ("positive", "negative", "neutral")
# Softmax temperature over cosine similarities: MiniLM similarities sit close together.
TEMPERATURE = 0.05


@lru_cache(maxsize=1)
def example_matrix() -> tuple[list[str], np.ndarray]:
    text = resources.files("leadscribe.understand").joinpath("sentiment_examples.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    labels = [label for label in LABELS for _ in data[label]]
    return labels, embed([s for label in LABELS for s in data[label]])


def sentence_scores(sentences: list[str], vectors: Optional[np.ndarray] = None) -> np.ndarray:
    """Probabilities (positive, negative, neutral) per sentence; `vectors` are their embeddings if known."""
    labels, matrix = example_matrix()
    similarity = (embed(sentences) if vectors is None else vectors) @ matrix.T
    per_label = np.stack([np.sort(similarity[:, [i for i, l in enumerate(labels) if l == label]], axis=1)[:, -2:]
                          .mean(axis=1) for label in LABELS], axis=1)
    weights = np.exp((per_label - per_label.max(axis=1, keepdims=True)) / TEMPERATURE)
    return weights / weights.sum(axis=1, keepdims=True)


def sentiment(call: Call, ctx) -> None:
    """Stage: set `utterance.sentiment` = {label, score, positive, negative, neutral}.

    The label is the sentences' mean, or mixed where one sentence or clause is clearly positive and another
    clearly negative: "I love the dashboards, but the pricing is a problem" is both, in one sentence."""
    owners, sentences, clause_owners, clauses = [], [], [], []
    for index, utterance in enumerate(call.transcription.utterances):
        ut = UtteranceText.of(utterance)
        for start, end in ut.sentences_or_whole():
            owners.append(index)
            sentences.append(ut.text[start:end])
            parts = ut.clauses(start, end)
            if len(parts) > 1:
                clause_owners += [index] * len(parts)
                clauses += [ut.text[s:e] for s, e in parts]
    if not sentences:
        return
    texts = sentences + clauses
    probabilities = sentence_scores(texts, sentence_vectors(call, texts))
    by_sentence, by_clause = probabilities[:len(sentences)], probabilities[len(sentences):]
    for index, utterance in enumerate(call.transcription.utterances):
        rows = by_sentence[[i for i, owner in enumerate(owners) if owner == index]]
        if len(rows) == 0:
            continue
        mean = rows.mean(axis=0)
        label = LABELS[int(mean.argmax())]
        both = np.vstack([rows, by_clause[[i for i, owner in enumerate(clause_owners) if owner == index]]])
        if both[:, 0].max() > 0.5 and both[:, 1].max() > 0.5:
            label = "mixed"
        utterance.sentiment = {"label": label, "score": round(float(mean.max()), 4),
                               **{name: round(float(p), 4) for name, p in zip(LABELS, mean)}}
