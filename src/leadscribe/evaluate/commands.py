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
            table.add_row(f"WER [{tag}]", _pct(row["wer"]), str(row["calls"]))
    for group, der in summary["diarization"].items():
        table.add_row(f"DER {group} (±0.25 s / 0 s)",
                      f"{_pct(der['collar_0.25']['der'])} / {_pct(der['collar_0']['der'])}", str(der["files"]))
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
