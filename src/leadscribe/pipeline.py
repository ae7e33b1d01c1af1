"""Runs the stages over one Call, in order, timing each and turning failures into clear errors."""
from __future__ import annotations

import logging
import tempfile
import uuid
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from time import perf_counter
from typing import Any, Callable, Optional

from leadscribe.audio.decode import decode
from leadscribe.audio.fetch import fetch, file_name_of, is_url
from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.errors import AudioError, LeadscribeError
from leadscribe.schema import Call, FileInfo, utc_now
from leadscribe.speech.diarize import diarize, start_finding_voices
from leadscribe.speech.roles import roles
from leadscribe.speech.transcribe import transcribe
from leadscribe.speech.utterances import utterances
from leadscribe.crm.mapping import crm
from leadscribe.understand.entities import entities
from leadscribe.understand.sentiment import sentiment
from leadscribe.understand.signals import signals
from leadscribe.understand.summary import summary

logger = logging.getLogger(__name__)

Stage = Callable[[Call, Context], None]


def require_speech(call: Call, ctx: Context) -> None:
    """Stage: stop with a clear error when the recording holds no speech at all.

    Whisper writing no words is not enough to say so: a far-off "yeah" in a meeting room
    (AMI trn02: 0.7 s of speech in 30 s) is a voice the diarizer hears and Whisper cannot
    read. Such a call is done, with its speakers and no words, and a warning that says why."""
    if call.segments:
        return
    if not call.diarization.turns:
        raise AudioError("no speech found in the audio (silence, noise or music only)", code="no_speech")
    heard = sum(turn.end - turn.start for turn in call.diarization.turns)
    ctx.notes.append(f"voices heard for {heard:.1f} s, but no words could be recognised in them")


# The order is the contract: each stage reads only layers made by stages before it.
STAGES: list[tuple[str, Stage]] = [
    ("fetch", fetch),  # only for a call given as an audio_url
    ("decode", decode),
    ("start_finding_voices", start_finding_voices),  # runs on while Whisper transcribes
    ("transcribe", transcribe),
    ("diarize", diarize),
    ("require_speech", require_speech),  # after diarize: voices without words are not silence
    ("utterances", utterances),
    ("roles", roles),
    ("entities", entities),
    ("signals", signals),
    ("sentiment", sentiment),
    ("summary", summary),
    ("crm", crm),
]


def finish_background_work(ctx: Context) -> None:
    """Wait for work no stage collected (the pipeline stopped early): nothing of this call may
    keep a core busy after its result is returned, and a failure there still reaches the log."""
    for name, pending in list(ctx.background.items()):
        try:
            pending.result()
        except Exception:
            logger.warning("background work %r failed after the call stopped", name, exc_info=True)
    ctx.background.clear()


def pipeline_version() -> str:
    try:
        return version("leadscribe")
    except PackageNotFoundError:
        return "0+unknown"


def new_call(source: Path, call_id: Optional[str] = None, custom_metadata: Optional[dict[str, Any]] = None,
             source_label: Optional[str] = None) -> Call:
    return Call(id=call_id or str(uuid.uuid4()), custom_metadata=custom_metadata or {},
                file=FileInfo(filename=Path(source).name, source=source_label or str(source)))


def run_pipeline(call: Call, ctx: Context, stages: Optional[list[tuple[str, Stage]]] = None) -> Call:
    """Run `stages` (default: all) over `call`. Never raises for bad input: sets status `error`."""
    call.status = "processing"
    call.metadata.pipeline_version = pipeline_version()
    call.metadata.vocabulary = ctx.settings.vocabulary
    for name, stage in stages or STAGES:
        started = perf_counter()
        try:
            stage(call, ctx)
        except LeadscribeError as exc:
            call.status, call.error_code, call.error = "error", exc.code, exc.message
        except Exception as exc:  # a bug, not bad input: keep the trace in the log, a line for the user
            logger.exception("stage %s failed", name)
            call.status, call.error_code = "error", "internal_error"
            call.error = f"internal error in stage '{name}': {type(exc).__name__}: {exc}"
        finally:
            call.metadata.timings[name] = round(perf_counter() - started, 4)
        if call.status == "error":
            break
    else:
        call.status = "done"
    finish_background_work(ctx)
    call.metadata.transcription_time = round(sum(call.metadata.timings.values()), 3)
    call.metadata.warnings = list(ctx.notes)
    call.completed_at = utc_now()
    call.samples = None  # the decoded audio is the largest thing we hold; drop it
    return call


def enrich(source: "Path | str", settings: Optional[Settings] = None, on_progress=None, call_id: Optional[str] = None,
           custom_metadata: Optional[dict[str, Any]] = None) -> Call:
    """Run the whole pipeline on one local audio file or an http(s) `audio_url`; return the Call (status
    done or error). A downloaded recording lives in a temporary folder for the run only."""
    settings = settings or Settings.load()
    if not is_url(source):
        call = new_call(source, call_id, custom_metadata)
        return run_pipeline(call, Context(settings=settings, source=Path(source), on_progress=on_progress))
    url = str(source)
    call = new_call(Path(file_name_of(url)), call_id, custom_metadata, source_label=url)
    with tempfile.TemporaryDirectory(prefix="leadscribe-download-") as folder:
        return run_pipeline(call, Context(settings=settings, audio_url=url, download_dir=Path(folder),
                                          on_progress=on_progress))
