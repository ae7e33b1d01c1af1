"""Command line: parses arguments, calls the library, prints. No pipeline logic lives here."""
from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import Optional

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from leadscribe.audio.fetch import file_name_of, is_url
from leadscribe.config import Settings
from leadscribe.errors import LeadscribeError
from leadscribe.pipeline import enrich
from leadscribe.schema import Call, format_time
from leadscribe.understand.vocabulary import load_vocabulary

# Below this length a progress bar would only flicker.
PROGRESS_MIN_SECONDS = 60.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadscribe", description="Sales-call recordings to CRM records.")
    parser.add_argument("--config", type=Path, help="TOML settings file (keys as LEADSCRIBE_* without the prefix)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details (and tracebacks of internal errors)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("enrich", help="transcribe and enrich call recordings")
    run.add_argument("audio", nargs="+", type=audio_source,
                     help="audio files (wav, mp3, m4a, flac, ogg/opus, webm, mp4) or http(s) URLs of recordings")
    run.add_argument("--model", help="base (default, multilingual), tiny.en (fast English) or a CTranslate2 folder")
    run.add_argument("--language", help="force a language (ISO 639-1 code); default: detect")
    run.add_argument("--languages", type=lambda text: [c.strip().lower() for c in text.split(",") if c.strip()],
                     help="the languages calls may be in, e.g. en,es: detection picks among them")
    run.add_argument("--vocabulary", type=Path, help="custom vocabulary file (terms, [sections])")
    run.add_argument("--speakers", type=positive_int, dest="num_speakers", help="exact number of speakers")
    run.add_argument("--min-speakers", type=positive_int, help="at least this many speakers")
    run.add_argument("--max-speakers", type=positive_int, help="at most this many speakers")
    run.add_argument("--out", type=Path, help="result JSON file (one input) or folder (several inputs)")
    run.add_argument("--quiet", action="store_true", help="print only errors and the output paths")

    evaluate = sub.add_parser("eval", help="score the pipeline on a dataset: WER, DER, entities, CRM fields")
    evaluate.add_argument("dataset", type=Path, nargs="?", help="dataset folder (manifest.jsonl)")
    evaluate.add_argument("--out", type=Path, help="report folder (report.json, report.html, plots)")
    evaluate.add_argument("--limit", type=int, help="score at most N calls")
    evaluate.add_argument("--tags", nargs="+", default=[], help="only calls holding all these tags")
    evaluate.add_argument("--model", help="Whisper model for the run (default: the configured one)")
    evaluate.add_argument("--text-ner", type=Path, metavar="FOLDER",
                          help="score entity recognition on entity-tagged reference text (.nlp, rev-earnings21-22)")

    bench = sub.add_parser("bench", help="speed, memory, overhead over plain Whisper, throughput and cost")
    bench.add_argument("audio", nargs="+", type=Path, help="audio files to process")
    bench.add_argument("--parallel", type=int, default=1, help="also measure throughput with N calls in parallel")
    bench.add_argument("--price-per-hour", type=float, default=0.10, help="machine price, USD per hour (default 0.10)")
    bench.add_argument("--model", help="Whisper model (default: the configured one)")
    bench.add_argument("--json", type=Path, dest="json_path", help="write every number to this JSON file")
    bench.add_argument("--repeat", type=positive_int, default=1,
                       help="run each measurement N times, in turn, and report medians (steadier on a shared machine)")

    synth = sub.add_parser("synth", help="generate a SYNTHETIC sales-call dataset with full ground truth")
    synth.add_argument("out", type=Path, help="dataset folder to write")
    synth.add_argument("--calls", type=int, default=6, help="number of calls")
    synth.add_argument("--seed", type=int, default=0, help="random seed (same seed, same calls)")

    build = sub.add_parser("build-dataset", help="build the standard evaluation dataset from the shared eval-data")
    build.add_argument("eval_data", type=Path, help="the eval-data folder (e.g. ../shared/eval-data)")
    build.add_argument("out", type=Path, help="dataset folder to write")

    enrol = sub.add_parser("enroll", help="store a rep's voiceprint so calls recognise the rep by voice")
    enrol.add_argument("name", nargs="?", help="the rep's name (shown as the speaker's name in results)")
    enrol.add_argument("audio", nargs="*", type=Path, help="recordings of the rep alone (3 s of speech or more)")
    enrol.add_argument("--list", action="store_true", dest="list_prints", help="list enrolled reps")
    enrol.add_argument("--remove", action="store_true", help="remove the voiceprint of NAME")
    return parser


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def audio_source(text: str) -> "Path | str":
    """A URL stays text (a Path would fold its '//'); anything else is a local path."""
    return text if is_url(text) else Path(text)


def local_path(audio: "Path | str") -> Path:
    """A local input as given; a URL as the recording's name, in the current folder."""
    return Path(file_name_of(audio)) if is_url(audio) else audio


def output_path(audio: "Path | str", out: Optional[Path], several: bool) -> Path:
    """Beside a local input; for a URL, in the current folder under the recording's name."""
    local = local_path(audio)
    if out is None:
        return local.with_name(local.name + ".json")
    if several or out.is_dir():
        return out / f"{local.stem}.json"
    return out


def main(argv: Optional[list[str]] = None) -> int:
    # Every model comes from an installed package: never let a library try the network, and
    # keep library download/loading bars out of the user's terminal.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    err = Console(stderr=True, soft_wrap=True)
    try:
        if args.command == "enrich":
            return run_enrich(args, err)
        if args.command == "enroll":
            return run_enroll(args, err)
        if args.command == "eval":
            return run_eval(args, err)
        if args.command == "build-dataset":
            return run_build_dataset(args)
        if args.command == "bench":
            return run_bench(args)
        if args.command == "synth":
            return run_synth(args)
    except LeadscribeError as exc:
        err.print(f"[red]error:[/red] {exc.message}", highlight=False)
        return 2
    return 2


def run_enrich(args, err: Console) -> int:
    overrides = {k: getattr(args, k) for k in ("model", "language", "languages", "num_speakers", "min_speakers",
                                                "max_speakers")}
    if args.vocabulary is not None:
        overrides["vocabulary"] = load_vocabulary(args.vocabulary)
    settings = Settings.load(args.config, **overrides)
    several = len(args.audio) > 1
    if several and args.out is not None:
        if args.out.suffix == ".json":
            raise LeadscribeError(f"--out {args.out}: several inputs need a folder, not a .json file")
        args.out.mkdir(parents=True, exist_ok=True)
    out = Console(soft_wrap=True)
    failures = 0
    for audio in args.audio:
        call = enrich_with_progress(audio, settings, err, show=not args.quiet and err.is_terminal)
        if call.status == "error":
            failures += 1
            err.print(f"[red]error:[/red] {audio}: {call.error}", highlight=False)
            continue
        target = output_path(audio, args.out, several)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(call.to_json(), encoding="utf-8")
        except OSError as exc:
            failures += 1
            err.print(f"[red]error:[/red] {audio}: cannot write {target}: {exc.strerror or exc}", highlight=False)
            continue
        if not args.quiet:
            print_call(out, call)
        out.print(f"wrote {target}", highlight=False)
    return 1 if failures else 0


def enrich_with_progress(audio: "Path | str", settings: Settings, err: Console, show: bool) -> Call:
    if not show:
        return enrich(audio, settings)
    columns = (TextColumn(f"{local_path(audio).name} {{task.description}}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("decode", total=None)

        def on_progress(stage: str, done: float, total: float) -> None:
            if total >= PROGRESS_MIN_SECONDS:
                progress.update(task, description=stage, completed=done, total=total)

        return enrich(audio, settings, on_progress=on_progress)


def print_call(console: Console, call: Call) -> None:
    info = call.file
    console.print(f"\n[bold]{info.filename}[/bold]  {format_time(info.audio_duration)}  "
                  f"{info.number_of_channels} ch, {info.sample_rate} Hz  languages: {', '.join(call.transcription.languages)}"
                  f"  processed in {call.metadata.transcription_time:.1f} s", highlight=False)
    for warning in call.metadata.warnings:
        console.print(f"[yellow]note:[/yellow] {warning}", highlight=False)
    table = Table("speaker", "role", "name", "talk time", box=None)
    for speaker in call.speakers:
        table.add_row(speaker.id, speaker.role, speaker.name or "", format_time(speaker.talk_time))
    console.print(table)
    for u in call.transcription.utterances:
        console.print(f"[dim]{format_time(u.start)}[/dim] [bold]{u.speaker}[/bold] ({u.role}): {u.text}",
                      highlight=False)
    if call.crm.fields:
        console.print("\n[bold]CRM fields proposed[/bold]")
        for f in call.crm.fields:
            value = f.value if f.object != "call" else str(f.value)[:80]
            # A review item without a value (a detail given but not read) is told by its reason.
            shown = repr(value) if value is not None else f"? ({f.reason})"
            console.print(f"  {f.object}.{f.field} = {shown} [{f.decision}]", highlight=False, markup=False)


def run_eval(args, err: Console) -> int:
    from leadscribe.evaluate import commands  # the evaluation stack loads only when asked for

    if args.text_ner is not None:
        return commands.text_ner(args.text_ner, args.out, args.limit, Console())
    if args.dataset is None or args.out is None:
        raise LeadscribeError("eval needs DATASET and --out DIR (or --text-ner FOLDER)")
    settings = Settings.load(args.config, model=args.model)
    return commands.evaluate_dataset(args.dataset, args.out, settings, args.limit, args.tags, Console(), err)


def run_build_dataset(args) -> int:
    from leadscribe.evaluate.importers import build_standard_dataset

    Console().print(f"wrote {build_standard_dataset(args.eval_data, args.out)}", highlight=False)
    return 0


def run_bench(args) -> int:
    from leadscribe.evaluate import commands

    settings = Settings.load(args.config, model=args.model)
    return commands.bench(args.audio, settings, args.parallel, args.price_per_hour, args.json_path, Console(),
                          args.repeat)


def run_synth(args) -> int:
    from leadscribe.evaluate import commands

    return commands.synth(args.out, args.calls, args.seed, Console())


def run_enroll(args, err: Console) -> int:
    from leadscribe.speech.enroll import enroll, load_voiceprints, remove_voiceprint, voiceprints_dir

    settings = Settings.load(args.config)
    out = Console()
    if args.list_prints:
        prints = load_voiceprints(settings)
        table = Table("name", "model", "speech", "sources", "enrolled", box=None)
        for vp in prints:
            table.add_row(vp.name, vp.model, f"{vp.speech_seconds:.1f} s", ", ".join(vp.sources), vp.created_at)
        out.print(table if prints else f"no reps enrolled in {voiceprints_dir(settings)}", highlight=False)
        return 0
    if not args.name:
        raise LeadscribeError("enroll needs a rep NAME (or --list)")
    if args.remove:
        out.print(f"removed {remove_voiceprint(args.name, settings)}", highlight=False)
        return 0
    if not args.audio:
        raise LeadscribeError(f"enroll {args.name}: give one or more recordings of the rep")
    out.print(f"enrolled {args.name}: {enroll(args.name, args.audio, settings)}", highlight=False)
    return 0
