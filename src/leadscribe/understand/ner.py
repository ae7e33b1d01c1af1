"""Named entities in plain text, with normalised values: the text-only recogniser.

spaCy's statistical NER (OntoNotes labels) does the finding; this module fixes what it gets systematically wrong
on spoken business text and adds values:
- a name labelled ORG somewhere in a text is an ORG everywhere in it (spaCy flips "Culp" between ORG, GPE and
  PERSON from one sentence to the next);
- quarter and fiscal-period codes ("Q3", "FY21") and executive titles ("CFO") are never names;
- numeric spans take the currency sign written before them ("$" + "900,000") and drop a dangling range word
  ("$1 billion to");
- every bare numeral is also a CARDINAL, nested inside the DATE or MONEY it belongs to ("fiscal [2020]",
  "[56] cents"): spaCy (OntoNotes) gives only the outer span, while transcripts annotated in the Rev/Earnings-21
  scheme, and anyone who wants "the year of that fiscal period", read the number on its own as well;
- MONEY, PERCENT and CARDINAL spans get numbers through `numbers.find_numbers`; a range ("6.2% to 7.5%") takes
  the value said first and keeps the other end in `upper`.
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
# Period codes and executive titles that spaCy takes for organisations or people.
NOT_A_NAME = re.compile(r"(?:Q[1-4]|H[12]|FY\s?\d{2,4}|C[EFOTIM]O|COO|EVP|SVP|VP)", re.I)
CURRENCY_SIGNS = "$€£"
DANGLING_RANGE_WORD = re.compile(r"[\s,]+(?:to|and|or|through)$", re.I)
# A numeral standing alone: not glued to a currency sign, a percent sign, a letter or a hyphen.
BARE_NUMERAL = re.compile(r"(?<![\w$€£.,-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w%-])|"
                          r"(?<![\w$€£.,-])\d+(?:\.\d+)?(?![\w%-]|[.,]\d)")
SCALE_AFTER = re.compile(r"\s+(?:thousand|million|billion|trillion)\b", re.I)
RANGE_WORDS = {"to", "-", "–", "and", "or", "through"}


@dataclass
class TextSpan:
    label: str
    start: int
    end: int
    text: str
    value: Any = None
    confidence: float = DEFAULT_CONFIDENCE
    upper: Optional[float] = None
    """For a range ("35 to 50%"), the number it ends at; `value` holds the one it starts at."""


def recognise_text(text: str, nlp=None) -> list[TextSpan]:
    """Entities in `text` (OntoNotes labels), character offsets, values for numbers and money."""
    nlp = nlp or spacy_model()
    doc = nlp(text)
    return recognise_doc(doc)


def recognise_doc(doc) -> list[TextSpan]:
    text = doc.text
    spans = [TextSpan(label_of(e), e.start_char, e.end_char, e.text, None,
                      LABEL_CONFIDENCE.get(label_of(e), DEFAULT_CONFIDENCE))
             for e in doc.ents if not (e.label_ in NAME_LABELS and NOT_A_NAME.fullmatch(e.text))]
    spans = harmonise_name_labels(spans)
    for span in spans:
        if span.label in NUMERIC_LABELS:
            fit_numeric_bounds(text, span)
    spans += bare_numerals(text, spans)
    for span in spans:
        span.value, span.upper = normalise_value(span.label, span.text)
    return sorted(spans, key=lambda s: (s.start, -s.end))


def label_of(ent) -> str:
    """spaCy's label, except that a "MONEY" with no currency that counts a noun is a CARDINAL ("30 million
    patients"): spaCy reads any scaled number in financial text as money."""
    last = ent[-1]
    sign_before = ent.start_char > 0 and ent.doc.text[ent.start_char - 1] in CURRENCY_SIGNS
    if ent.label_ == "MONEY" and not sign_before and currency_in(ent.text) is None and last.dep_ == "nummod" \
            and last.head.pos_ in {"NOUN", "PROPN"} and last.head.i >= ent.end:
        return "CARDINAL"
    return ent.label_


def fit_numeric_bounds(text: str, span: TextSpan) -> None:
    """Take in a currency sign written right before the span; drop a range word left dangling at its end."""
    if span.label == "MONEY" and span.start > 0 and text[span.start - 1] in CURRENCY_SIGNS:
        span.start -= 1
    trimmed = DANGLING_RANGE_WORD.sub("", text[span.start:span.end])
    if trimmed and re.search(r"\d|[a-z]", trimmed, re.I):
        span.end = span.start + len(trimmed)
    span.text = text[span.start:span.end]


def bare_numerals(text: str, spans: list[TextSpan]) -> list[TextSpan]:
    """A CARDINAL for every numeral written on its own ("2020", "56", "1,300") that no CARDINAL covers yet."""
    cardinals = [(s.start, s.end) for s in spans if s.label == "CARDINAL"]
    found = []
    for match in BARE_NUMERAL.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in cardinals):
            continue
        # A count spaCy missed entirely keeps its scale ("more than 30 million patients"); inside a MONEY or DATE
        # span the numeral alone is the nested CARDINAL.
        scale = SCALE_AFTER.match(text, end)
        if scale and not any(s.start < end and start < s.end for s in spans):
            end = scale.end()
        found.append(TextSpan("CARDINAL", start, end, text[start:end], confidence=LABEL_CONFIDENCE["CARDINAL"]))
    return found


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


def normalise_value(label: str, text: str) -> tuple[Optional[Any], Optional[float]]:
    """(value, upper end of a range or None) of a numeric span; (None, None) for other labels."""
    if label not in NUMERIC_LABELS:
        return None, None
    numbers = find_numbers(text)
    if not numbers:
        return None, None
    bounds = range_bounds(text, numbers)
    if bounds is not None:
        number, upper = bounds
    else:
        # Several numbers that are not a range: the amount is the largest ("1 billion $290 million").
        number, upper = max(n.value for n in numbers), None
    currency = next((n.currency for n in numbers if n.currency), None) or currency_in(text)
    upper = clean(upper) if upper is not None else None
    if label == "MONEY":
        return {"amount": clean(number), "currency": currency}, upper
    return clean(number), upper


def range_bounds(text: str, numbers: list) -> Optional[tuple[float, Optional[float]]]:
    """(start, end) of a span that is one number or a range of two; None for anything else.

    `find_numbers` joins money and counts into one mention with `low`; percentages ("6.2% to 7.5%",
    "35 to 50%") come as two mentions with a range word between them.
    """
    if len(numbers) == 1:
        only = numbers[0]
        return (only.low, only.value) if only.low is not None else (only.value, None)
    if len(numbers) == 2 and text[numbers[0].end:numbers[1].start].strip(" ,").lower() in RANGE_WORDS:
        return numbers[0].value, numbers[1].value
    return None


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
