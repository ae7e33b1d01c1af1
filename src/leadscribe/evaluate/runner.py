"""Runs the pipeline over a dataset and scores every call, then pools the scores.

DER is scored twice. `der` scores the diarizer's own answer (`call.diarization.turns`): who
spoke when, the figure comparable to published diarization results. `der_words` scores the
speaker-attributed transcript: the words with their speaker, merged while the same speaker
keeps talking with gaps under `WORD_GAP_MERGE` seconds; speech Whisper wrote no words for
counts as missed there, so it mixes transcription and diarization errors. `wder` (where the
reference says who said which words) scores the words' speakers without their times: of the words
Whisper got, the share given the wrong speaker (`metrics.word_diarization_error`).
"""
from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any, Callable, Iterable, Optional

from leadscribe.config import Settings
from leadscribe.evaluate import metrics
from leadscribe.evaluate.datasets import Dataset, Record
from leadscribe.schema import Call

logger = logging.getLogger(__name__)

WORD_GAP_MERGE = 0.5


def diarizer_turns(call: Call) -> list[metrics.Turn]:
    return [(t.speaker, t.start, t.end) for t in call.diarization.turns] or word_turns(call)


def word_turns(call: Call) -> list[metrics.Turn]:
    turns: list[list[Any]] = []
    for utterance in call.transcription.utterances:
        spans = [(w.start, w.end) for w in utterance.words if w.end > w.start] or [(utterance.start, utterance.end)]
        for start, end in spans:
            if turns and turns[-1][0] == utterance.speaker and start - turns[-1][2] < WORD_GAP_MERGE:
                turns[-1][2] = max(turns[-1][2], end)
            else:
                turns.append([utterance.speaker, start, end])
    return [(speaker, start, end) for speaker, start, end in turns]


def hypothesis_text(call: Call) -> str:
    return call.transcription.full_transcript or " ".join(u.text for u in call.transcription.utterances)


def hypothesis_speaker_count(call: Call) -> int:
    """How many speakers the diarizer found (those with words, when it gave no turns)."""
    return len({t.speaker for t in call.diarization.turns} or {u.speaker for u in call.transcription.utterances})


def predicted_entities(call: Call) -> list[metrics.EntityItem]:
    return [metrics.EntityItem(type=e.type, value=e.value, text=e.text, start=e.start, end=e.end,
                               confidence=e.confidence) for e in call.entities]


def expected_entities(record: Record) -> list[metrics.EntityItem]:
    return [metrics.EntityItem(type=e["type"], value=e.get("value"), text=e.get("text", ""), start=e.get("start"),
                               end=e.get("end")) for e in record.data.get("entities") or []]


def proposed_fields(call: Call, record: Record) -> list[metrics.FieldItem]:
    fields = [metrics.FieldItem(object=f.object, field=f.field, value=f.value, confidence=f.confidence,
                                decision=f.decision) for f in call.crm.fields]
    if record.data.get("crm_complete", True) is False:
        # A partial reference cannot say a value for another field is wrong.
        known = {(f["object"], f["field"]) for f in record.data.get("crm") or []}
        fields = [f for f in fields if (f.object, f.field) in known]
    return fields


def expected_fields(record: Record) -> list[metrics.FieldItem]:
    return [metrics.FieldItem(object=f["object"], field=f["field"], value=f.get("value"))
            for f in record.data.get("crm") or []]


def score_call(record: Record, call: Call) -> dict[str, Any]:
    """Every per-call number, plus the raw items the pooled entity/CRM scores need."""
    result: dict[str, Any] = {
        "id": record.id, "audio": str(record.audio), "tags": record.tags, "synthetic": record.synthetic,
        "language": record.language, "status": call.status, "error": call.error,
        "duration": call.file.audio_duration or record.data.get("duration"),
        "processing_time": call.metadata.transcription_time, "timings": call.metadata.timings,
        "detected_languages": call.transcription.languages, "hypothesis_text": hypothesis_text(call),
    }
    reference_text = record.reference_text() if record.scores("asr") else None
    if reference_text is not None:
        result["asr"] = metrics.error_counts(reference_text, result["hypothesis_text"], record.language)
        result["reference_text"] = reference_text
    if record.has_reference_turns() and record.scores("der"):
        for key, turns in (("der", diarizer_turns(call)), ("der_words", word_turns(call))):
            result[key] = metrics.diarization_error(record.reference_turns(), turns, uem=record.uem(),
                                                    duration=result["duration"])
    speaker_text = record.reference_speaker_text() if record.scores("der") else None
    if speaker_text and call.transcription.utterances:
        result["wder"] = metrics.word_diarization_error(
            speaker_text, [(u.speaker, u.text) for u in call.transcription.utterances], record.language)
    if record.data.get("roles") and record.has_reference_turns() and record.scores("roles"):
        result["roles"] = score_roles(record, call)
    if record.speakers is not None and record.scores("speaker_count"):
        found = hypothesis_speaker_count(call)
        result["speaker_count"] = {"reference": record.speakers, "hypothesis": found,
                                   "correct": found == record.speakers}
    if "entities" in record.data and record.scores("entities"):
        result["entities"] = {"expected": [vars(e) for e in expected_entities(record)],
                              "predicted": [vars(e) for e in predicted_entities(call)]}
    if "crm" in record.data and record.scores("crm"):
        result["crm"] = {"expected": [vars(f) for f in expected_fields(record)],
                         "proposed": [vars(f) for f in proposed_fields(call, record)]}
    return result


def score_roles(record: Record, call: Call) -> dict[str, Any]:
    """Each reference speaker's expected role against the role of the hypothesis speaker that
    best covers them (the DER's optimal mapping); the call is right when every one matches."""
    reference = metrics.to_annotation(record.reference_turns())
    hypothesis = metrics.to_annotation(diarizer_turns(call))
    mapping = metrics.speaker_mapping(reference, hypothesis)
    role_of = {s.id: s.role for s in call.speakers}
    found = {label: role_of.get(mapping.get(label), "unknown") for label in record.data["roles"]}
    return {"expected": record.data["roles"], "found": found, "enrolled": bool(record.data.get("enroll")),
            "correct": all(found[label] == role for label, role in record.data["roles"].items())}


def enrolled_settings(settings: Settings, record: Record, folder: Path) -> Settings:
    """Settings with the record's reps enrolled into `folder` (a fresh voiceprint store)."""
    from leadscribe.speech.enroll import enroll

    settings = settings.model_copy(update={"voiceprints_dir": folder})
    for rep in record.data.get("enroll") or []:
        enroll(rep["name"], [Path(rep["audio"])], settings)
    return settings


def record_settings(settings: Settings, dataset: Dataset, record: Record) -> Settings:
    """The settings a user would have had for this call: the dataset's, then the record's own
    (vocabulary, seller company, channel roles...), over the command's."""
    overrides = {**dataset.settings, **record.data.get("settings", {})}
    return settings.model_copy(update=overrides) if overrides else settings


def run_dataset(dataset: Dataset, settings: Settings, records: Optional[list[Record]] = None,
                calls_dir: Optional[Path] = None, on_call: Optional[Callable[[Record, dict], None]] = None,
                enrich_fn: Optional[Callable[..., Call]] = None) -> list[dict[str, Any]]:
    """Enrich and score each record in turn (one process: the model loads once)."""
    if enrich_fn is None:
        from leadscribe.pipeline import enrich as enrich_fn  # imported late: loads speech stacks
    results = []
    for record in records if records is not None else dataset.records:
        started = perf_counter()
        # The call date anchors relative dates ("next Tuesday"), as the recorder's timestamp would.
        metadata = {"call_date": record.data["call_date"]} if record.data.get("call_date") else None
        call_settings = record_settings(settings, dataset, record)
        with tempfile.TemporaryDirectory(prefix="leadscribe-voiceprints-") as folder:
            if record.data.get("enroll"):
                call_settings = enrolled_settings(call_settings, record, Path(folder))
            call = enrich_fn(record.audio, call_settings, custom_metadata=metadata)
        scored = score_call(record, call)
        scored["wall_time"] = round(perf_counter() - started, 3)
        if calls_dir is not None:
            calls_dir.mkdir(parents=True, exist_ok=True)
            (calls_dir / (record.id.replace("/", "__") + ".json")).write_text(call.to_json(), encoding="utf-8")
        results.append(scored)
        if on_call:
            on_call(record, scored)
    return results


# --- pooling ----------------------------------------------------------------------------------------

def _entity_items(results: Iterable[dict]) -> list[tuple[list, list]]:
    return [([metrics.EntityItem(**e) for e in r["entities"]["expected"]],
             [metrics.EntityItem(**e) for e in r["entities"]["predicted"]]) for r in results if "entities" in r]


def _crm_items(results: Iterable[dict]) -> list[tuple[list, list]]:
    return [([metrics.FieldItem(**f) for f in r["crm"]["expected"]],
             [metrics.FieldItem(**f) for f in r["crm"]["proposed"]]) for r in results if "crm" in r]


def _speaker_group(result: dict) -> Optional[str]:
    count = (result.get("speaker_count") or {}).get("reference")
    if count is None:
        return None
    return "1 speaker" if count == 1 else "2 speakers" if count == 2 else "3+ speakers"


def _der_by_group(results: list[dict], key: str) -> dict[str, Any]:
    """Pooled DER (`der` or `der_words`) per reference speaker-count group."""
    groups = {}
    for group in ("1 speaker", "2 speakers", "3+ speakers"):
        rows = [r[key] for r in results if key in r and _speaker_group(r) == group]
        if rows:
            groups[group] = metrics.pooled_diarization_error(rows)
    return groups


def _wder_by_group(results: list[dict]) -> dict[str, Any]:
    """Pooled WDER over every call scored, and per reference speaker-count group."""
    scored = [r for r in results if "wder" in r]
    groups = {"all": metrics.pooled_word_diarization_error(r["wder"] for r in scored)} if scored else {}
    for group in ("2 speakers", "3+ speakers"):
        rows = [r["wder"] for r in scored if _speaker_group(r) == group]
        if rows:
            groups[group] = metrics.pooled_word_diarization_error(rows)
    return groups


def _role_accuracy(results: list[dict]) -> dict[str, Any]:
    correct = sum(r["roles"]["correct"] for r in results)
    return {"calls": len(results), "correct": correct, "accuracy": correct / len(results) if results else None}


def _speaker_accuracy(results: list[dict]) -> dict[str, Any]:
    scored = [r["speaker_count"] for r in results if "speaker_count" in r]
    correct = sum(s["correct"] for s in scored)
    return {"files": len(scored), "correct": correct, "accuracy": correct / len(scored) if scored else None}


def summarise(results: list[dict[str, Any]], dataset: Dataset) -> dict[str, Any]:
    """Pooled figures: WER (word and character units apart), DER per speaker-count group,
    speaker-count accuracy, entity and CRM scores, calibration, and all of it per tag."""
    entities = metrics.entity_scores(_entity_items(results))
    crm = metrics.crm_scores(_crm_items(results))
    summary: dict[str, Any] = {
        "dataset": {"name": dataset.name, "root": str(dataset.root), "synthetic": dataset.synthetic,
                    "description": dataset.description, "calls": len(results),
                    "failed": sum(r["status"] != "done" for r in results),
                    "audio_seconds": sum(r.get("duration") or 0 for r in results)},
        "asr": _asr_summary(results),
        "diarization": _der_by_group(results, "der"),
        "diarization_words": _der_by_group(results, "der_words"),
        "word_speakers": _wder_by_group(results),
        "roles": {"all": _role_accuracy([r for r in results if "roles" in r]),
                  "enrolled": _role_accuracy([r for r in results if r.get("roles", {}).get("enrolled")]),
                  "not enrolled": _role_accuracy([r for r in results if "roles" in r and not r["roles"]["enrolled"]])},
        "speaker_count": {"all": _speaker_accuracy(results),
                          **{group: _speaker_accuracy([r for r in results if _speaker_group(r) == group])
                             for group in ("1 speaker", "2 speakers", "3+ speakers")}},
        "entities": {k: v for k, v in entities.items() if k != "calibration_pairs"},
        "crm": {k: v for k, v in crm.items() if k != "calibration_pairs"},
        "calibration": {"entities": metrics.calibration(entities["calibration_pairs"]),
                        "crm": metrics.calibration(crm["calibration_pairs"])},
        "by_tag": _by_tag(results),
    }
    summary["entities"]["present"] = any(r.get("entities", {}).get("predicted") for r in results)
    summary["crm"]["present"] = any(r.get("crm", {}).get("proposed") for r in results)
    return summary


def _asr_summary(results: list[dict]) -> dict[str, Any]:
    scored = [r for r in results if "asr" in r]
    words = [r["asr"] for r in scored if r["asr"]["unit"] == "word"]
    chars = [r["asr"] for r in scored if r["asr"]["unit"] == "char"]
    by_language: dict[str, Any] = {}
    for lang in sorted({r["language"] for r in scored}):
        by_language[lang] = metrics.pooled_error_rate(r["asr"] for r in scored if r["language"] == lang)
        by_language[lang]["unit"] = "char" if lang in metrics.CHARACTER_LANGUAGES else "word"
    return {"wer_pooled": metrics.pooled_error_rate(words), "cer_pooled": metrics.pooled_error_rate(chars),
            "wer_pooled_en": metrics.pooled_error_rate(r["asr"] for r in scored if r["language"] == "en"),
            "by_language": by_language}


def _by_tag(results: list[dict]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for tag in sorted({t for r in results for t in r["tags"]}):
        group = [r for r in results if tag in r["tags"]]
        word_rows = [r["asr"] for r in group if "asr" in r and r["asr"]["unit"] == "word"]
        der_rows = [r["der"] for r in group if "der" in r]
        table[tag] = {"calls": len(group),
                      "wer": metrics.pooled_error_rate(word_rows)["error_rate"] if word_rows else None,
                      "der_collar_0.25": metrics.pooled_diarization_error(der_rows)["collar_0.25"]["der"]
                      if der_rows else None,
                      "speaker_count_accuracy": _speaker_accuracy(group)["accuracy"],
                      "entity_f1": metrics.entity_scores(_entity_items(group))["micro"]["f1"]
                      if any("entities" in r for r in group) else None}
    return table


def write_results(results: list[dict], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
