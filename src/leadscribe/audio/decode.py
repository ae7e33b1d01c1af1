"""Decode any container/codec PyAV (FFmpeg) reads into float32 samples per channel at 16 kHz.

Whisper and the speaker models all work at 16 kHz, so we resample once here; every
channel is kept so that dual-channel call recordings can be separated by channel.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from leadscribe.errors import AudioError, LimitExceeded

SAMPLE_RATE = 16000
# Anything quieter than this peak (about -60 dBFS) is digital silence or line noise.
SILENCE_PEAK = 1e-3
# Decoding less than this share of the duration a header declares means the file was cut off.
TRUNCATED_SHARE = 0.9


@dataclass
class Audio:
    samples: np.ndarray
    """float32, shape (channels, n), 16 kHz."""
    source_sample_rate: int
    source_channels: int
    format: str
    size_bytes: int

    @property
    def duration(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE


def decode_audio(path: Path, max_duration_s: float, max_bytes: int) -> Audio:
    """Decode `path`; raise AudioError with a one-line reason for anything unusable."""
    path = Path(path)
    if not path.exists():
        raise AudioError("file not found")
    if not path.is_file():
        raise AudioError("not a regular file")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise AudioError(f"cannot read file ({exc.strerror or exc})") from None
    if size == 0:
        raise AudioError("file is empty (0 bytes)")
    if size > max_bytes:
        raise LimitExceeded(f"file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit")

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise AudioError("not an audio file, or the data is corrupt") from None
    except av.error.FFmpegError as exc:
        raise AudioError(f"cannot open as audio ({_ffmpeg_reason(exc)})") from None

    with container:
        streams = container.streams.audio
        if not streams:
            raise AudioError("no audio track in the file")
        stream = streams[0]
        if stream.codec_context is None or stream.codec_context.name is None:
            raise AudioError("unsupported audio codec")
        declared = _declared_duration(container, stream)
        if declared is not None and declared > max_duration_s:
            raise LimitExceeded(
                f"audio is {declared / 60:.1f} min long, over the {max_duration_s / 60:.0f} min limit"
            )
        channels = stream.codec_context.channels or 1
        source_rate = stream.codec_context.sample_rate or 0
        samples = _decode_stream(container, stream, channels, max_duration_s)
        fmt = container.format.name

    if samples.shape[1] == 0:
        raise AudioError("no audio samples could be decoded (zero-length or truncated audio)")
    decoded = samples.shape[1] / SAMPLE_RATE
    if declared is not None and declared > 1.0 and decoded < TRUNCATED_SHARE * declared:
        # A cut-off upload would silently lose the end of the call (often the next steps).
        raise AudioError(f"file is truncated: only {decoded:.1f} s of the {declared:.1f} s its header declares could be decoded")
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise AudioError("audio is silent (no signal above -60 dBFS)")
    return Audio(samples=samples, source_sample_rate=source_rate, source_channels=channels,
                 format=fmt, size_bytes=size)


def _declared_duration(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _decode_stream(container, stream, channels: int, max_duration_s: float) -> np.ndarray:
    # Planar float keeps channels apart; the resampler only changes the rate.
    layout = "mono" if channels == 1 else ("stereo" if channels == 2 else None)
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    limit = int(max_duration_s * SAMPLE_RATE)
    try:
        for frame in container.decode(stream):
            frame.pts = None
            for out in resampler.resample(frame):
                chunk = out.to_ndarray()
                chunks.append(chunk)
                total += chunk.shape[1]
            if total > limit:
                raise LimitExceeded(f"audio is over the {max_duration_s / 60:.0f} min limit")
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    except av.error.FFmpegError as exc:
        # A truncated file decodes up to the damage; only fail when nothing usable came out.
        if not chunks:
            raise AudioError(f"audio data is corrupt ({_ffmpeg_reason(exc)})") from None
    except ValueError as exc:
        raise AudioError(f"unsupported audio layout ({exc})") from None
    if not chunks:
        return np.zeros((channels, 0), dtype=np.float32)
    return np.concatenate(chunks, axis=1).astype(np.float32, copy=False)


def _ffmpeg_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc).split(":")[0]


def decode(call, ctx) -> None:
    """Stage: decode `ctx.source` into `call.samples`, merging copied channels."""
    from leadscribe.audio.channels import separate_channels

    settings = ctx.settings
    audio = decode_audio(ctx.source, max_duration_s=settings.max_duration_minutes * 60,
                         max_bytes=int(settings.max_file_mb * 1e6))
    samples, kept, copies = separate_channels(audio.samples)
    if copies:
        ctx.notes.append("channels are copies of each other: treated as mono")
    call.samples = samples
    call.file.audio_duration = round(audio.duration, 3)
    call.file.number_of_channels = audio.source_channels
    call.file.sample_rate = audio.source_sample_rate
    call.file.format = audio.format
    call.file.size_bytes = audio.size_bytes
    call.file.channels_identical = copies
    call.metadata.audio_duration = call.file.audio_duration
