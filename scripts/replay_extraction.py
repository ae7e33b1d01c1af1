"""Re-run the stages after transcription (entities .. crm) on the calls a previous `leadscribe eval` saved, and
score them, so a change to understand/ or crm/ is measured in seconds instead of re-transcribing every call.

    python scripts/replay_extraction.py build/eval/synthetic build/reports/synthetic [--fields] [--show FIELD]
        [--oracle-speakers]

--oracle-speakers gives each word the speaker of the reference turn it falls in, and each speaker the role the
record names, then rebuilds the utterances before extracting: the same words with perfect diarization and roles.
Set beside the plain replay, it tells how much of a CRM shortfall the speaker stages cause and how much the words.

The saved JSON drops each word's `raw` spacing; it is rebuilt from the utterance text, which keeps it; where the
text does not hold a word in order, as " " + word, which is how Whisper writes most words, except the digit groups
Whisper glues to the number before ("$80" + ",000", "1" + ".2 million").
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.evaluate import metrics
from leadscribe.evaluate.datasets import Record, Turn, load_dataset
from leadscribe.evaluate.runner import record_settings, score_call
from leadscribe.pipeline import STAGES
from leadscribe.schema import Call, Crm, Segment, Signals, Summary
from leadscribe.speech.utterances import utterances

REPLAYED = ("entities", "signals", "sentiment", "summary", "crm")
GLUED_DIGITS = re.compile(r"^[,.]\d")


def rebuild_spacing(utterance) -> None:
    """Each word's `raw` from the utterance text, which keeps Whisper's spacing ("www.buniamin.com" is three words
    and no spaces); words the text does not hold in order get " " + word, or no space for a glued digit group."""
    cursor = 0
    for word in utterance.words:
        text = word.word.strip()
        found = utterance.text.find(text, cursor) if text else -1
        if found >= 0 and not utterance.text[cursor:found].strip():
            word.raw = utterance.text[cursor:found] + text if cursor else " " + text
            cursor = found + len(text)
        else:
            word.raw = text if GLUED_DIGITS.match(text) else " " + text


def reference_speaker(start: float, end: float, turns: list[Turn]) -> str:
    """The label of the reference turn overlapping start..end most, else of the nearest turn."""
    overlap = lambda t: min(end, t[2]) - max(start, t[1])  # noqa: E731
    best = max(turns, key=overlap)
    if overlap(best) > 0:
        return best[0]
    return min(turns, key=lambda t: max(t[1] - end, start - t[2]))[0]


def use_reference_speakers(call: Call, ctx: Context, turns: list[Turn], roles: dict[str, str]) -> None:
    """Each word's speaker from the reference turns, each speaker's role from the record (synthetic references
    name their speakers by role: rep, prospect, colleague); utterances rebuilt."""
    role_of = lambda label: roles.get(label) or (label if label in ("rep", "prospect") else "other")  # noqa: E731
    call.segments = []
    for utterance in call.transcription.utterances:
        for word in utterance.words:
            word.speaker = reference_speaker(word.start, word.end, turns)
        call.segments.append(Segment(channel=utterance.channel, start=utterance.start, end=utterance.end,
                                     text=utterance.text, language=utterance.language, avg_logprob=0.0,
                                     no_speech_prob=0.0, words=utterance.words))
    utterances(call, ctx)
    for speaker in call.speakers:
        speaker.role, speaker.role_confidence, speaker.role_source = role_of(speaker.id), 1.0, "reference"
    for utterance in call.transcription.utterances:
        utterance.role = role_of(utterance.speaker)


def replay(call: Call, settings: Settings, call_date: str | None, oracle: Record | None = None) -> Call:
    """The extraction stages again on `call`; with `oracle`, on that record's reference speakers and roles."""
    for utterance in call.transcription.utterances:
        rebuild_spacing(utterance)
    call.entities, call.signals, call.summary, call.crm = [], Signals(), Summary(), Crm()
    if call_date:
        call.custom_metadata = {**(call.custom_metadata or {}), "call_date": call_date}
    ctx = Context(settings=settings)
    if oracle is not None:
        use_reference_speakers(call, ctx, oracle.reference_turns(), oracle.data.get("roles") or {})
    for name, stage in STAGES:
        if name in REPLAYED:
            stage(call, ctx)
    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("report", type=Path, help="the --out folder of a previous eval (its calls/ are replayed)")
    parser.add_argument("--fields", action="store_true", help="print the per-field scores")
    parser.add_argument("--show", action="append", default=[], help="print every proposal of OBJECT.FIELD")
    parser.add_argument("--oracle-speakers", action="store_true",
                        help="replay with the reference speakers and roles instead of the diarizer's")
    args = parser.parse_args()

    dataset = load_dataset(args.dataset)
    results = []
    for record in dataset.records:
        saved = args.report / "calls" / (record.id.replace("/", "__") + ".json")
        if not saved.is_file():
            print(f"skip {record.id}: no saved call at {saved}")
            continue
        call = Call.model_validate_json(saved.read_text(encoding="utf-8"))
        oracle = record if args.oracle_speakers and record.has_reference_turns() else None
        call = replay(call, record_settings(Settings(), dataset, record), record.data.get("call_date"), oracle)
        scored = score_call(record, call)
        results.append(scored)
        truth = {f"{f['object']}.{f['field']}": f["value"] for f in scored.get("crm", {}).get("expected", [])}
        for f in call.crm.fields:
            key = f"{f.object}.{f.field}"
            if key in args.show:
                print(f"{record.id} {key}: {f.value!r} (expected {truth.get(key)!r}) {f.decision} "
                      f"{f.confidence:.3f} - {f.reason}")

    scores = metrics.crm_scores((([metrics.FieldItem(**f) for f in r["crm"]["expected"]],
                                  [metrics.FieldItem(**f) for f in r["crm"]["proposed"]]) for r in results if "crm" in r))
    ece = metrics.calibration(scores["calibration_pairs"])["ece"]
    overall = scores["overall"]
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in overall.items()}),
          f"ece_crm={ece:.4f}" if ece is not None else "")
    if args.fields:
        for key, c in scores["by_field"].items():
            print(f"  {key:34s} exp={c['expected']} prop={c['proposed']} ok={c['correct']} "
                  f"auto={c['auto']} auto_ok={c['auto_correct']}")


if __name__ == "__main__":
    main()
