"""Custom vocabulary files: the names a sales team cares about, by category.

Format: one term per line; `[section]` lines start a category (companies, competitors,
products, people, or any name); lines before the first section are `terms`; `#` starts
a comment. Example: examples/vocabulary.txt.
"""
from __future__ import annotations

from pathlib import Path

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
