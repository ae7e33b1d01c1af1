"""Run the speaker networks (CAM++, segmentation-3.0) through ONNX Runtime instead of torch.

On one CPU thread, ONNX Runtime runs CAM++ about 1.5x and segmentation-3.0 about 1.1x as fast
as torch eager mode, with the same numbers (differences of order 1e-5; measured on the callytics
calls and pyannote's sample, December 2026). The ONNX graph is exported from
the torch module once and kept in `<cache_dir>/onnx/` (`Settings.cache_dir`, as for Whisper),
named by a hash of the weights file, of the export code's version and of torch's version:
a changed model or exporter gets a new file instead of a stale one. Files are written under a
temporary name and renamed, so a process never loads half a file another one is writing.

Every session is checked against torch on a probe input before it is used; if onnxruntime is
missing, the export fails, or the outputs disagree, the caller keeps torch (with a warning).
`LEADSCRIBE_SPEAKER_RUNTIME=torch` forces torch (to compare or to rule ORT out).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from leadscribe.speech.models import file_sha256

logger = logging.getLogger(__name__)

RUNTIME_ENV = "LEADSCRIBE_SPEAKER_RUNTIME"
# Largest difference tolerated between torch and ORT on the probe input; measured ~1e-5.
PROBE_TOLERANCE = 1e-3
OPSET = 17


def onnx_cache_dir() -> Path:
    """`<cache_dir>/onnx`: the configured cache folder (environment, then config file), as for Whisper."""
    from leadscribe.config import Settings

    return Path(Settings.load().cache_dir).expanduser() / "onnx"


def wanted_runtime() -> str:
    runtime = os.environ.get(RUNTIME_ENV, "onnx").strip().lower() or "onnx"
    if runtime not in ("onnx", "torch"):
        logger.warning("%s=%s is neither onnx nor torch; using onnx", RUNTIME_ENV, runtime)
        return "onnx"
    return runtime


def cache_key(weights: Path, export_version: str) -> str:
    import torch

    digest = hashlib.sha256()
    for part in (file_sha256(weights), export_version, torch.__version__, str(OPSET)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def export_once(name: str, weights: Path, export_version: str, model, example: "Sequence[np.ndarray]",
                input_names: Sequence[str], output_names: Sequence[str], dynamic_axes: dict,
                cache_dir: Optional[Path] = None) -> Path:
    """The ONNX file of `model` in the cache, exported now if it is not there yet."""
    folder = Path(cache_dir) if cache_dir is not None else onnx_cache_dir()
    target = folder / f"{name}-{cache_key(weights, export_version)}.onnx"
    if target.exists():
        return target
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    os.close(handle)
    try:
        with warnings.catch_warnings():
            # The TorchScript exporter announces its deprecation and notes traced branches; the
            # probe comparison in `OnnxModel.check_against` is what tells whether the graph is right.
            warnings.simplefilter("ignore")
            # dynamo=False: the TorchScript exporter needs only `onnx`; the dynamo one needs onnxscript.
            torch.onnx.export(model, tuple(torch.from_numpy(np.asarray(x)) for x in example), partial,
                              dynamo=False, opset_version=OPSET, input_names=list(input_names),
                              output_names=list(output_names), dynamic_axes=dynamic_axes)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    logger.info("exported %s to %s", name, target)
    return target


class OnnxModel:
    """An ONNX Runtime session with one input and one output, on `threads` threads."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # Threads that wait for work sleep instead of spinning: the cores are shared with
        # Whisper (the voice search runs during transcription) or other calls, and a spinning
        # thread would take a core from them for nothing.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = Path(path)
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: np.ascontiguousarray(batch, dtype=np.float32)})[0]

    def check_against(self, reference: Callable[[np.ndarray], np.ndarray], probes: Sequence[np.ndarray]) -> float:
        """Largest absolute difference from `reference` over `probes`; raises if above tolerance."""
        worst = 0.0
        for probe in probes:
            worst = max(worst, float(np.max(np.abs(self(probe) - reference(probe)))))
        if not worst <= PROBE_TOLERANCE:  # also catches NaN
            raise RuntimeError(f"ONNX output differs from torch by {worst:.2e} on a probe input")
        return worst


def load_onnx_model(name: str, weights: Path, export_version: str, model, example: Sequence[np.ndarray],
                    input_names: Sequence[str], output_names: Sequence[str], dynamic_axes: dict,
                    reference: Callable[[np.ndarray], np.ndarray], probes: Sequence[np.ndarray],
                    cache_dir: Optional[Path] = None, threads: int = 1) -> Optional[OnnxModel]:
    """The ORT twin of torch `model`, checked on `probes`; None (with a warning) when it cannot be had.
    Whether ORT is wanted at all is the caller's decision (its `runtime` argument, else `wanted_runtime`)."""
    try:
        import onnxruntime  # noqa: F401 - first: without it there is no point exporting

        path = export_once(name, weights, export_version, model, example, input_names, output_names,
                           dynamic_axes, cache_dir)
        try:
            onnx_model = OnnxModel(path, threads)
        except Exception as exc:  # noqa: BLE001 - e.g. a file damaged on disk: export it again, once
            logger.warning("%s: cached %s unreadable (%s); exporting again", name, path, exc)
            path.unlink(missing_ok=True)
            path = export_once(name, weights, export_version, model, example, input_names, output_names,
                               dynamic_axes, cache_dir)
            onnx_model = OnnxModel(path, threads)
        onnx_model.check_against(reference, probes)
        return onnx_model
    except Exception as exc:  # noqa: BLE001 - any failure here (ImportError, export, ORT) means: keep torch
        logger.warning("%s: ONNX Runtime unavailable (%s: %s); using torch", name, type(exc).__name__, exc)
        return None
