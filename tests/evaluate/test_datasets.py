"""Dataset format, reference-file parsers and the eval-data importers."""
import json
from pathlib import Path

from leadscribe.evaluate.datasets import Record, load_dataset, parse_rttm, parse_srt, parse_stm, write_dataset
from leadscribe.evaluate.importers import build_standard_dataset


def test_parsers():
    srt = "1\n00:00:03,453 --> 00:00:09,166\n[CSR] Hello there.\n\n2\n00:01:00,000 --> 00:01:02,500\nNo tag\n"
    assert parse_srt(srt) == [("CSR", 3.453, 9.166, "Hello there."), ("", 60.0, 62.5, "No tag")]
    assert parse_stm(";; comment\nx 1 Diane 6.68 7.16 Hello?\n") == [("Diane", 6.68, 7.16, "Hello?")]
    turns = parse_rttm("SPEAKER a 1 1.000 2.500 <NA> <NA> S1 <NA> <NA>\nSPEAKER b 1 0 1 <NA> <NA> S2 <NA> <NA>\n")
    assert turns == {"a": [("S1", 1.0, 3.5)], "b": [("S2", 0.0, 1.0)]}


def test_relative_paths_tags_and_synthetic_flag(tmp_path):
    (tmp_path / "x.rttm").write_text("SPEAKER x 1 0 1 <NA> <NA> A <NA> <NA>\nSPEAKER x 1 1 1 <NA> <NA> B <NA> <NA>\n")
    write_dataset(tmp_path, [{"id": "x", "audio": "x.wav", "rttm": "x.rttm", "tags": ["noise"]},
                             {"id": "y", "audio": "/abs/y.wav", "reference_text": "hi", "language": "es"}],
                  name="t", synthetic=True)
    dataset = load_dataset(tmp_path)
    x, y = dataset.records
    assert dataset.synthetic and x.synthetic
    assert x.audio == (tmp_path / "x.wav").resolve() and str(y.audio) == "/abs/y.wav"
    assert x.speakers == 2 and "speakers:2" in x.tags and "lang:es" in y.tags
    assert [r.id for r in dataset.select(["noise"])] == ["x"]
    assert dataset.select(limit=1) == [x]


def test_reference_speaker_text_comes_from_speaker_labelled_references(tmp_path):
    (tmp_path / "a.stm").write_text("a 1 Diane 6.68 7.16 Hello?\na 1 Sheila 7.2 8.0 Hi there\n")
    (tmp_path / "b.srt").write_text("1\n00:00:03,453 --> 00:00:09,166\n[CSR] Hello there.\n\n"
                                    "2\n00:00:10,000 --> 00:00:12,500\n[Customer] Hi.\n")
    (tmp_path / "c.srt").write_text("1\n00:00:03,453 --> 00:00:09,166\nNo speaker said.\n")
    (tmp_path / "d.txt").write_text("Plain text.")
    write_dataset(tmp_path, [{"id": "a", "audio": "a.wav", "reference_file": "a.stm"},
                             {"id": "b", "audio": "b.wav", "reference_file": "b.srt"},
                             {"id": "c", "audio": "c.wav", "reference_file": "c.srt"},
                             {"id": "d", "audio": "d.wav", "reference_file": "d.txt"},
                             {"id": "e", "audio": "e.wav", "speaker_text": [["rep", "Hi."], ["prospect", "Hello."]]}],
                  name="t", synthetic=False)
    a, b, c, d, e = load_dataset(tmp_path).records
    assert a.reference_speaker_text() == [("Diane", "Hello?"), ("Sheila", "Hi there")]
    assert b.reference_speaker_text() == [("CSR", "Hello there."), ("Customer", "Hi.")]
    assert c.reference_speaker_text() is None and d.reference_speaker_text() is None
    assert e.reference_speaker_text() == [("rep", "Hi."), ("prospect", "Hello.")]


def test_standard_dataset_from_eval_data(eval_data, tmp_path):
    manifest = build_standard_dataset(eval_data, tmp_path / "std")
    dataset = load_dataset(manifest.parent)
    by_id = {r.id: r for r in dataset.records}
    assert not dataset.synthetic
    assert {"callytics/Call01", "callytics/Call02", "pyannote/sample", "faster-whisper/stereo_diarization",
            "spokenwoz/MUL1011", "picovoice/falcon/test", "picovoice/leopard/test_ja"} <= set(by_id)
    assert sum(r.id.startswith("ami/") for r in dataset.records) == 14
    call01 = by_id["callytics/Call01"]
    assert call01.reference_text().startswith("Hello and welcome to Callytics!")
    assert call01.speakers == 2 and "8khz" in call01.tags
    assert any(e["type"] == "EMAIL" and e["value"] == "bunyamin@gmail.com" for e in call01.data["entities"])
    tst00 = by_id["ami/tst00"]
    assert tst00.uem() == [(0.0, 30.0)] and tst00.speakers == 4
    slots = {e["slot"]: e for e in by_id["spokenwoz/MUL1011"].data["entities"]}
    assert slots["profile-idnumber"]["value"] == "1734125672991778"
    assert slots["restaurant-people"]["value"] == {"value": 8, "unit": "people"}
    assert by_id["picovoice/leopard/diarization_test"].speakers == 3
    assert by_id["picovoice/leopard/test_ko"].language == "ko"
    enrolled = by_id["callytics/Call01+enrolled"]
    assert enrolled.data["scores"] == ["roles"] and enrolled.data["roles"] == {"CSR": "rep", "Customer": "prospect"}
    assert Path(enrolled.data["enroll"][0]["audio"]).name == "CSR01.wav"
    # Dual-channel calls get a reference from each channel's own level: one speaker per channel.
    stereo = by_id["faster-whisper/stereo_diarization"].reference_turns()
    assert {s for s, _, _ in stereo} == {"channel0", "channel1"} and "channel-reference" in by_id[
        "spokenwoz/MUL1011"].tags
    call = by_id["spokenwoz/MUL1011"].reference_turns()
    speech = {s: sum(b - a for t, a, b in call if t == s) for s in ("channel0", "channel1")}
    # Both parties talk for a good part of the 183 s call, neither for all of it.
    assert all(30 < seconds < 120 for seconds in speech.values()), speech
    # The constructed call with two people on one line: a real audio file of two channels, three reference voices.
    speakerphone = by_id["derived/rep-and-speakerphone"]
    import soundfile

    info = soundfile.info(str(speakerphone.audio))
    assert info.channels == 2 and info.samplerate == 16000 and 29.9 < info.duration < 30.1
    turns = speakerphone.reference_turns()
    assert {s for s, _, _ in turns} == {"reader", "speaker90", "speaker91"}
    # The read sentence is one turn from its first word to its last ("Mr. Quilter ... his gospel").
    assert [(round(a, 2), round(b, 2)) for s, a, b in turns if s == "reader"] == [(0.54, 5.34)]
    assert "dual-channel" not in speakerphone.tags and speakerphone.speakers == 3
    json.loads(manifest.read_text().splitlines()[0])


def test_roles_are_scored_through_the_der_mapping():
    from leadscribe.evaluate.runner import score_roles
    from leadscribe.pipeline import new_call
    from leadscribe.schema import Diarization, Speaker, SpeakerTurn

    record = Record(id="r", audio=Path("r.wav"), data={
        "turns": [["CSR", 0, 5], ["Customer", 5, 9], ["CSR", 9, 12]], "roles": {"CSR": "rep", "Customer": "prospect"}})
    call = new_call(Path("r.wav"))
    # The diarizer calls the customer S1 (they spoke first by its count) and the rep S2.
    call.diarization = Diarization(method="voice", turns=[
        SpeakerTurn(speaker="S2", start=0.1, end=5), SpeakerTurn(speaker="S1", start=5.1, end=9),
        SpeakerTurn(speaker="S2", start=9, end=12)])
    call.speakers = [Speaker(id="S1", role="prospect"), Speaker(id="S2", role="rep")]
    assert score_roles(record, call)["correct"]
    call.speakers = [Speaker(id="S1", role="rep"), Speaker(id="S2", role="prospect")]
    scored = score_roles(record, call)
    assert not scored["correct"] and scored["found"] == {"CSR": "prospect", "Customer": "rep"}


def test_calls_run_with_the_dataset_settings_and_their_call_date(tmp_path):
    from leadscribe.config import Settings
    from leadscribe.evaluate.runner import run_dataset
    from leadscribe.pipeline import new_call

    team = {"seller_company": "Northwind Analytics", "vocabulary": {"competitors": ["Looker"]}}
    write_dataset(tmp_path, [{"id": "a", "audio": "a.wav", "call_date": "2026-01-12"},
                             {"id": "b", "audio": "b.wav", "settings": {"seller_company": "Callytics"}}],
                  name="t", synthetic=False, settings=team)
    seen = []

    def record_enrich(audio, settings, custom_metadata=None):
        seen.append((audio.name, settings.seller_company, settings.vocabulary, custom_metadata))
        return new_call(audio)

    run_dataset(load_dataset(tmp_path), Settings.load(), enrich_fn=record_enrich)
    assert seen == [("a.wav", "Northwind Analytics", {"competitors": ["Looker"]}, {"call_date": "2026-01-12"}),
                    ("b.wav", "Callytics", {"competitors": ["Looker"]}, None)]
