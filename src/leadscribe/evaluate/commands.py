"""The `eval`, `bench` and `synth` commands as library calls that print their tables.

The CLI parses arguments and calls these; they call the evaluation modules and render the
headline figures with rich. Everything they print is also in the JSON they write."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from rich.console import Console
from rich.table import Table

from leadscribe.config import Settings


def _pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def evaluate_dataset(dataset_dir: Path, out_dir: Path, settings: Settings, limit: Optional[int], tags: list[str],
                     console: Console, err: Console) -> int:
    from leadscribe.evaluate.datasets import load_dataset
    from leadscribe.evaluate.report import write_report
    from leadscribe.evaluate.runner import run_dataset, summarise

    dataset = load_dataset(dataset_dir)
    records = dataset.select(tags, limit)
    if not records:
        err.print(f"[red]error:[/red] no records in {dataset_dir} match tags {tags}", highlight=False)
        return 2
    if dataset.synthetic:
        console.print("[yellow]synthetic dataset: figures test the pipeline logic, not real-call quality[/yellow]")

    def progress(record, scored) -> None:
        wer = scored.get("asr", {}).get("error_rate")
        der = scored.get("der", {}).get("collar_0.25", {}).get("der")
        err.print(f"{record.id}: {scored['status']} wer={_pct(wer)} der={_pct(der)} ({scored['wall_time']:.1f} s)",
                  highlight=False)

    results = run_dataset(dataset, settings, records, calls_dir=Path(out_dir) / "calls", on_call=progress)
    summary = summarise(results, dataset)
    summary["settings"] = {"model": settings.model, "tags": tags, "limit": limit}
    paths = write_report(summary, results, out_dir)
    print_summary(console, summary)
    console.print(f"wrote {paths['json']} and {paths['html']}", highlight=False)
    return 0


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    table = Table("figure", "value", "n", title=summary["dataset"]["name"] + (
        " (SYNTHETIC)" if summary["dataset"]["synthetic"] else ""))
    asr = summary["asr"]
    table.add_row("pooled WER", _pct(asr["wer_pooled"]["error_rate"]), str(asr["wer_pooled"]["files"]))
    table.add_row("pooled CER (zh/ja/ko)", _pct(asr["cer_pooled"]["error_rate"]), str(asr["cer_pooled"]["files"]))
    for tag in ("callytics", "phone", "8khz"):
        row = summary["by_tag"].get(tag)
        if row:
            table.add_row(f"WER (tag {tag})", _pct(row["wer"]), str(row["calls"]))
    for group, der in summary["diarization"].items():
        table.add_row(f"DER {group} (±0.25 s / 0 s)",
                      f"{_pct(der['collar_0.25']['der'])} / {_pct(der['collar_0']['der'])}", str(der["files"]))
    for group, der in summary.get("diarization_words", {}).items():
        table.add_row(f"DER of words {group} (±0.25 s)", _pct(der["collar_0.25"]["der"]), str(der["files"]))
    for group, wder in summary.get("word_speakers", {}).items():
        table.add_row(f"WDER (words, wrong speaker) {group}", _pct(wder["wder"]), str(wder["files"]))
    for tag in ("phone", "ami", "dual-channel", "speakerphone"):
        row = summary["by_tag"].get(tag)
        if row and row["der_collar_0.25"] is not None:
            table.add_row(f"DER (tag {tag}, ±0.25 s)", _pct(row["der_collar_0.25"]), str(row["calls"]))
    for group, acc in summary.get("roles", {}).items():
        if acc["calls"]:
            table.add_row(f"roles right ({group})", _pct(acc["accuracy"]), str(acc["calls"]))
    for group, acc in summary["speaker_count"].items():
        if acc["files"]:
            table.add_row(f"speaker count acc. {group}", _pct(acc["accuracy"]), str(acc["files"]))
    ent = summary["entities"]
    table.add_row("entity P / R / F1", " / ".join(_pct(ent["micro"][k]) for k in ("precision", "recall", "f1")),
                  str(ent["micro"]["expected"]))
    table.add_row("entity value accuracy (found)", _pct(ent["micro"]["value_accuracy"]), str(ent["micro"]["tp"]))
    table.add_row("numeric entity P / R / value acc.",
                  " / ".join(_pct(ent["numeric"][k]) for k in ("precision", "recall", "value_accuracy")),
                  str(ent["numeric"]["expected"]))
    crm = summary["crm"]["overall"]
    table.add_row("CRM precision / recall", f"{_pct(crm['precision'])} / {_pct(crm['recall'])}", str(crm["expected"]))
    table.add_row("CRM auto precision / coverage", f"{_pct(crm['auto_precision'])} / {_pct(crm['auto_coverage'])}",
                  str(crm["auto"]))
    for name, cal in summary["calibration"].items():
        table.add_row(f"ECE {name}", "–" if cal["ece"] is None else f"{cal['ece']:.3f}", str(cal["count"]))
    console.print(table)
    if not summary["entities"].get("present"):
        console.print("note: no entities were predicted (entity stage absent or silent)")
    if not summary["crm"].get("present"):
        console.print("note: no CRM fields were proposed (crm stage absent or silent)")


def text_ner(folder: Path, out_dir: Optional[Path], limit: Optional[int], console: Console) -> int:
    from leadscribe.evaluate.textner import evaluate_text_ner

    result = evaluate_text_ner(folder, limit)
    console.print(f"recogniser under test: {result['leadscribe_recogniser']}", highlight=False)
    table = Table("system", "label", "P (overlap)", "R (overlap)", "F1 (overlap)", "F1 (strict)", "value acc.",
                  title=f"text NER on {len(result['documents'])} reference transcripts ({result['reference_spans']} spans)")
    for system, scores in result["systems"].items():
        for label, row in [("micro", scores["micro"]), *scores["by_label"].items()]:
            table.add_row(system, label, _pct(row["overlap"]["precision"]), _pct(row["overlap"]["recall"]),
                          _pct(row["overlap"]["f1"]), _pct(row["strict"]["f1"]), _pct(row["value_accuracy"]))
    console.print(table)
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        target = Path(out_dir) / "text_ner.json"
        target.write_text(json.dumps(result, indent=2), encoding="utf-8")
        console.print(f"wrote {target}", highlight=False)
    return 0


def bench(audio: list[Path], settings: Settings, parallel: int, price: float, json_path: Optional[Path],
          console: Console, repeat: int = 1) -> int:
    from leadscribe.evaluate.bench import run_bench

    result = run_bench(audio, settings, parallel, price, repeat)
    table = Table("file", "audio s", "enrich s", "plain whisper s", "enrich/plain", "RTF",
                  title=f"bench: model {settings.model}, {result['settings']['cpu_count']} cores")
    for f in result["files"]:
        table.add_row(Path(f["audio"]).name, f"{f['audio_seconds']:.1f}", f"{f['enrich_seconds']:.2f}",
                      f"{f['plain_whisper_seconds']:.2f}", f"{f['overhead_ratio']:.2f}x", f"{f['rtf_total']:.3f}")
    total = result["total"]
    table.add_row("total", f"{total['audio_seconds']:.1f}", f"{total['enrich_seconds']:.2f}",
                  f"{total['plain_whisper_seconds']:.2f}", f"{total['overhead_ratio']:.2f}x", f"{total['rtf_total']:.3f}")
    console.print(table)
    stages = Table("stage", "RTF", title="real-time factor by stage (all files)")
    for stage, rtf in total["rtf_by_stage"].items():
        stages.add_row(stage, f"{rtf:.4f}")
    console.print(stages)
    for group in ("diarization", "extraction"):
        share = total[f"{group}_share_of_transcription"]
        console.print(f"{group}: {total[f'{group}_seconds']:.2f} s = "
                      f"{'–' if share is None else f'{share:.1%}'} of transcription time "
                      f"({total['transcription_seconds']:.2f} s)", highlight=False)
    added = total["speaker_stages_added_share"]
    console.print(f"diarization and roles added {total['speaker_stages_added_seconds']:.2f} s to the wall time "
                  f"of decoding and transcription alone ({total['transcription_only_seconds']:.2f} s): "
                  f"{'–' if added is None else f'{added:.1%}'}", highlight=False)
    console.print(f"peak RSS: {result['peak_rss_mb']:.0f} MB", highlight=False)
    if "parallel" in result:
        par = result["parallel"]
        console.print(f"parallel x{par['workers']} ({par['threads_per_worker']} threads each): "
                      f"{par['audio_hours_per_hour']:.1f} audio h per wall h, {par['wall_seconds']:.1f} s, "
                      f"peak RSS per worker {par['peak_rss_mb_workers']:.0f} MB", highlight=False)
    cost = result["cost"]
    prices = Table("option", "USD per audio hour", title="cost per audio hour")
    self_hosted = cost["self_hosted_per_audio_hour"]
    prices.add_row(f"self-hosted (machine ${cost['machine_price_per_hour']:.2f}/h)",
                   "–" if self_hosted is None else f"{self_hosted:.4f}")
    for name, price_per_hour in cost["managed_per_audio_hour"].items():
        prices.add_row(name, f"{price_per_hour:.2f}")
    console.print(prices)
    if json_path is not None:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
        console.print(f"wrote {json_path}", highlight=False)
    return 0 if all(f["status"] == "done" for f in result["files"]) else 1


def synth(out_dir: Path, calls: int, seed: int, console: Console) -> int:
    from leadscribe.evaluate.synth import generate_dataset

    manifest = generate_dataset(out_dir, calls, seed)
    console.print(f"wrote {calls} SYNTHETIC calls: {manifest}", highlight=False)
    return 0
