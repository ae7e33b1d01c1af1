"""Pure metric functions: WER/CER, DER, entity scores, CRM-field scores, calibration.

Nothing here runs a model or reads a file; every function takes plain data and returns
plain numbers (dicts), so the same code scores a pipeline run, a stored result or a test case.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

import jiwer
import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

from leadscribe.evaluate.normalise import (CHARACTER_LANGUAGES, normalise_characters, normalise_text,
                                           values_equal)

# --- word / character error rate -------------------------------------------------------------------

def error_counts(reference: str, hypothesis: str, language: str = "en") -> dict[str, Any]:
    """Edit counts after normalisation; `unit` is `word`, or `char` for zh/ja/ko.

    jiwer does the alignment. Empty sides are handled here because jiwer refuses an empty
    reference: no reference words means every hypothesis word is an insertion."""
    lang = (language or "en").split("-")[0]
    unit = "char" if lang in CHARACTER_LANGUAGES else "word"
    ref_tokens, hyp_tokens = scoring_tokens(reference, lang), scoring_tokens(hypothesis, lang)
    if not ref_tokens or not hyp_tokens:
        counts = {"hits": 0, "substitutions": 0, "deletions": len(ref_tokens), "insertions": len(hyp_tokens)}
    else:
        out = jiwer.process_words(" ".join(ref_tokens), " ".join(hyp_tokens))
        counts = {"hits": out.hits, "substitutions": out.substitutions, "deletions": out.deletions,
                  "insertions": out.insertions}
    counts["reference_length"] = len(ref_tokens)
    counts["unit"] = unit
    counts["error_rate"] = error_rate(counts)
    return counts


def scoring_tokens(text: str, lang: str) -> list[str]:
    """The units WER counts in `text` after normalisation: characters for zh/ja/ko, words otherwise."""
    if lang in CHARACTER_LANGUAGES:
        return list(normalise_characters(text))
    return normalise_text(text, lang).split()


def error_rate(counts: dict[str, Any]) -> Optional[float]:
    """(S + D + I) / N; None when the reference is empty and the hypothesis is not (undefined)."""
    errors = counts["substitutions"] + counts["deletions"] + counts["insertions"]
    if counts["reference_length"] == 0:
        return 0.0 if errors == 0 else None
    return errors / counts["reference_length"]


def pooled_error_rate(per_file: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Corpus-level rate: total edits over total reference tokens (not a mean of per-file rates)."""
    total = {"hits": 0, "substitutions": 0, "deletions": 0, "insertions": 0, "reference_length": 0, "files": 0}
    for counts in per_file:
        for key in ("hits", "substitutions", "deletions", "insertions", "reference_length"):
            total[key] += counts[key]
        total["files"] += 1
    total["error_rate"] = error_rate(total) if total["files"] else None
    return total


def wer(reference: str, hypothesis: str, language: str = "en") -> Optional[float]:
    return error_counts(reference, hypothesis, language)["error_rate"]


# --- diarization error rate -------------------------------------------------------------------------

Turn = tuple[str, float, float]  # (speaker, start, end)

# md-eval's "collar 0.25" forgives 0.25 s on each side of a reference boundary; pyannote.metrics
# takes the total width of the forgiveness window, hence the factor 2.
COLLARS = {"collar_0.25": 0.5, "collar_0": 0.0}


def to_annotation(turns: Iterable[Turn], uri: str = "call") -> Annotation:
    annotation = Annotation(uri=uri)
    for index, (speaker, start, end) in enumerate(turns):
        if end > start:
            annotation[Segment(float(start), float(end)), index] = str(speaker)
    return annotation


def diarization_error(reference: Sequence[Turn], hypothesis: Sequence[Turn],
                      uem: Optional[Sequence[tuple[float, float]]] = None, duration: Optional[float] = None
                      ) -> dict[str, Any]:
    """DER with overlap scored, at each collar in COLLARS, plus its components in seconds.

    The scored region is the UEM when given, else [0, duration], else the union of both extents."""
    ref, hyp = to_annotation(reference), to_annotation(hypothesis)
    if uem:
        region = Timeline([Segment(s, e) for s, e in uem])
    elif duration:
        region = Timeline([Segment(0.0, float(duration))])
    else:
        region = Timeline([ref.get_timeline().union(hyp.get_timeline()).extent()]) if (ref or hyp) else Timeline()
    result: dict[str, Any] = {"reference_speakers": len(ref.labels()), "hypothesis_speakers": len(hyp.labels())}
    for name, collar in COLLARS.items():
        metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
        if not ref.labels():
            # DER is undefined without reference speech; report the false-alarm time instead.
            false_alarm = hyp.get_timeline().support().crop(region).duration() if hyp else 0.0
            result[name] = {"der": None, "total": 0.0, "false_alarm": false_alarm, "missed": 0.0, "confusion": 0.0}
            continue
        components = metric(ref, hyp, uem=region, detailed=True)
        result[name] = {"der": components["diarization error rate"], "total": components["total"],
                        "false_alarm": components["false alarm"], "missed": components["missed detection"],
                        "confusion": components["confusion"]}
    return result


def speaker_mapping(reference: Annotation, hypothesis: Annotation) -> dict[str, str]:
    """Reference label -> the hypothesis label DER pairs it with (pyannote's optimal mapping)."""
    if not reference.labels() or not hypothesis.labels():
        return {}
    # pyannote maps the other way round: hypothesis label -> reference label.
    return {ref: hyp for hyp, ref in DiarizationErrorRate().optimal_mapping(reference, hypothesis).items()}


def pooled_diarization_error(per_file: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Corpus DER: summed error time over summed reference speech time, per collar."""
    pooled: dict[str, Any] = {"files": 0}
    for result in per_file:
        pooled["files"] += 1
        for name in COLLARS:
            acc = pooled.setdefault(name, {"total": 0.0, "false_alarm": 0.0, "missed": 0.0, "confusion": 0.0})
            for key in acc:
                acc[key] += result[name][key]
    for name in COLLARS:
        acc = pooled.get(name)
        if acc is not None:
            errors = acc["false_alarm"] + acc["missed"] + acc["confusion"]
            acc["der"] = errors / acc["total"] if acc["total"] > 0 else None
    return pooled


def word_diarization_error(reference: Sequence[tuple[str, str]], hypothesis: Sequence[tuple[str, str]],
                           language: str = "en") -> dict[str, Any]:
    """WDER (Shafey et al., 2019): of the words the recogniser got (hits and substitutions of the WER alignment),
    the share whose speaker is wrong, each hypothesis speaker read as the reference speaker it shares most words
    with (one to one). `reference` and `hypothesis` are (speaker, text) per turn or utterance.

    Times play no part, unlike DER of words: a word Whisper timed early still counts for the speaker who said it."""
    from scipy.optimize import linear_sum_assignment

    lang = (language or "en").split("-")[0]

    def tokens(turns: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(speaker, token) for speaker, text in turns for token in scoring_tokens(text, lang)]

    ref, hyp = tokens(reference), tokens(hypothesis)
    pairs: list[tuple[str, str]] = []
    if ref and hyp:
        alignment = jiwer.process_words(" ".join(t for _, t in ref), " ".join(t for _, t in hyp)).alignments[0]
        for chunk in alignment:
            if chunk.type in ("equal", "substitute"):
                pairs += [(ref[chunk.ref_start_idx + k][0], hyp[chunk.hyp_start_idx + k][0])
                          for k in range(chunk.ref_end_idx - chunk.ref_start_idx)]
    if not pairs:
        return {"words": 0, "wrong_speaker": 0, "wder": None}
    ref_labels, hyp_labels = sorted({r for r, _ in pairs}), sorted({h for _, h in pairs})
    shared = np.zeros((len(hyp_labels), len(ref_labels)))
    for r, h in pairs:
        shared[hyp_labels.index(h), ref_labels.index(r)] += 1
    rows, cols = linear_sum_assignment(-shared)
    mapping = {hyp_labels[row]: ref_labels[col] for row, col in zip(rows, cols)}
    wrong = sum(mapping.get(h) != r for r, h in pairs)
    return {"words": len(pairs), "wrong_speaker": wrong, "wder": wrong / len(pairs)}


def pooled_word_diarization_error(per_file: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Corpus WDER: words with the wrong speaker over all words scored."""
    rows = list(per_file)
    words, wrong = sum(r["words"] for r in rows), sum(r["wrong_speaker"] for r in rows)
    return {"files": len(rows), "words": words, "wrong_speaker": wrong, "wder": wrong / words if words else None}


# --- entities ---------------------------------------------------------------------------------------

NUMERIC_ENTITY_TYPES = {"MONEY", "QUANTITY", "PHONE", "DATE"}


@dataclass
class EntityItem:
    type: str
    value: Any
    text: str = ""
    start: Optional[float] = None
    end: Optional[float] = None
    confidence: Optional[float] = None


def _spans_overlap(a: EntityItem, b: EntityItem, tolerance: float = 1.0) -> bool:
    if None in (a.start, a.end, b.start, b.end):
        return False
    return a.start - tolerance < b.end and b.start - tolerance < a.end


def match_entities(expected: Sequence[EntityItem], predicted: Sequence[EntityItem]
                   ) -> list[tuple[Optional[int], Optional[int], bool]]:
    """One-to-one matching per type. A prediction finds an expected entity of its type with an
    equal normalised value first; failing that, one whose time span overlaps (±1 s) it, which
    then counts as found with a wrong value. Returns (expected index, predicted index, value_ok)."""
    pairs: list[tuple[Optional[int], Optional[int], bool]] = []
    free = set(range(len(expected)))
    unmatched_predictions = []
    for j, pred in enumerate(predicted):
        hit = next((i for i in sorted(free) if expected[i].type == pred.type
                    and values_equal(expected[i].value, pred.value, pred.type)), None)
        if hit is None:
            unmatched_predictions.append(j)
            continue
        free.discard(hit)
        pairs.append((hit, j, True))
    for j in unmatched_predictions:
        pred = predicted[j]
        hit = next((i for i in sorted(free) if expected[i].type == pred.type and _spans_overlap(expected[i], pred)),
                   None)
        if hit is not None:
            free.discard(hit)
        pairs.append((hit, j, False))
    pairs.extend((i, None, False) for i in sorted(free))
    return pairs


def prf(true_positives: int, predicted: int, expected: int) -> dict[str, Any]:
    precision = true_positives / predicted if predicted else None
    recall = true_positives / expected if expected else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"tp": true_positives, "predicted": predicted, "expected": expected,
            "precision": precision, "recall": recall, "f1": f1}


def entity_scores(items: Iterable[tuple[Sequence[EntityItem], Sequence[EntityItem]]]) -> dict[str, Any]:
    """Detection P/R/F1 by type and micro, exact-value accuracy of found entities, and the
    numeric types (money, quantities, phones, dates) on their own line.

    `items` yields (expected, predicted) per call; only calls with an entity reference belong here."""
    by_type: dict[str, dict[str, int]] = {}
    calibration: list[tuple[float, bool]] = []

    def bucket(kind: str) -> dict[str, int]:
        return by_type.setdefault(kind, {"tp": 0, "predicted": 0, "expected": 0, "value_correct": 0})

    calls = 0
    for expected, predicted in items:
        calls += 1
        for e in expected:
            bucket(e.type)["expected"] += 1
        for p in predicted:
            bucket(p.type)["predicted"] += 1
        for i, j, value_ok in match_entities(expected, predicted):
            if i is not None and j is not None:
                bucket(predicted[j].type)["tp"] += 1
                bucket(predicted[j].type)["value_correct"] += int(value_ok)
            if j is not None and predicted[j].confidence is not None:
                calibration.append((float(predicted[j].confidence), bool(i is not None and value_ok)))

    def summarise(counts: dict[str, int]) -> dict[str, Any]:
        scores = prf(counts["tp"], counts["predicted"], counts["expected"])
        scores["value_correct"] = counts["value_correct"]
        scores["value_accuracy"] = counts["value_correct"] / counts["tp"] if counts["tp"] else None
        # Share of expected entities found with exactly the right value: what reaches a CRM.
        scores["exact_value_recall"] = counts["value_correct"] / counts["expected"] if counts["expected"] else None
        return scores

    def total(kinds: Iterable[str]) -> dict[str, int]:
        acc = {"tp": 0, "predicted": 0, "expected": 0, "value_correct": 0}
        for kind in kinds:
            for key in acc:
                acc[key] += by_type[kind][key]
        return acc

    return {"calls": calls,
            "micro": summarise(total(by_type)),
            "numeric": summarise(total(k for k in by_type if k in NUMERIC_ENTITY_TYPES)),
            "by_type": {kind: summarise(counts) for kind, counts in sorted(by_type.items())},
            "calibration_pairs": calibration}


# --- CRM fields -------------------------------------------------------------------------------------

# Free-text fields: any wording is right, so only their presence is scored.
FREE_TEXT_FIELDS = {("deal", "leadscribe_pain_points"), ("deal", "leadscribe_next_step"), ("call", "hs_call_body")}


@dataclass
class FieldItem:
    object: str
    field: str
    value: Any
    confidence: Optional[float] = None
    decision: str = "review"


def _field_correct(expected: FieldItem, proposed: FieldItem) -> bool:
    if (expected.object, expected.field) in FREE_TEXT_FIELDS:
        return proposed.value not in (None, "", [], {})
    kind = "PHONE" if expected.field == "phone" else ""
    return values_equal(expected.value, proposed.value, kind)


def crm_scores(items: Iterable[tuple[Sequence[FieldItem], Sequence[FieldItem]]]) -> dict[str, Any]:
    """Precision/recall of proposed values (decision auto or review), auto-write precision and
    coverage, overall and per field. A proposal for a field the reference does not hold counts
    against precision: it would put a value into the CRM that should not be there."""
    by_field: dict[str, dict[str, int]] = {}
    calibration: list[tuple[float, bool]] = []

    def bucket(key: str) -> dict[str, int]:
        return by_field.setdefault(key, {"expected": 0, "proposed": 0, "correct": 0, "auto": 0, "auto_correct": 0})

    calls = 0
    for expected, proposed in items:
        calls += 1
        truth = {(f.object, f.field): f for f in expected}
        for f in expected:
            bucket(f"{f.object}.{f.field}")["expected"] += 1
        for f in proposed:
            if f.decision == "skip" or f.value in (None, "", [], {}):
                continue
            counts = bucket(f"{f.object}.{f.field}")
            counts["proposed"] += 1
            reference = truth.get((f.object, f.field))
            correct = reference is not None and _field_correct(reference, f)
            counts["correct"] += int(correct)
            if f.decision == "auto":
                counts["auto"] += 1
                counts["auto_correct"] += int(correct)
            if f.confidence is not None:
                calibration.append((float(f.confidence), correct))

    def summarise(c: dict[str, int]) -> dict[str, Any]:
        return {**c,
                "precision": c["correct"] / c["proposed"] if c["proposed"] else None,
                "recall": c["correct"] / c["expected"] if c["expected"] else None,
                "auto_precision": c["auto_correct"] / c["auto"] if c["auto"] else None,
                "auto_coverage": c["auto_correct"] / c["expected"] if c["expected"] else None}

    overall = {"expected": 0, "proposed": 0, "correct": 0, "auto": 0, "auto_correct": 0}
    for counts in by_field.values():
        for key in overall:
            overall[key] += counts[key]
    return {"calls": calls, "overall": summarise(overall),
            "by_field": {key: summarise(c) for key, c in sorted(by_field.items())},
            "calibration_pairs": calibration}


# --- calibration ------------------------------------------------------------------------------------

def calibration(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> dict[str, Any]:
    """Reliability curve (equal-width confidence bins) and expected calibration error:
    ECE = sum over bins of |accuracy - mean confidence| weighted by the bin's share of items."""
    if not pairs:
        return {"count": 0, "ece": None, "bins": []}
    confidence = np.clip(np.array([c for c, _ in pairs], dtype=float), 0.0, 1.0)
    correct = np.array([ok for _, ok in pairs], dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.minimum(np.digitize(confidence, edges[1:-1], right=True), bins - 1)
    curve, ece = [], 0.0
    for b in range(bins):
        mask = index == b
        if not mask.any():
            continue
        mean_conf, accuracy = float(confidence[mask].mean()), float(correct[mask].mean())
        ece += mask.sum() / len(pairs) * abs(accuracy - mean_conf)
        curve.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": int(mask.sum()),
                      "confidence": mean_conf, "accuracy": accuracy})
    return {"count": len(pairs), "ece": float(ece), "accuracy": float(correct.mean()), "bins": curve}
