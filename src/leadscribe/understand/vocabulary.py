"""Custom vocabulary files: the names a sales team cares about, by category.

Format: one term per line; `[section]` lines start a category (companies, competitors,
products, people, or any name); lines before the first section are `terms`; `#` starts
a comment. Example: examples/vocabulary.txt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jellyfish
from rapidfuzz import fuzz

from leadscribe.errors import LeadscribeError


class VocabularyError(LeadscribeError):
    code = "invalid_vocabulary"


def parse_vocabulary(text: str) -> dict[str, list[str]]:
    categories: dict[str, list[str]] = {}
    current = "terms"
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip().lower() or "terms"
            continue
        terms = categories.setdefault(current, [])
        if line not in terms:
            terms.append(line)
    return categories


def load_vocabulary(path: Path) -> dict[str, list[str]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"cannot read vocabulary file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_vocabulary(text)


# --- Matching what was heard against the vocabulary -------------------------------------------------------------
# A near-miss by spelling ("ACNE Corp") or by sound ("sales force") is corrected to the listed term; a name heard
# with confidence that is simply not on the list is left alone, because rewriting it would be the silent error.

CATEGORY_TYPES = {"companies": "ORGANIZATION", "company": "ORGANIZATION", "competitors": "COMPETITOR",
                  "competitor": "COMPETITOR", "products": "PRODUCT", "product": "PRODUCT", "tools": "PRODUCT",
                  "people": "PERSON", "person": "PERSON", "names": "PERSON"}
# Similarity (0-100) a heard phrase needs to be taken for a term: a low-confidence hearing needs less evidence.
MIN_SIMILARITY_UNSURE = 82.0
MIN_SIMILARITY_CONFIDENT = 92.0
CONFIDENT_HEARING = 0.85


@dataclass
class VocabularyMatch:
    start: int
    end: int
    heard: str
    term: str
    category: str
    similarity: float
    """0-1: 1.0 when heard exactly (ignoring case, spaces and punctuation)."""


def squash(text: object) -> str:
    """Lower-case letters and digits only: "Blue Harbor Foods" -> "blueharborfoods"."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def similarity(heard: str, term: str) -> float:
    """Spelling and sound: the better of the character ratio and the metaphone-key ratio, 0-100."""
    a, b = squash(heard), squash(term)
    if not a or not b:
        return 0.0
    spelled = fuzz.ratio(a, b)
    sound = fuzz.ratio(jellyfish.metaphone(a), jellyfish.metaphone(b))
    # Sound alone is weak evidence for short names ("Luka"/"Looker"): weigh it below spelling.
    return max(spelled, 0.9 * sound if len(b) >= 6 else 0.0)


def same_first_sound(heard: str, term: str) -> bool:
    """Whether both begin alike, by letter or by sound ("Kalytics" / "Callytics"): a near-miss that starts
    differently ("Polytics") is another word."""
    a, b = squash(heard), squash(term)
    return a[:1] == b[:1] or jellyfish.metaphone(a)[:1] == jellyfish.metaphone(b)[:1]


def match_vocabulary(text: str, vocabulary: dict[str, list[str]], word_confidence=None) -> list[VocabularyMatch]:
    """Vocabulary terms heard in `text`, exactly or as near-misses.

    `word_confidence(start, end)` gives the recogniser's confidence over a character span (1.0 when unknown).
    """
    tokens = [(m.start(), m.end()) for m in re.finditer(r"[\w'&.-]+", text)]
    matches: list[VocabularyMatch] = []
    for category, terms in vocabulary.items():
        for term in terms:
            n = len(term.split())
            for size in sorted({n, n + 1, max(1, n - 1)}):
                for i in range(len(tokens) - size + 1):
                    start, end = tokens[i][0], tokens[i + size - 1][1]
                    heard = text[start:end].strip(".,")
                    end = start + len(heard)
                    if abs(len(squash(heard)) - len(squash(term))) > max(2, len(squash(term)) // 4):
                        continue
                    score = 100.0 if squash(heard) == squash(term) else similarity(heard, term)
                    confidence = word_confidence(start, end) if word_confidence else 1.0
                    needed = MIN_SIMILARITY_CONFIDENT if confidence >= CONFIDENT_HEARING else MIN_SIMILARITY_UNSURE
                    if score >= 100.0 or (score >= needed and same_first_sound(heard, term)):
                        matches.append(VocabularyMatch(start, end, heard, term, category, score / 100.0))
    return best_non_overlapping(matches)


def best_non_overlapping(matches: list[VocabularyMatch]) -> list[VocabularyMatch]:
    chosen: list[VocabularyMatch] = []
    for m in sorted(matches, key=lambda m: (-m.similarity, -(m.end - m.start))):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)
