"""Writes an evaluation: `report.json` (every number), PNG plots and a self-contained
`report.html` (plots embedded as base64, no external files or scripts)."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any, Optional

import matplotlib

matplotlib.use("Agg")  # files only; never a display
import matplotlib.pyplot as plt  # noqa: E402


def _fmt(value: Any, percent: bool = True) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{100 * value:.1f}%" if percent else f"{value:.3f}"
    return html.escape(str(value))


def _bar_plot(path: Path, labels: list[str], values: list[Optional[float]], title: str, ylabel: str,
              note: str = "") -> Optional[Path]:
    pairs = [(label, value) for label, value in zip(labels, values) if value is not None]
    fig, ax = plt.subplots(figsize=(max(5.0, 0.5 * len(pairs) + 2), 3.6), dpi=100)
    if pairs:
        ax.bar([p[0] for p in pairs], [100 * p[1] for p in pairs], color="#4c72b0")
        for index, (_, value) in enumerate(pairs):
            ax.text(index, 100 * value, f"{100 * value:.1f}", ha="center", va="bottom", fontsize=8)
        ax.tick_params(axis="x", rotation=45, labelsize=8)
        for tick in ax.get_xticklabels():
            tick.set_ha("right")
    else:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title + (f"\n{note}" if note else ""), fontsize=10)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _calibration_plot(path: Path, curves: dict[str, dict[str, Any]], note: str) -> Path:
    fig, ax = plt.subplots(figsize=(4.8, 4.2), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    drawn = False
    for name, curve in curves.items():
        if curve["bins"]:
            ax.plot([b["confidence"] for b in curve["bins"]], [b["accuracy"] for b in curve["bins"]], marker="o",
                    label=f"{name} (ECE {curve['ece']:.3f}, n={curve['count']})")
            drawn = True
    if not drawn:
        ax.text(0.5, 0.55, "no confidences to calibrate\n(stage absent or no predictions)", ha="center",
                transform=ax.transAxes, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("share correct")
    ax.set_title("Reliability curve" + (f"\n{note}" if note else ""), fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def make_plots(summary: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    note = "SYNTHETIC audio" if summary["dataset"]["synthetic"] else ""
    tags = {t: row for t, row in summary["by_tag"].items() if row["wer"] is not None}
    plots = {
        "wer_by_tag": _bar_plot(out_dir / "wer_by_tag.png", list(tags), [row["wer"] for row in tags.values()],
                                "WER (or pooled word error) by tag", "WER %", note),
        "der_by_speakers": _bar_plot(out_dir / "der_by_speakers.png", list(summary["diarization"]),
                                     [g["collar_0.25"]["der"] for g in summary["diarization"].values()],
                                     "DER by reference speaker count (collar ±0.25 s, overlap scored)", "DER %", note),
        "entity_f1_by_type": _bar_plot(out_dir / "entity_f1_by_type.png", list(summary["entities"]["by_type"]),
                                       [s["f1"] for s in summary["entities"]["by_type"].values()],
                                       "Entity F1 by type", "F1 %", note),
        "calibration": _calibration_plot(out_dir / "calibration.png", summary["calibration"], note),
    }
    return plots


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(summary: dict[str, Any], calls: list[dict[str, Any]], plots: dict[str, Path]) -> str:
    ds = summary["dataset"]
    banner = ("<p class='synthetic'>SYNTHETIC DATASET: generated speech (flite/espeak-ng). These figures test the "
              "pipeline's logic; they are not the quality of the system on real calls.</p>" if ds["synthetic"] else "")
    asr = summary["asr"]
    asr_rows = [["pooled WER (all word-unit files)", _fmt(asr["wer_pooled"]["error_rate"]), asr["wer_pooled"]["files"],
                 asr["wer_pooled"]["reference_length"]],
                ["pooled CER (zh/ja/ko)", _fmt(asr["cer_pooled"]["error_rate"]), asr["cer_pooled"]["files"],
                 asr["cer_pooled"]["reference_length"]]]
    asr_rows += [[f"lang:{lang} ({row['unit']})", _fmt(row["error_rate"]), row["files"], row["reference_length"]]
                 for lang, row in asr["by_language"].items()]
    der_rows = [[f"{group} ({kind})", _fmt(g["collar_0.25"]["der"]), _fmt(g["collar_0"]["der"]), g["files"],
                 _fmt(g["collar_0"]["missed"], False), _fmt(g["collar_0"]["false_alarm"], False),
                 _fmt(g["collar_0"]["confusion"], False)]
                for key, kind in (("diarization", "diarizer turns"), ("diarization_words", "words"))
                for group, g in summary.get(key, {}).items()]
    role_rows = [[group, _fmt(r["accuracy"]), f"{r['correct']}/{r['calls']}"]
                 for group, r in summary.get("roles", {}).items() if r["calls"]]
    spk_rows = [[group, _fmt(s["accuracy"]), f"{s['correct']}/{s['files']}"]
                for group, s in summary["speaker_count"].items() if s["files"]]
    ent = summary["entities"]
    ent_note = "" if ent["present"] else "<p class='note'>No entities were predicted: the entity stage is absent or found nothing.</p>"
    ent_rows = [[name, _fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["f1"]), _fmt(s["value_accuracy"]),
                 f"{s['tp']}/{s['predicted']}/{s['expected']}"]
                for name, s in [("micro", ent["micro"]), ("numeric (money, quantity, phone, date)", ent["numeric"]),
                                *ent["by_type"].items()]]
    crm = summary["crm"]
    crm_note = "" if crm["present"] else "<p class='note'>No CRM fields were proposed: the crm stage is absent or proposed nothing.</p>"
    crm_rows = [[name, _fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["auto_precision"]), _fmt(s["auto_coverage"]),
                 f"{s['correct']}/{s['proposed']}/{s['expected']}"]
                for name, s in [("overall", crm["overall"]), *crm["by_field"].items()]]
    cal_rows = [[name, c["count"], _fmt(c["ece"], False)] for name, c in summary["calibration"].items()]
    tag_rows = [[html.escape(tag), row["calls"], _fmt(row["wer"]), _fmt(row["der_collar_0.25"]),
                 _fmt(row["speaker_count_accuracy"]), _fmt(row["entity_f1"])] for tag, row in summary["by_tag"].items()]
    call_rows = [[html.escape(c["id"]), c["status"], _fmt(c.get("duration"), False),
                  _fmt(c.get("asr", {}).get("error_rate")),
                  _fmt(c.get("der", {}).get("collar_0.25", {}).get("der")),
                  f"{c['speaker_count']['hypothesis']}/{c['speaker_count']['reference']}" if "speaker_count" in c else "–",
                  html.escape(", ".join(c["tags"]))] for c in calls]
    images = "".join(
        f"<figure><img alt='{name}' src='data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}'>"
        f"<figcaption>{name}</figcaption></figure>" for name, path in plots.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leadscribe eval: {html.escape(ds['name'])}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}
td,th{{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}}th{{background:#f0f0f0}}
.synthetic{{background:#fff3cd;border:1px solid #e0b000;padding:.6em;font-weight:bold}}.note{{color:#a00}}
figure{{display:inline-block;margin:0 1em 1em 0}}img{{border:1px solid #ddd}}</style></head><body>
<h1>leadscribe evaluation: {html.escape(ds['name'])}</h1>{banner}
<p>{ds['calls']} calls ({ds['failed']} failed), {ds['audio_seconds'] / 60:.1f} min of audio. {html.escape(ds['description'])}</p>
<h2>Plots</h2>{images}
<h2>Transcription (normalised WER; CER for zh/ja/ko)</h2>{_table(['group', 'error rate', 'files', 'reference tokens'], asr_rows)}
<h2>Diarization (pyannote.metrics, overlap scored)</h2>
{_table(['reference speakers', 'DER collar ±0.25 s', 'DER no collar', 'files', 'missed s', 'false alarm s', 'confusion s'], der_rows)}
<h3>Speaker-count accuracy</h3>{_table(['group', 'accuracy', 'correct/files'], spk_rows)}
<h3>Roles (rep / prospect, per call)</h3>{_table(['calls', 'right', 'right/calls'], role_rows)}
<h2>Entities</h2>{ent_note}{_table(['type', 'precision', 'recall', 'F1', 'value accuracy', 'tp/pred/exp'], ent_rows)}
<h2>CRM fields</h2>{crm_note}
{_table(['field', 'precision', 'recall', 'auto-write precision', 'auto coverage', 'correct/proposed/expected'], crm_rows)}
<h2>Calibration</h2>{_table(['items', 'count', 'ECE'], cal_rows)}
<h2>By tag</h2>{_table(['tag', 'calls', 'WER', 'DER ±0.25', 'speaker count acc.', 'entity F1'], tag_rows)}
<h2>Per call</h2>{_table(['call', 'status', 'duration s', 'WER/CER', 'DER ±0.25', 'speakers found/ref', 'tags'], call_rows)}
</body></html>"""


def write_report(summary: dict[str, Any], calls: list[dict[str, Any]], out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = make_plots(summary, out_dir)
    (out_dir / "report.json").write_text(json.dumps({"summary": summary, "calls": calls}, indent=2, default=str),
                                         encoding="utf-8")
    (out_dir / "report.html").write_text(render_html(summary, calls, plots), encoding="utf-8")
    return {"json": out_dir / "report.json", "html": out_dir / "report.html", **plots}
