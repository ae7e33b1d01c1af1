"""Synthetic calls: deterministic by seed, ground truth consistent with the audio."""
import hashlib

import soundfile

from leadscribe.evaluate.datasets import load_dataset
from leadscribe.evaluate.synth import generate_dataset


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_calls_and_full_ground_truth(tmp_path):
    conditions = ["8khz-noise", "stereo"]
    generate_dataset(tmp_path / "a", 2, seed=7, conditions=conditions)
    generate_dataset(tmp_path / "b", 2, seed=7, conditions=conditions)
    for name in ("synth7_000.wav", "synth7_001.wav"):
        assert _digest(tmp_path / "a" / name) == _digest(tmp_path / "b" / name)
    assert (tmp_path / "a/manifest.jsonl").read_text() == (tmp_path / "b/manifest.jsonl").read_text()
    dataset = load_dataset(tmp_path / "a")
    assert dataset.synthetic and "SYNTHETIC" in dataset.name
    noisy, stereo = dataset.records
    info = soundfile.info(noisy.audio)
    assert info.samplerate == 8000 and info.channels == 1 and {"8khz", "noise"} <= set(noisy.tags)
    assert soundfile.info(stereo.audio).channels == 2 and "stereo" in stereo.tags
    fields = {(f["object"], f["field"]): f["value"] for f in noisy.data["crm"]}
    assert fields[("contact", "phone")].startswith("+1415") and len(fields[("contact", "phone")]) == 12
    assert fields[("contact", "email")] == fields[("contact", "email")].lower()
    assert fields[("deal", "leadscribe_competitors")] == sorted(fields[("deal", "leadscribe_competitors")])
    money = next(e for e in noisy.data["entities"] if e["type"] == "MONEY")
    assert money["value"]["amount"] == fields[("deal", "amount")]
    turns = noisy.reference_turns()
    assert {s for s, _, _ in turns} == {"rep", "prospect"}
    assert max(e for _, _, e in turns) <= info.duration


def test_other_seed_other_calls(tmp_path):
    generate_dataset(tmp_path / "a", 1, seed=1, conditions=["clean"])
    generate_dataset(tmp_path / "b", 1, seed=2, conditions=["clean"])
    ref_a = load_dataset(tmp_path / "a").records[0].reference_text()
    ref_b = load_dataset(tmp_path / "b").records[0].reference_text()
    assert ref_a != ref_b
