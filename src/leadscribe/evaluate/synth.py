"""Synthetic sales calls for what the real recordings lack: dictated phone numbers and
e-mails, budgets in spoken forms, seat counts, competitors, dates and job titles, under
telephone conditions (8 kHz, noise, overlap, long silence, two channels, three parties).

Speech comes from flite (voices slt, rms, awb, kal) and espeak-ng; sox resamples. Every
call is written with its full ground truth in the dataset format of `datasets.py`:
reference transcript, RTTM turns, expected entities and CRM fields, tags. The same seed
gives the same calls. These recordings are robotic: figures measured on them test the
pipeline's logic, never the quality of the system on real calls, and the dataset says so.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import soundfile

from leadscribe.evaluate.datasets import format_rttm, write_dataset
from leadscribe.errors import LeadscribeError

RATE = 16000
FLITE_VOICES = ("slt", "rms", "awb", "kal")

FIRST_NAMES = ["David", "Maria", "James", "Priya", "Robert", "Sofia", "Daniel", "Emma", "Michael", "Laura"]
LAST_NAMES = ["Chen", "Garcia", "Miller", "Patel", "Johnson", "Rossi", "Walker", "Novak", "Brown", "Fischer"]
COMPANIES = [("Acme Logistics", "acmelogistics.com"), ("Blue Harbor Foods", "blueharborfoods.com"),
             ("Granite Health", "granitehealth.com"), ("Pinecrest Bank", "pinecrestbank.com"),
             ("Orbit Retail", "orbitretail.com"), ("Summit Freight", "summitfreight.com")]
TITLES = ["head of operations", "vice president of sales", "chief financial officer", "IT director",
          "procurement manager"]
SELLER_COMPANY = "Northwind Analytics"
COMPETITORS = ["Looker", "Tableau", "Salesforce", "Gong", "HubSpot", "Zendesk"]
TECH = ["Snowflake", "Slack", "Jira", "Excel", "Oracle"]
PAINS = ["the reporting is too slow and our team wastes hours every week on exports",
         "our forecasts are always late because the data lives in five spreadsheets",
         "we lose track of follow ups after every call"]
# Spoken budget forms and their values: the forms real callers use.
BUDGETS = [("eighty thousand dollars", 80000, "USD"), ("a quarter million dollars", 250000, "USD"),
           ("one point two million euros", 1200000, "EUR"), ("fifty k", 50000, "USD"),
           ("one hundred and twenty thousand pounds", 120000, "GBP"), ("half a million dollars", 500000, "USD")]
SEATS = [(25, "twenty five"), (40, "forty"), (120, "one hundred and twenty"), (250, "two hundred and fifty")]
EMPLOYEES = [(300, "three hundred"), (1200, "twelve hundred"), (5000, "five thousand")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ORDINALS = {1: "first", 15: "fifteenth", 20: "twentieth", 30: "thirtieth"}
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass
class Turn:
    speaker: str
    text: str
    facts: list[str] = field(default_factory=list)  # keys of the entities this turn says


@dataclass
class Placed:
    speaker: str
    text: str
    start: float
    end: float
    audio: np.ndarray
    facts: list[str]


def _speak_digits(digits: str, groups: tuple[int, ...]) -> str:
    out, position = [], 0
    for size in groups:
        out.append(" ".join(DIGITS[int(d)] for d in digits[position:position + size]))
        position += size
    return ", ".join(out)


def _call_plan(rng: random.Random, three_parties: bool) -> tuple[list[Turn], dict[str, Any]]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company, domain = rng.choice(COMPANIES)
    title = rng.choice(TITLES)
    budget_text, budget, currency = rng.choice(BUDGETS)
    seats, seats_text = rng.choice(SEATS)
    employees, employees_text = rng.choice(EMPLOYEES)
    competitors = sorted(rng.sample(COMPETITORS, 2))
    tech = sorted(rng.sample(TECH, 2))
    pain = rng.choice(PAINS)
    month = rng.randrange(1, 13)
    day = rng.choice(sorted(ORDINALS))
    year = 2026
    phone = "415" + "".join(str(rng.randrange(10)) for _ in range(7))
    phone = phone[:3] + str(rng.randrange(2, 10)) + phone[4:]  # a valid NANP exchange
    email = f"{first.lower()}.{last.lower()}@{domain}"
    domain_spoken = domain.replace(".com", " dot com")
    facts = {
        "first": first, "last": last, "company": company, "domain": domain, "title": title, "email": email,
        "phone": "+1" + phone, "budget": budget, "currency": currency, "seats": seats, "employees": employees,
        "competitors": competitors, "tech": tech, "pain": pain,
        "closedate": f"{year}-{month:02d}-{day:02d}",
    }
    turns = [
        Turn("rep", f"Hi, this is Maya from {SELLER_COMPANY}. Thanks for taking the time today."),
        Turn("prospect", f"Sure. I'm {first} {last}, {title} at {company}.", ["person", "company", "title"]),
        Turn("rep", "Great. What are you using today, and what is not working?"),
        Turn("prospect", f"We run on {tech[0]} and {tech[1]}, but {pain}."),
        Turn("rep", "How big is the company, and how many people would need access?"),
        Turn("prospect", f"We have about {employees_text} employees, and we would need {seats_text} seats.",
             ["employees", "seats"]),
        Turn("rep", "Do you have a budget in mind?"),
        Turn("prospect", f"Our budget is {budget_text} for this year.", ["budget"]),
        Turn("rep", "Are you looking at anyone else?"),
        Turn("prospect", f"We are also evaluating {competitors[0]} and {competitors[1]}.", ["competitors"]),
        Turn("rep", "When would you like to decide?"),
        Turn("prospect", f"We want to sign by {MONTHS[month - 1]} {ORDINALS[day]}, twenty twenty six.", ["closedate"]),
        Turn("rep", "What is the best email and phone number for you?"),
        Turn("prospect", f"It's {first.lower()} dot {last.lower()} at {domain_spoken}. My phone is "
                         f"{_speak_digits(phone, (3, 3, 4))}.", ["email", "phone"]),
        Turn("rep", "Thanks. I will send a proposal by Friday and book a demo next Tuesday."),
    ]
    if three_parties:
        turns.insert(6, Turn("colleague", "This is Alex from their IT team. Security review is a must for us."))
        turns.insert(7, Turn("rep", "Understood, Alex. We can share our security documents this week."))
    return turns, facts


def _say(text: str, voice: str, work: Path, index: int) -> np.ndarray:
    """One turn as 16 kHz float samples, from flite (a flite voice) or espeak-ng."""
    raw, wav = work / f"raw{index}.wav", work / f"t{index}.wav"
    if voice.startswith("espeak"):
        subprocess.run(["espeak-ng", "-v", voice.split(":", 1)[1], "-s", "160", "-w", str(raw), text], check=True,
                       capture_output=True)
    else:
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True, capture_output=True)
    subprocess.run(["sox", "-D", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(wav)], check=True, capture_output=True)
    samples, _ = soundfile.read(wav, dtype="float32")
    # Trim flite's leading/trailing silence so that the RTTM turn bounds are the speech bounds.
    voiced = np.flatnonzero(np.abs(samples) > 0.01)
    return samples[voiced[0]: voiced[-1] + 1] if voiced.size else samples


def _entities_and_fields(facts: dict[str, Any], placed: list[Placed]) -> tuple[list[dict], list[dict]]:
    spans = {key: (p.start, p.end) for p in placed for key in p.facts}

    def entity(kind: str, key: str, value: Any, text: str) -> dict[str, Any]:
        start, end = spans[key]
        return {"type": kind, "value": value, "text": text, "start": round(start, 3), "end": round(end, 3)}

    entities = [
        entity("PERSON", "person", f"{facts['first']} {facts['last']}", f"{facts['first']} {facts['last']}"),
        entity("ORGANIZATION", "company", facts["company"], facts["company"]),
        entity("JOB_TITLE", "title", facts["title"], facts["title"]),
        entity("QUANTITY", "employees", {"value": facts["employees"], "unit": "employees"}, ""),
        entity("QUANTITY", "seats", {"value": facts["seats"], "unit": "seats"}, ""),
        entity("MONEY", "budget", {"amount": facts["budget"], "currency": facts["currency"]}, ""),
        *[entity("COMPETITOR", "competitors", name, name) for name in facts["competitors"]],
        entity("DATE", "closedate", facts["closedate"], ""),
        entity("EMAIL", "email", facts["email"], ""),
        entity("PHONE", "phone", facts["phone"], ""),
    ]
    fields = [
        {"object": "contact", "field": "firstname", "value": facts["first"]},
        {"object": "contact", "field": "lastname", "value": facts["last"]},
        {"object": "contact", "field": "email", "value": facts["email"]},
        {"object": "contact", "field": "phone", "value": facts["phone"]},
        {"object": "contact", "field": "jobtitle", "value": facts["title"]},
        {"object": "company", "field": "name", "value": facts["company"]},
        {"object": "company", "field": "domain", "value": facts["domain"]},
        {"object": "company", "field": "numberofemployees", "value": facts["employees"]},
        {"object": "deal", "field": "amount", "value": facts["budget"]},
        {"object": "deal", "field": "deal_currency_code", "value": facts["currency"]},
        {"object": "deal", "field": "closedate", "value": facts["closedate"]},
        {"object": "deal", "field": "leadscribe_seats", "value": facts["seats"]},
        {"object": "deal", "field": "leadscribe_competitors", "value": facts["competitors"]},
        {"object": "deal", "field": "leadscribe_tech_stack", "value": facts["tech"]},
        {"object": "deal", "field": "leadscribe_pain_points", "value": [facts["pain"]]},
        {"object": "deal", "field": "leadscribe_next_step", "value": "send a proposal by Friday, demo next Tuesday"},
        {"object": "call", "field": "hs_call_body", "value": "(presence only)"},
    ]
    return entities, fields


CONDITIONS = ["clean", "8khz-noise", "stereo", "overlap", "silence", "3-party"]


def generate_call(out_dir: Path, name: str, rng: random.Random, condition: str) -> dict[str, Any]:
    """Write one call's audio and RTTM into `out_dir`; return its dataset record."""
    three = condition == "3-party"
    turns, facts = _call_plan(rng, three)
    rep_voice, prospect_voice = rng.choice([("slt", "rms"), ("kal", "awb"), ("slt", "awb"), ("kal", "rms")])
    voices = {"rep": rep_voice, "prospect": prospect_voice, "colleague": "espeak:en-us+m3"}
    placed: list[Placed] = []
    with tempfile.TemporaryDirectory() as tmp:
        cursor = 0.5
        for index, turn in enumerate(turns):
            audio = _say(turn.text, voices[turn.speaker], Path(tmp), index)
            gap = rng.uniform(0.3, 0.8)
            if condition == "overlap" and index % 4 == 3 and placed:
                gap = -min(0.8, 0.4 * (placed[-1].end - placed[-1].start))  # talk over the previous turn's end
            if condition == "silence" and index == len(turns) // 2:
                gap = 30.0  # a long hold: the pipeline must neither hallucinate nor lose the timeline
            start = max(0.0, cursor + gap)
            end = start + len(audio) / RATE
            placed.append(Placed(turn.speaker, turn.text, start, end, audio, turn.facts))
            cursor = max(cursor, end)
    total = int((cursor + 0.8) * RATE)
    stereo = condition == "stereo"
    channels = np.zeros((2 if stereo else 1, total), dtype=np.float32)
    for p in placed:
        row = (0 if p.speaker == "rep" else 1) if stereo else 0
        first = int(p.start * RATE)
        channels[row, first:first + len(p.audio)] += p.audio
    tags = ["synthetic", f"condition:{condition}", f"speakers:{3 if three else 2}", "lang:en"]
    rate = RATE
    if condition == "8khz-noise":
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 1, channels.shape).astype(np.float32)
        speech_rms = float(np.sqrt(np.mean(channels[channels != 0] ** 2))) if channels.any() else 0.1
        channels += noise * speech_rms / (10 ** (15 / 20))  # 15 dB SNR
        tags += ["8khz", "noise"]
    if stereo:
        tags += ["stereo", "dual-channel"]
    if condition == "overlap":
        tags.append("overlap")
    if condition == "silence":
        tags.append("long-silence")
    peak = float(np.abs(channels).max()) or 1.0
    channels *= min(1.0, 0.9 / peak)
    wav16 = out_dir / f"{name}.16k.wav"
    soundfile.write(wav16, channels.T, RATE, subtype="PCM_16")
    audio_path = out_dir / f"{name}.wav"
    if condition == "8khz-noise":
        subprocess.run(["sox", "-D", str(wav16), "-r", "8000", str(audio_path)], check=True, capture_output=True)
        wav16.unlink()
        rate = 8000
    else:
        wav16.rename(audio_path)
    rttm_turns = [(p.speaker, p.start, p.end) for p in placed]
    (out_dir / f"{name}.rttm").write_text(format_rttm(name, rttm_turns), encoding="utf-8")
    entities, fields = _entities_and_fields(facts, placed)
    return {"id": name, "audio": audio_path.name, "language": "en", "synthetic": True,
            "reference_text": " ".join(p.text for p in placed), "rttm": f"{name}.rttm", "rttm_uri": name,
            "speakers": 3 if three else 2, "entities": entities, "crm": fields, "crm_complete": True,
            "duration": round(total / RATE, 3), "sample_rate": rate, "tags": tags, "call_date": CALL_DATE,
            "voices": {k: v for k, v in voices.items() if k != "colleague" or three}}


def generate_dataset(out_dir: Path, calls: int, seed: int = 0, conditions: Optional[list[str]] = None) -> Path:
    """Write `calls` synthetic calls cycling through the conditions; deterministic by `seed`."""
    for tool in ("flite", "sox", "espeak-ng"):
        if shutil.which(tool) is None:
            raise LeadscribeError(f"synthetic calls need '{tool}' (Debian package {tool})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    conditions = conditions or CONDITIONS
    records = [generate_call(out_dir, f"synth{seed}_{index:03d}", rng, conditions[index % len(conditions)])
               for index in range(calls)]
    return write_dataset(out_dir, records, name=f"leadscribe-synthetic (seed {seed}, SYNTHETIC speech)",
                         synthetic=True, description="flite/espeak-ng synthetic sales calls; tests logic, not quality",
                         settings=team_settings())


# Every call is dated here, so that relative dates resolve the same way on every run.
CALL_DATE = "2026-01-12"


def team_settings() -> dict[str, Any]:
    """What the seller's team would configure: its own name and the vocabulary it cares about."""
    return {"seller_company": SELLER_COMPANY,
            "vocabulary": {"companies": [SELLER_COMPANY] + [name for name, _ in COMPANIES],
                           "competitors": list(COMPETITORS), "products": list(TECH)}}
