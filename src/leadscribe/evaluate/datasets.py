"""The evaluation dataset format and its loaders.

A dataset is a folder with `manifest.jsonl` (one JSON record per call) and optionally
`dataset.json` (`{"name", "synthetic", "description"}`; a synthetic dataset is labelled as
such in every report). A record holds, all optional except `id` and `audio`:

    id                   unique name of the call
    audio                audio path, relative to the dataset folder or absolute
    language             ISO 639-1 code of the speech ("en" when absent)
    reference_text       reference transcript, inline
    reference_file       reference transcript file: .txt, .stm or .srt (speaker tags "[CSR] ...")
    rttm                 reference speaker turns (RTTM); `rttm_uri` picks one recording from it
    speaker_text         [[speaker, text], ...] who said which words, in order (WDER), where no
                         .stm/.srt reference file says it
    uem                  scored regions (UEM file, same uri); without it [0, duration] is scored
    speakers             number of distinct speakers (taken from the RTTM when absent)
    entities             [{type, value, text?, start?, end?}]     expected entities
    crm                  [{object, field, value}]                 expected CRM fields
    crm_complete         false when `crm` lists only some of the true fields (then proposals for
                         other fields are not held against precision); default true
    roles                {reference speaker label: rep|prospect|other}  expected roles (needs rttm)
    enroll               [{name, audio}]    reps to enrol before the call (as the team would have)
    scores               the scores to compute (asr, der, speaker_count, entities, crm, roles);
                         default all the record has references for. A second record of the same
                         call (say, with enrolment) scores only what it is there to measure.
    tags                 ["8khz", "noise", "stereo", "lang:es", "speakers:3", ...]
    duration             seconds
    synthetic            true for generated audio
    note                 free text
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from leadscribe.errors import LeadscribeError

Turn = tuple[str, float, float]


@dataclass
class Record:
    id: str
    audio: Path
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.data.get("language") or "en"

    @property
    def tags(self) -> list[str]:
        tags = list(self.data.get("tags") or [])
        if self.speakers is not None and not any(t.startswith("speakers:") for t in tags):
            tags.append(f"speakers:{self.speakers}")
        if not any(t.startswith("lang:") for t in tags):
            tags.append(f"lang:{self.language}")
        return tags

    @property
    def synthetic(self) -> bool:
        return bool(self.data.get("synthetic"))

    @property
    def speakers(self) -> Optional[int]:
        if self.data.get("speakers") is not None:
            return int(self.data["speakers"])
        turns = self.reference_turns()
        return len({s for s, _, _ in turns}) if turns else None

    def reference_text(self) -> Optional[str]:
        if self.data.get("reference_text") is not None:
            return self.data["reference_text"]
        path = self._path("reference_file")
        if path is None:
            return None
        suffix = path.suffix.lower()
        if suffix == ".stm":
            return " ".join(text for _, _, _, text in parse_stm(path.read_text(encoding="utf-8")))
        if suffix == ".srt":
            return " ".join(text for _, _, _, text in parse_srt(path.read_text(encoding="utf-8")))
        return path.read_text(encoding="utf-8").strip()

    def reference_speaker_text(self) -> Optional[list[tuple[str, str]]]:
        """(speaker, text) per reference turn, where the reference says who said which words: `speaker_text`, or
        an .stm / .srt reference file with speaker labels. None otherwise."""
        if self.data.get("speaker_text") is not None:
            return [(str(speaker), str(text)) for speaker, text in self.data["speaker_text"]]
        path = self._path("reference_file")
        if path is None or path.suffix.lower() not in (".stm", ".srt"):
            return None
        parse = parse_stm if path.suffix.lower() == ".stm" else parse_srt
        rows = [(speaker, text) for speaker, _, _, text in parse(path.read_text(encoding="utf-8"))]
        return rows if rows and all(speaker for speaker, _ in rows) else None

    def reference_turns(self) -> list[Turn]:
        if self.data.get("turns") is not None:
            return [(str(s), float(a), float(b)) for s, a, b in self.data["turns"]]
        path = self._path("rttm")
        if path is None:
            return []
        by_uri = parse_rttm(path.read_text(encoding="utf-8"))
        uri = self.data.get("rttm_uri") or (next(iter(by_uri)) if len(by_uri) == 1 else self.id)
        return by_uri.get(uri, [])

    def scores(self, kind: str) -> bool:
        """Whether this record is scored for `kind` (it must also hold the reference for it)."""
        wanted = self.data.get("scores")
        return wanted is None or kind in wanted

    def has_reference_turns(self) -> bool:
        return bool(self.data.get("turns") is not None or self.data.get("rttm"))

    def uem(self) -> Optional[list[tuple[float, float]]]:
        path = self._path("uem")
        if path is None:
            return None
        regions = parse_uem(path.read_text(encoding="utf-8"))
        return regions.get(self.data.get("rttm_uri") or self.id)

    def _path(self, key: str) -> Optional[Path]:
        value = self.data.get(key)
        return Path(value) if value else None


@dataclass
class Dataset:
    root: Path
    records: list[Record]
    name: str = ""
    synthetic: bool = False
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    """Settings every call of the dataset runs with (e.g. the team's vocabulary, seller company)."""

    def select(self, tags: Optional[Iterable[str]] = None, limit: Optional[int] = None) -> list[Record]:
        """Records holding every tag in `tags` (all of them), at most `limit`."""
        wanted = set(tags or [])
        chosen = [r for r in self.records if wanted <= set(r.tags)]
        return chosen[:limit] if limit else chosen


def _resolve(root: Path, value: Any) -> Any:
    if not value or not isinstance(value, str):
        return value
    path = Path(value)
    return str(path if path.is_absolute() else (root / path).resolve())


def load_dataset(folder: Path) -> Dataset:
    folder = Path(folder)
    manifest = folder / "manifest.jsonl"
    if not manifest.is_file():
        raise LeadscribeError(f"{folder}: not a dataset (no manifest.jsonl)")
    info = json.loads((folder / "dataset.json").read_text(encoding="utf-8")) if (folder / "dataset.json").is_file() else {}
    records = []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LeadscribeError(f"{manifest}:{number}: invalid JSON ({exc.msg})") from exc
        if "audio" not in data:
            raise LeadscribeError(f"{manifest}:{number}: record without 'audio'")
        for key in ("audio", "reference_file", "rttm", "uem"):
            data[key] = _resolve(folder, data.get(key))
        if info.get("synthetic"):
            data.setdefault("synthetic", True)
        records.append(Record(id=str(data.get("id") or Path(data["audio"]).stem), audio=Path(data["audio"]), data=data))
    return Dataset(root=folder, records=records, name=info.get("name") or folder.name,
                   synthetic=bool(info.get("synthetic")) or (bool(records) and all(r.synthetic for r in records)),
                   description=info.get("description", ""), settings=info.get("settings", {}))


def write_dataset(folder: Path, records: Iterable[dict[str, Any]], name: str, synthetic: bool,
                  description: str = "", settings: Optional[dict[str, Any]] = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    info = {"name": name, "synthetic": synthetic, "description": description, "settings": settings or {}}
    (folder / "dataset.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return folder / "manifest.jsonl"


# --- reference file formats -------------------------------------------------------------------------

def parse_rttm(text: str) -> dict[str, list[Turn]]:
    """`SPEAKER uri channel start duration <NA> <NA> speaker <NA> <NA>` -> {uri: [(speaker, start, end)]}."""
    turns: dict[str, list[Turn]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0] == "SPEAKER":
            start, duration = float(parts[3]), float(parts[4])
            turns.setdefault(parts[1], []).append((parts[7], start, start + duration))
    return turns


def format_rttm(uri: str, turns: Iterable[Turn]) -> str:
    return "".join(f"SPEAKER {uri} 1 {s:.3f} {e - s:.3f} <NA> <NA> {spk} <NA> <NA>\n" for spk, s, e in turns)


def parse_uem(text: str) -> dict[str, list[tuple[float, float]]]:
    """`uri channel start end` -> {uri: [(start, end)]}."""
    regions: dict[str, list[tuple[float, float]]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            regions.setdefault(parts[0], []).append((float(parts[2]), float(parts[3])))
    return regions


def parse_stm(text: str) -> list[tuple[str, float, float, str]]:
    """`uri channel speaker start end words...` -> [(speaker, start, end, text)]; `;;` lines are comments."""
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(";;"):
            continue
        parts = line.split(maxsplit=5)
        if len(parts) >= 5:
            words = parts[5] if len(parts) > 5 else ""
            words = re.sub(r"^<[^>]*>\s*", "", words)  # optional <label> column
            rows.append((parts[2], float(parts[3]), float(parts[4]), words.strip()))
    return rows


def _srt_time(value: str) -> float:
    hours, minutes, rest = value.strip().replace(".", ",").split(":")
    seconds, millis = rest.split(",")
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_srt(text: str) -> list[tuple[str, float, float, str]]:
    """SRT cues -> [(speaker, start, end, text)]; a leading `[Speaker]` tag gives the speaker."""
    rows = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start, end = (_srt_time(part) for part in lines[timing].split("-->"))
        body = " ".join(lines[timing + 1:]).strip()
        match = re.match(r"^\[([^\]]+)\]\s*(.*)$", body)
        speaker, words = (match.group(1), match.group(2)) if match else ("", body)
        rows.append((speaker, start, end, words))
    return rows
