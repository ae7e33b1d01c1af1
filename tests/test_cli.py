"""The `leadscribe enrich` command as a user runs it: real process, real files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from leadscribe.understand.vocabulary import parse_vocabulary


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEADSCRIBE_MODEL": "tiny.en"}
    return subprocess.run([sys.executable, "-m", "leadscribe", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


def test_bad_files_fail_one_line_each_and_good_files_are_still_processed(tmp_path, data_dir):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all\n" * 50)
    good = tmp_path / "good.wav"
    good.write_bytes((data_dir / "LDC93S1_pcms16le_1_8000.wav").read_bytes())
    missing = tmp_path / "missing.wav"
    out = tmp_path / "results"

    result = run_cli("enrich", str(empty), str(good), str(text), str(missing), "--out", str(out))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any(str(empty) in line and "empty" in line for line in errors)
    assert any(str(text) in line and ("not an audio file" in line or "corrupt" in line) for line in errors)
    assert any(str(missing) in line and "not found" in line for line in errors)
    written = json.loads((out / "good.json").read_text())
    assert written["status"] == "done"
    assert "greasy" in written["transcription"]["full_transcript"].lower()
    assert sorted(p.name for p in out.iterdir()) == ["good.json"]


def test_default_output_is_beside_the_input_and_summary_is_printed(tmp_path, data_dir):
    audio = tmp_path / "call.wav"
    audio.write_bytes((data_dir / "LDC93S1_pcms16le_1_8000.wav").read_bytes())
    result = run_cli("enrich", str(audio))
    assert result.returncode == 0, result.stderr
    result_json = json.loads((tmp_path / "call.wav.json").read_text())
    assert result_json["file"]["filename"] == "call.wav"
    assert result_json["speakers"][0]["talk_time"] > 1.0
    assert "S1" in result.stdout and "talk time" in result.stdout and "greasy" in result.stdout.lower()


def test_out_file_for_one_input(tmp_path, data_dir):
    target = tmp_path / "deep" / "result.json"
    result = run_cli("enrich", str(data_dir / "LDC93S1_pcms16le_1_8000.wav"), "--out", str(target), "--quiet")
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text())["metadata"]["timings"]["transcribe"] > 0


def test_several_inputs_refuse_a_json_out_file(tmp_path, data_dir):
    clip = str(data_dir / "LDC93S1_pcms16le_1_8000.wav")
    result = run_cli("enrich", clip, clip, "--out", str(tmp_path / "x.json"))
    assert result.returncode == 2
    assert "several inputs need a folder" in result.stderr and "Traceback" not in result.stderr


def test_unreadable_vocabulary_file_is_a_clear_error(tmp_path, data_dir):
    result = run_cli("enrich", str(data_dir / "LDC93S1_pcms16le_1_8000.wav"), "--vocabulary", str(tmp_path / "none.txt"))
    assert result.returncode == 2
    assert "cannot read vocabulary file" in result.stderr and "Traceback" not in result.stderr


def run_cli_with_env(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leadscribe", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "LEADSCRIBE_MODEL": "tiny.en", **env})


def test_bad_settings_are_one_line_errors_before_any_audio_is_read(tmp_path, data_dir):
    clip = str(data_dir / "LDC93S1_pcms16le_1_8000.wav")
    broken_toml = tmp_path / "broken.toml"
    broken_toml.write_text("model = [\n")
    cases = [
        (("enrich", clip, "--speakers", "0"), {}, "--speakers: must be 1 or more, not 0"),
        (("enrich", clip, "--min-speakers", "3", "--max-speakers", "1"), {},
         "min_speakers (3) is more than max_speakers (1)"),
        (("enrich", clip, "--speakers", "5", "--max-speakers", "2"), {}, "num_speakers (5) is outside"),
        (("enrich", clip), {"LEADSCRIBE_MIN_SPEAKERS": "abc"},
         "min_speakers (LEADSCRIBE_MIN_SPEAKERS): Input should be a valid integer"),
        (("--config", str(broken_toml), "enrich", clip), {}, "is not valid TOML"),
        (("--config", str(tmp_path / "missing.toml"), "enrich", clip), {}, "No such file or directory"),
        (("bench", clip, "--repeat", "0"), {}, "--repeat: must be 1 or more, not 0"),
        (("enrich", clip), {"LEADSCRIBE_PHONE_REGION": "UK"}, "'UK' is no region code with a phone numbering plan"),
    ]
    for args, env, words in cases:
        result = run_cli_with_env(*args, **env)
        assert result.returncode == 2, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
    assert not list(data_dir.glob("*.json"))  # nothing was processed


def test_vocabulary_file_sections():
    vocabulary = parse_vocabulary("Acme Corp\n# a comment\n[Competitors]\nLooker  # BI tool\nTableau\n\n[people]\nSarah Chen\n")
    assert vocabulary == {"terms": ["Acme Corp"], "competitors": ["Looker", "Tableau"], "people": ["Sarah Chen"]}


def test_a_review_item_without_a_value_is_printed_with_its_reason():
    from rich.console import Console

    from leadscribe.cli import print_call
    from leadscribe.schema import Call, Crm, CrmField, FileInfo

    call = Call(id="c1", file=FileInfo(filename="call.wav", source="call.wav"), crm=Crm(fields=[
        CrmField(object="contact", field="email", value=None, confidence=0.0, decision="review",
                 reason="an address was given at 00:33 but could not be read (heard as 'www.buniamin.com')"),
        CrmField(object="contact", field="phone", value="+14155550192", confidence=0.9, decision="auto",
                 reason="said by the prospect")]))
    console = Console(record=True, width=200)
    print_call(console, call)
    shown = console.export_text()
    assert "contact.email = ? (an address was given at 00:33 but could not be read" in shown
    assert "contact.phone = '+14155550192' [auto]" in shown
