"""ONNX Runtime twins of CAM++ and segmentation-3.0: same numbers as torch on real audio, exported
once into the cache and reused, torch kept when ONNX Runtime cannot be had."""
from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from leadscribe.speech import onnx_runtime
from leadscribe.speech.diarize import SEGMENTATION_STEP_S, local_speakers
from leadscribe.speech.segmentation import SpeakerSegmenter
from leadscribe.speech.voice import CamppEncoder
from tests.speech.conftest import new_call_from

SAMPLE = "pyannote-audio/sample.wav"  # 30 s, two speakers, overlap: exercises every powerset class


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def sample_samples(shared_dir):
    return new_call_from(shared_dir / SAMPLE).samples[0]


@pytest.fixture(scope="module")
def segmenters(onnx_cache):
    return SpeakerSegmenter("torch"), SpeakerSegmenter("onnx", onnx_cache)


@pytest.fixture(scope="module")
def encoders(onnx_cache):
    return CamppEncoder("torch"), CamppEncoder("onnx", onnx_cache)


def test_segmentation_activations_agree_with_torch_on_real_audio(segmenters, sample_samples):
    torch_segmenter, onnx_segmenter = segmenters
    assert (torch_segmenter.runtime, onnx_segmenter.runtime) == ("torch", "onnx")
    expected = torch_segmenter.segment(sample_samples, SEGMENTATION_STEP_S)
    got = onnx_segmenter.segment(sample_samples, SEGMENTATION_STEP_S)
    assert got.probability.shape == expected.probability.shape
    assert np.abs(got.probability - expected.probability).max() < 1e-4
    assert (got.active == expected.active).all()
    assert expected.active.any(axis=2).mean() > 0.5  # real speech, not a comparison of two silences


def test_embeddings_agree_with_torch_on_real_audio(encoders, segmenters, sample_samples):
    torch_encoder, onnx_encoder = encoders
    assert (torch_encoder.runtime, onnx_encoder.runtime) == ("torch", "onnx")
    activity = segmenters[0].segment(sample_samples, SEGMENTATION_STEP_S)
    groups = [s.spans for s in local_speakers(activity, len(sample_samples) / 16000)]
    assert len(groups) >= 4  # several windows and both voices
    expected = torch_encoder.embed_span_groups(sample_samples, groups)
    got = onnx_encoder.embed_span_groups(sample_samples, groups)
    assert np.abs(got - expected).max() < 1e-4
    # Short spans (widened to the network's minimum) and equal-length batches take the same path.
    spans = [(1.0, 1.1), (2.0, 4.5), (5.0, 7.5), (10.0, 20.0)]
    assert np.abs(onnx_encoder.embed_spans(sample_samples, spans)
                  - torch_encoder.embed_spans(sample_samples, spans)).max() < 1e-4


def test_more_threads_give_the_same_numbers(encoders, segmenters, onnx_cache, sample_samples):
    """Diarization after transcription runs the networks on the call's thread budget, during it on one."""
    one_encoder, one_segmenter = encoders[1], segmenters[1]
    two_encoder, two_segmenter = CamppEncoder("onnx", onnx_cache, threads=2), SpeakerSegmenter("onnx", onnx_cache, threads=2)
    assert two_encoder._onnx._session.get_session_options().intra_op_num_threads == 2
    assert one_encoder._onnx._session.get_session_options().intra_op_num_threads == 1
    one = one_segmenter.segment(sample_samples, SEGMENTATION_STEP_S)
    two = two_segmenter.segment(sample_samples, SEGMENTATION_STEP_S)
    assert np.abs(one.probability - two.probability).max() < 1e-4 and (one.active == two.active).all()
    groups = [s.spans for s in local_speakers(one, len(sample_samples) / 16000)]
    assert np.abs(one_encoder.embed_span_groups(sample_samples, groups)
                  - two_encoder.embed_span_groups(sample_samples, groups)).max() < 1e-4


def test_the_export_is_cached_and_reused(encoders, segmenters, onnx_cache, monkeypatch):
    import torch

    files = sorted(onnx_cache.glob("*.onnx"))
    assert [f.name.split("-")[0] for f in files] == ["campp", "segmentation"]
    stamps = [f.stat().st_mtime_ns for f in files]

    def no_export(*args, **kwargs):
        raise AssertionError("exported again although the cache holds the model")

    monkeypatch.setattr(torch.onnx, "export", no_export)
    assert CamppEncoder("onnx", onnx_cache).runtime == "onnx"
    assert SpeakerSegmenter("onnx", onnx_cache).runtime == "onnx"
    assert [f.stat().st_mtime_ns for f in sorted(onnx_cache.glob("*.onnx"))] == stamps
    assert not list(onnx_cache.glob("*.part"))  # no temporary file left behind


def test_a_new_export_version_gets_its_own_file(tmp_path, monkeypatch):
    first = SpeakerSegmenter("onnx", tmp_path)
    monkeypatch.setattr(SpeakerSegmenter, "ONNX_EXPORT_VERSION", SpeakerSegmenter.ONNX_EXPORT_VERSION + "-next")
    second = SpeakerSegmenter("onnx", tmp_path)
    assert (first.runtime, second.runtime) == ("onnx", "onnx")
    assert first._onnx.path != second._onnx.path and len(list(tmp_path.glob("*.onnx"))) == 2


def test_a_damaged_cached_file_is_exported_again(tmp_path):
    good = SpeakerSegmenter("onnx", tmp_path)._onnx.path
    good.write_bytes(b"half a file")
    again = SpeakerSegmenter("onnx", tmp_path)
    assert again.runtime == "onnx" and again._onnx.path == good and good.stat().st_size > 1_000_000


def test_torch_is_kept_when_the_export_fails(tmp_path, monkeypatch, caplog, sample_samples):
    import torch

    def broken_export(*args, **kwargs):
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(torch.onnx, "export", broken_export)
    with caplog.at_level(logging.WARNING, logger=onnx_runtime.__name__):
        encoder = CamppEncoder("onnx", tmp_path)
    assert encoder.runtime == "torch"
    assert "exporter broke" in caplog.text and "using torch" in caplog.text
    assert not list(tmp_path.iterdir())  # the failed export left no file to be mistaken for a model
    embedding = encoder.embed_spans(sample_samples, [(2.0, 5.0)])
    assert embedding.shape == (1, 192) and np.isclose(np.linalg.norm(embedding), 1.0)


def test_torch_is_kept_without_onnxruntime(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    with caplog.at_level(logging.WARNING, logger=onnx_runtime.__name__):
        assert SpeakerSegmenter("onnx", tmp_path).runtime == "torch"
    assert "onnxruntime" in caplog.text and "using torch" in caplog.text
    assert not list(tmp_path.iterdir())  # nothing exported for a runtime that is not there


def test_torch_is_kept_when_onnx_disagrees_with_torch(tmp_path, monkeypatch):
    # A graph that traced a shape-dependent branch wrongly would show up as a probe mismatch.
    monkeypatch.setattr(onnx_runtime.OnnxModel, "__call__", lambda self, batch: np.zeros((len(batch), 192)))
    assert CamppEncoder("onnx", tmp_path).runtime == "torch"


def test_the_environment_can_ask_for_torch(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_runtime.RUNTIME_ENV, "torch")
    assert SpeakerSegmenter(cache_dir=tmp_path).runtime == "torch"
    assert not list(tmp_path.iterdir())
    # A caller that names its runtime gets it, whatever the environment says.
    assert SpeakerSegmenter("onnx", cache_dir=tmp_path).runtime == "onnx"


def test_exports_go_to_the_configured_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSCRIBE_CACHE_DIR", str(tmp_path))
    assert onnx_runtime.onnx_cache_dir() == tmp_path / "onnx"
    segmenter = SpeakerSegmenter("onnx")
    assert segmenter.runtime == "onnx" and segmenter._onnx.path.parent == tmp_path / "onnx"
