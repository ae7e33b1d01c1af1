"""Importers: build datasets (see `datasets.py`) from the files in the shared eval-data folder.

Each importer reads one upstream source's reference files as they are shipped (STM, SRT,
RTTM, UEM, JSON, CSV) and yields dataset records pointing at the audio in place; nothing is
copied. `build_standard_dataset` puts the sources the evaluation uses into one manifest.
"""
from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import soundfile

from leadscribe.evaluate.datasets import Turn, format_rttm, parse_rttm, parse_stm, write_dataset


def _record(audio: Path, **fields: Any) -> dict[str, Any]:
    return {"id": fields.pop("id", audio.stem), "audio": str(audio.resolve()), **fields}


def _timed_entities(stm_rows: list[tuple[str, float, float, str]], wanted: list[tuple[str, str, Any]]
                    ) -> list[dict[str, Any]]:
    """Expected entities (type, text as said, value) located in the STM segment that says them."""
    entities = []
    for kind, text, value in wanted:
        for speaker, start, end, words in stm_rows:
            if text.lower() in words.lower():
                entities.append({"type": kind, "text": text, "value": value, "start": start, "end": end})
    return entities


# The customer-service representative is the seller's side of these support calls.
CALLYTICS_ROLES = {"CSR": "rep", "Customer": "prospect"}


def import_callytics(folder: Path) -> Iterator[dict[str, Any]]:
    """Callytics CSVD: two 8 kHz WhatsApp support calls, SRT transcripts (STM/RTTM derived).

    Entities per the folder manifest. The CSR "Emily" works for Callytics (the seller), so the
    prospect's CRM values are the customer's e-mail and (Call01) username; the customer never
    says their name, so the CRM reference is partial."""
    entities = {
        "Call01": [("ORGANIZATION", "Callytics", "Callytics"), ("PERSON", "Emily", "Emily"),
                   ("USERNAME", "user101", "user101"), ("EMAIL", "bunyamin@gmail.com", "bunyamin@gmail.com")],
        "Call02": [("ORGANIZATION", "Callytics", "Callytics"), ("PERSON", "Emily", "Emily"),
                   ("EMAIL", "bunyamin@gmail.com", "bunyamin@gmail.com")],
    }
    email = {"object": "contact", "field": "email", "value": "bunyamin@gmail.com"}
    crm_fields = {"Call01": [email, {"object": "contact", "field": "leadscribe_username", "value": "user101"}],
                  "Call02": [email]}
    for name in ("Call01", "Call02"):
        stm = folder / f"{name}.stm"
        rows = parse_stm(stm.read_text(encoding="utf-8"))
        yield _record(folder / f"{name}.wav", id=f"callytics/{name}", language="en",
                      reference_file=str(stm.resolve()), rttm=str((folder / f"{name}.rttm").resolve()),
                      rttm_uri=name, entities=_timed_entities(rows, entities[name]),
                      crm=crm_fields[name], crm_complete=False,
                      # As the support team using leadscribe would configure it: its own company name.
                      settings={"seller_company": "Callytics"},
                      roles=CALLYTICS_ROLES, tags=["real", "phone", "8khz", "callytics", "speakers:2", "lang:en"])
        # The same call for a team that enrolled its rep: only the roles are scored again.
        yield _record(folder / f"{name}.wav", id=f"callytics/{name}+enrolled", language="en",
                      rttm=str((folder / f"{name}.rttm").resolve()), rttm_uri=name, roles=CALLYTICS_ROLES,
                      enroll=[{"name": "Emily", "audio": str((folder / "voiceprint" / "CSR01.wav").resolve())}],
                      settings={"seller_company": "Callytics"}, scores=["roles"],
                      tags=["real", "phone", "8khz", "callytics", "enrolled", "lang:en"])


def import_pyannote_sample(folder: Path) -> Iterator[dict[str, Any]]:
    """pyannote sample.wav: 30 s narrowband two-party phone call, STM + RTTM."""
    yield _record(folder / "sample.wav", id="pyannote/sample", language="en",
                  reference_file=str((folder / "sample.stm").resolve()), rttm=str((folder / "sample.rttm").resolve()),
                  rttm_uri="sample", tags=["real", "phone", "narrowband", "speakers:2", "lang:en"])


def import_ami(folder: Path) -> Iterator[dict[str, Any]]:
    """AMI excerpts: 30 s meeting clips, RTTM + UEM per split, 3-4 speakers with overlap."""
    for split in ("train", "development", "test"):
        rttm, uem = folder / f"debug.{split}.rttm", folder / f"debug.{split}.uem"
        for uri, turns in parse_rttm(rttm.read_text(encoding="utf-8")).items():
            audio = folder / f"{uri}.wav"
            if not audio.exists():
                continue
            speakers = len({s for s, _, _ in turns})
            yield _record(audio, id=f"ami/{uri}", language="en", rttm=str(rttm.resolve()), rttm_uri=uri,
                          uem=str(uem.resolve()), speakers=speakers,
                          tags=["real", "meeting", "ami", "overlap", f"speakers:{speakers}", "lang:en"])


def import_stereo_diarization(folder: Path) -> Iterator[dict[str, Any]]:
    """faster-whisper stereo_diarization.wav: one read-speech speaker per channel; text per channel."""
    refs = {}
    with open(folder / "references.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            refs[row["file"]] = row["reference_text"]
    channels = [part.split(":", 1)[1].strip() for part in refs["stereo_diarization.wav"].split("||")]
    yield _record(folder / "stereo_diarization.wav", id="faster-whisper/stereo_diarization", language="en",
                  reference_text=" ".join(channels), speakers=2, channel_reference=True,
                  tags=["real", "stereo", "dual-channel", "read", "speakers:2", "lang:en"])


def import_spokenwoz(folder: Path) -> Iterator[dict[str, Any]]:
    """SpokenWOZ MUL1011: a real booking call, one party per channel, slot values as entities.

    Each slot is timed by the turn window after which it first appears in the dialogue
    state. There is no word transcript, so no WER. Non-commercial licence: evaluation only."""
    kinds = {"train-destination": "LOCATION", "train-leaveat": "TIME", "restaurant-people": "QUANTITY",
             "restaurant-time": "TIME", "profile-idnumber": "ID_NUMBER", "profile-name": "PERSON",
             "restaurant-area": "LOCATION", "restaurant-pricerange": "PRICE_RANGE"}
    seen: dict[str, dict[str, Any]] = {}
    with open(folder / "dialogue_state_tracking_sample_spokenwoz.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for item in filter(None, (part.strip() for part in (row["current_state"] or "").split(";"))):
                slot, _, value = item.partition("=")
                value_out: Any = {"value": int(value), "unit": "people"} if slot == "restaurant-people" else value
                if slot in seen:
                    seen[slot]["value"] = value_out  # a later turn may have corrected it
                    continue
                seen[slot] = {"type": kinds.get(slot, slot.upper()), "text": value, "value": value_out,
                              "start": int(row["start"]) / 8000, "end": int(row["end"]) / 8000, "slot": slot}
    yield _record(folder / "MUL1011_8k_stereo.flac", id="spokenwoz/MUL1011", language="en", speakers=2,
                  entities=list(seen.values()), channel_reference=True,
                  tags=["real", "phone", "8khz", "stereo", "dual-channel", "non-commercial", "speakers:2", "lang:en"])


def import_picovoice(folder: Path) -> Iterator[dict[str, Any]]:
    """Picovoice: Leopard's single-sentence clips in 8 languages, its 3-speaker clip (per-word
    speaker tags, no times: speaker count and text only) and Falcon's 3-speaker clip (RTTM)."""
    data = json.loads((folder / "leopard_test_data.json").read_text(encoding="utf-8"))["tests"]
    for test in data["language_tests"]:
        lang = test["language"]
        yield _record(folder / "leopard" / test["audio_file"], id=f"picovoice/leopard/{Path(test['audio_file']).stem}",
                      language=lang, reference_text=test["transcript_with_punctuation"], speakers=1,
                      tags=["real", "read", "multilingual" if lang != "en" else "read-en", f"lang:{lang}", "speakers:1"])
    for test in data["diarization_tests"]:
        words = test["words"]
        turns = [[speaker, " ".join(w["word"] for w in group)]
                 for speaker, group in itertools.groupby(words, key=lambda w: str(w["speaker_tag"]))]
        yield _record(folder / "leopard" / test["audio_file"], id=f"picovoice/leopard/{Path(test['audio_file']).stem}",
                      language=test["language"], reference_text=" ".join(w["word"] for w in words), speaker_text=turns,
                      speakers=len({w["speaker_tag"] for w in words}),
                      tags=["real", "speakers:3", "lang:en", "multi-speaker"])
    yield _record(folder / "falcon" / "test.wav", id="picovoice/falcon/test", language="en",
                  rttm=str((folder / "falcon_test.rttm").resolve()), rttm_uri="falcon_test",
                  tags=["real", "speakers:3", "lang:en", "multi-speaker", "coarse-reference"])


def standard_records(eval_data: Path) -> list[dict[str, Any]]:
    eval_data = Path(eval_data)
    records: list[dict[str, Any]] = []
    records += import_callytics(eval_data / "callytics-csvd")
    records += import_pyannote_sample(eval_data / "pyannote-audio")
    records += import_ami(eval_data / "pyannote-audio" / "ami")
    records += import_stereo_diarization(eval_data / "whisper-and-faster-whisper")
    records += import_spokenwoz(eval_data / "spokenwoz-speechbrain")
    records += import_picovoice(eval_data / "picovoice")
    return records


# Channel speech activity: 20 ms frames; a frame is speech when its level is within
# ACTIVITY_RANGE_DB of the channel's loud frames and ACTIVITY_FLOOR_DB above its noise floor;
# pauses shorter than ACTIVITY_BRIDGE_S are bridged and bursts shorter than ACTIVITY_MIN_S dropped.
ACTIVITY_FRAME_S = 0.02
ACTIVITY_RANGE_DB = 35.0
ACTIVITY_FLOOR_DB = 12.0
ACTIVITY_BRIDGE_S = 0.3
ACTIVITY_MIN_S = 0.15


def channel_activity_turns(audio: Path) -> list[Turn]:
    """Reference turns of a recording with one party per channel, from each channel's own level.

    This is the "channel-derived speaker reference" the eval-data manifest names for such calls
    (there is no human RTTM): who talks when follows from which channel carries sound, found by
    a detector that shares nothing with the pipeline (no VAD model, no Whisper)."""
    samples, rate = soundfile.read(str(audio), dtype="float32", always_2d=True)
    frame = max(1, int(ACTIVITY_FRAME_S * rate))
    turns: list[Turn] = []
    for channel in range(samples.shape[1]):
        usable = samples[: len(samples) // frame * frame, channel].reshape(-1, frame)
        level = 10 * np.log10(np.mean(usable ** 2, axis=1) + 1e-12)
        floor, loud = np.percentile(level, 10), np.percentile(level, 99)
        speech = level > max(floor + ACTIVITY_FLOOR_DB, loud - ACTIVITY_RANGE_DB)
        runs: list[list[float]] = []
        for index in np.flatnonzero(speech):
            start = index * ACTIVITY_FRAME_S
            if runs and start - runs[-1][1] <= ACTIVITY_BRIDGE_S:
                runs[-1][1] = start + ACTIVITY_FRAME_S
            else:
                runs.append([start, start + ACTIVITY_FRAME_S])
        turns += [(f"channel{channel}", a, b) for a, b in runs if b - a >= ACTIVITY_MIN_S]
    return sorted(turns, key=lambda t: t[1])


def write_two_channel(left: Path, right: Path, out: Path) -> Path:
    """A 16 kHz two-channel recording of `left` on channel 0 and `right` on channel 1 (first channel of each file),
    both from the start, the shorter one padded with silence."""
    from scipy.signal import resample_poly

    channels = []
    for path in (left, right):
        samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        mono = samples[:, 0]
        channels.append(mono if rate == 16000 else resample_poly(mono, 16000, rate).astype(np.float32))
    stereo = np.zeros((max(len(c) for c in channels), 2), dtype=np.float32)
    for index, samples in enumerate(channels):
        stereo[:len(samples), index] = samples
    out.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(out), stereo, 16000)
    return out


# Words of one speaker closer than this are one reference turn (a pause inside a sentence is not a change of turn).
WORD_TURN_GAP_S = 0.5


def speakerphone_record(eval_data: Path, out_dir: Path) -> dict[str, Any]:
    """A dual-channel call whose second line holds two people, made of real recordings (there is none in
    eval-data): Leopard's English read sentence on channel 0, pyannote's two-speaker telephone sample on
    channel 1. Reference: the sentence's word times (as turns) and the sample's human RTTM. Written under
    `out_dir/derived/`; tagged `constructed`, not `dual-channel`, so the dual-channel figure stays that of the
    recorded calls."""
    folder = Path(eval_data)
    uri = "derived__rep-and-speakerphone"
    tests = json.loads((folder / "picovoice" / "leopard_test_data.json").read_text(encoding="utf-8"))["tests"]
    sentence = next(t for t in tests["language_tests"] if t["audio_file"] == "test.wav")
    audio = write_two_channel(folder / "picovoice" / "leopard" / "test.wav", folder / "pyannote-audio" / "sample.wav",
                              Path(out_dir) / "derived" / "rep-and-speakerphone.wav")
    rep: list[list[Any]] = []
    for word in sentence["words"]:
        if rep and word["start_sec"] - rep[-1][2] < WORD_TURN_GAP_S:
            rep[-1][2] = word["end_sec"]
        else:
            rep.append(["reader", word["start_sec"], word["end_sec"]])
    line = parse_rttm((folder / "pyannote-audio" / "sample.rttm").read_text(encoding="utf-8"))["sample"]
    rttm = Path(out_dir) / "references" / f"{uri}.rttm"
    rttm.parent.mkdir(parents=True, exist_ok=True)
    rttm.write_text(format_rttm(uri, sorted([tuple(t) for t in rep] + line, key=lambda turn: turn[1])),
                    encoding="utf-8")
    return _record(audio, id="derived/rep-and-speakerphone", language="en", speakers=3, rttm=str(rttm.resolve()),
                   rttm_uri=uri, tags=["real", "constructed", "stereo", "speakerphone", "speakers:3", "lang:en"])


def build_standard_dataset(eval_data: Path, out_dir: Path) -> Path:
    """Write the standard real-speech dataset (phone calls, AMI, dual-channel, multilingual,
    3-speaker clips, a dual-channel call with two people on one line) to `out_dir/manifest.jsonl`;
    returns the manifest path. Dual-channel recordings get a channel-derived reference RTTM written
    under `out_dir/references/`."""
    records = standard_records(eval_data)
    for record in records:
        if record.pop("channel_reference", False):
            uri = record["id"].replace("/", "__")
            path = Path(out_dir) / "references" / f"{uri}.rttm"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(format_rttm(uri, channel_activity_turns(Path(record["audio"]))), encoding="utf-8")
            record.update(rttm=str(path.resolve()), rttm_uri=uri, tags=record["tags"] + ["channel-reference"])
    records.append(speakerphone_record(eval_data, out_dir))
    return write_dataset(out_dir, records, name="leadscribe-standard (real speech)",
                         synthetic=False, description=f"built from {Path(eval_data).resolve()}")
