"""Named entities in plain text, with normalised values: the text-only recogniser.

spaCy's statistical NER (OntoNotes labels) does the finding; this module fixes what it gets systematically wrong
on spoken business text and adds values:
- a name labelled ORG somewhere in a text is an ORG everywhere in it (spaCy flips "Culp" between ORG, GPE and
  PERSON from one sentence to the next);
- MONEY, PERCENT and CARDINAL spans get numbers through `numbers.find_numbers`.
Used by the entities stage on each utterance and, directly, by the earnings-call NER benchmark.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Optional

from leadscribe.understand.models import spacy_model
from leadscribe.understand.numbers import find_numbers

NUMERIC_LABELS = {"MONEY", "PERCENT", "CARDINAL"}
NAME_LABELS = {"ORG", "PERSON", "GPE"}
# spaCy's own confidence is not exposed by the statistical NER; these are its measured precision per label on
# spoken business text (earnings21), used as the extractor's confidence.
LABEL_CONFIDENCE = {"ORG": 0.6, "PERSON": 0.8, "GPE": 0.85, "DATE": 0.85, "MONEY": 0.9, "CARDINAL": 0.75,
                    "PERCENT": 0.95}
DEFAULT_CONFIDENCE = 0.6


@dataclass
class TextSpan:
    label: str
    start: int
    end: int
    text: str
    value: Any = None
    confidence: float = DEFAULT_CONFIDENCE


def recognise_text(text: str, nlp=None) -> list[TextSpan]:
    """Entities in `text` (OntoNotes labels), character offsets, values for numbers and money."""
    nlp = nlp or spacy_model()
    doc = nlp(text)
    return recognise_doc(doc)


def recognise_doc(doc) -> list[TextSpan]:
    spans = [TextSpan(e.label_, e.start_char, e.end_char, e.text, None, LABEL_CONFIDENCE.get(e.label_,
                                                                                              DEFAULT_CONFIDENCE))
             for e in doc.ents]
    spans = harmonise_name_labels(spans)
    for span in spans:
        span.value = normalise_value(span.label, span.text)
    return spans


def name_key(text: str) -> str:
    return re.sub(r"(?:'s|’s)$", "", text.strip()).lower()


def harmonise_name_labels(spans: list[TextSpan]) -> list[TextSpan]:
    """Give every mention of a name the label most of its mentions have, ORG first among equals.

    A company's short name ("Culp") is also the first word of its long ones ("Culp Inc", "Culp China"): a name
    that begins an ORG elsewhere counts as an ORG vote.
    """
    votes: dict[str, Counter] = defaultdict(Counter)
    for span in spans:
        if span.label in NAME_LABELS:
            votes[name_key(span.text)][span.label] += 1
    org_heads = Counter(name_key(s.text).split()[0] for s in spans if s.label == "ORG" and len(s.text.split()) > 1)
    for span in spans:
        key = name_key(span.text)
        if span.label not in NAME_LABELS:
            continue
        tally = votes[key].copy()
        tally["ORG"] += org_heads.get(key, 0)
        best = max(tally.items(), key=lambda kv: (kv[1], kv[0] == "ORG"))[0]
        if best != span.label and tally[best] >= tally[span.label]:  # ties go to ORG
            span.label = best
            span.confidence = min(span.confidence, LABEL_CONFIDENCE[best])
    return spans


def normalise_value(label: str, text: str) -> Optional[Any]:
    if label not in NUMERIC_LABELS:
        return None
    numbers = find_numbers(text)
    if not numbers:
        return None
    main = max(numbers, key=lambda n: n.value)
    if label == "MONEY":
        value: dict[str, Any] = {"amount": clean(main.value), "currency": main.currency or currency_in(text)}
        if main.low is not None:
            value["min"] = clean(main.low)
        return value
    if label == "PERCENT":
        return clean(main.value)
    return clean(numbers[0].value) if len(numbers) == 1 else clean(main.value)


def currency_in(text: str) -> Optional[str]:
    lowered = text.lower()
    for marker, code in (("$", "USD"), ("dollar", "USD"), ("€", "EUR"), ("euro", "EUR"), ("£", "GBP"),
                         ("pound", "GBP"), ("cent", "USD")):
        if marker in lowered:
            return code
    return None


def clean(value: float) -> float | int:
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded
