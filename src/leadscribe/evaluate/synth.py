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

import calendar
import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Optional

import numpy as np
import soundfile

from leadscribe.evaluate.datasets import format_rttm, write_dataset
from leadscribe.errors import LeadscribeError

RATE = 16000
FLITE_VOICES = ("slt", "rms", "awb", "kal")

FIRST_NAMES = ["David", "Maria", "James", "Priya", "Robert", "Sofia", "Daniel", "Emma", "Michael", "Laura", "Thomas",
               "Anna", "Peter", "Julia"]
LAST_NAMES = ["Chen", "Garcia", "Miller", "Patel", "Johnson", "Rossi", "Walker", "Novak", "Brown", "Fischer",
              "Turner", "Schmidt"]
# Names whose sound another common spelling shares (Sofia/Sophia, Fischer/Fisher): a caller with such a name says
# which one is theirs, as people do ("Sofia with an F"). Without it the answer key would hold a spelling the
# audio does not carry.
SPELLING_HINTS = {"Sofia": "with an F", "Anna": "with two Ns", "Fischer": "with a C", "Schmidt": "with a D",
                  "Novak": "with no C"}
COMPANIES = [("Acme Logistics", "acmelogistics.com"), ("Blue Harbor Foods", "blueharborfoods.com"),
             ("Granite Health", "granitehealth.com"), ("Pinecrest Bank", "pinecrestbank.com"),
             ("Orbit Retail", "orbitretail.com"), ("Summit Freight", "summitfreight.com"),
             ("Redwood Insurance", "redwoodinsurance.com"), ("Lakeside Clinics", "lakesideclinics.com")]
TITLES = ["head of operations", "vice president of sales", "chief financial officer", "IT director",
          "procurement manager", "director of finance", "operations manager"]
SELLER_COMPANY = "Northwind Analytics"
COMPETITORS = ["Looker", "Tableau", "Salesforce", "Gong", "HubSpot", "Zendesk"]
TECH = ["Snowflake", "Slack", "Jira", "Excel", "Oracle"]
PAINS = ["the reporting is too slow and our team wastes hours every week on exports",
         "our forecasts are always late because the data lives in five spreadsheets",
         "we lose track of follow ups after every call",
         "nobody trusts the numbers in our dashboards",
         "onboarding a new analyst takes us almost two months"]
# Numbers that are neither a budget nor a size: they must not become one.
DISTRACTORS = ["We had three outages last month alone.", "Since our twenty nineteen migration nothing talks to each other.",
               "Our two hundred open tickets keep piling up.", "It took us four weeks to close the books in March.",
               "We tried two other tools in the last three years."]
# Spoken budget forms and their values (amount, currency or None when no currency is said, low end of a range):
# the forms real callers use.
BUDGETS = [("eighty thousand dollars", 80000, "USD", None), ("a quarter million dollars", 250000, "USD", None),
           ("one point two million euros", 1200000, "EUR", None), ("fifty k", 50000, None, None),
           ("one hundred and twenty thousand pounds", 120000, "GBP", None),
           ("half a million dollars", 500000, "USD", None),
           ("between eighty and a hundred thousand dollars", 100000, "USD", 80000),
           ("seventy five thousand euros", 75000, "EUR", None), ("two hundred k", 200000, None, None),
           ("three hundred and fifty thousand dollars", 350000, "USD", None)]
BUDGET_SENTENCES = ["Our budget is {budget} for this year.", "We have {budget} approved for this project.",
                    "Finance set aside {budget} for it.", "Realistically we can spend {budget} annually.",
                    "The budget we got signed off is {budget}."]
SEATS = [(25, "twenty five"), (40, "forty"), (120, "one hundred and twenty"), (250, "two hundred and fifty"),
         (60, "sixty"), (15, "fifteen")]
EMPLOYEES = [(300, "three hundred"), (1200, "twelve hundred"), (5000, "five thousand"), (850, "eight hundred and fifty"),
             (2000, "two thousand")]
# (sentence, unit the seats are counted in)
SIZE_SENTENCES = [("We have about {employees} employees, and we would need {seats} seats.", "seats"),
                  ("We're roughly {employees} people in total, so maybe {seats} licences to start.", "licences"),
                  ("About {employees} staff. I'd say {seats} users would need access.", "users"),
                  ("The company has {employees} employees. We are looking at {seats} seats for now.", "seats")]
INTRO_SENTENCES = ["Sure. I'm {first} {last}, {title} at {company}.",
                   "Hi Maya, {first} {last} here. I'm the {title} at {company}.",
                   "Yes, my name is {first} {last}, and I work as the {title} at {company}.",
                   "Thanks for calling. {first} {last}, {title} over at {company}."]
TECH_SENTENCES = ["We run on {t0} and {t1}, but {pain}.", "Today everything is in {t0} and {t1}, and {pain}.",
                  "Our stack is {t0} plus {t1}. The problem is that {pain}."]
COMPETITOR_SENTENCES = ["We are also evaluating {c0} and {c1}.", "We've had demos from {c0} and {c1} as well.",
                        "{c0} and {c1} are on our shortlist too."]
NEXT_STEPS = ["Thanks. I will send a proposal by Friday and book a demo next Tuesday.",
              "Great. I'll send over pricing tomorrow and set up a technical call next week.",
              "Perfect. I'll email you the security documents today and we can meet again on Thursday."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ORDINALS = {1: "first", 15: "fifteenth", 20: "twentieth", 30: "thirtieth"}
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
QUARTER_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth"}
WEEK_WORDS = {4: "four", 6: "six", 8: "eight"}


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


def _close_date(rng: random.Random) -> tuple[str, str]:
    """(what the prospect says, the ISO date it means on CALL_DATE): a calendar date, the end of a quarter or a
    month, or a number of weeks from the call."""
    today = date.fromisoformat(CALL_DATE)
    form = rng.choice(["explicit", "quarter", "month", "weeks"])
    if form == "explicit":
        month, day = rng.randrange(2, 13), rng.choice(sorted(ORDINALS))
        day = min(day, calendar.monthrange(today.year, month)[1])
        spoken_day = ORDINALS.get(day, "twenty eighth")
        return (f"We want to sign by {MONTHS[month - 1]} {spoken_day}, twenty twenty six.",
                f"{today.year}-{month:02d}-{day:02d}")
    if form == "quarter":
        quarter = rng.randrange(1, 5)
        said = rng.choice([f"the end of Q{quarter}", f"the end of the {QUARTER_WORDS[quarter]} quarter"])
        last = date(today.year, quarter * 3, calendar.monthrange(today.year, quarter * 3)[1])
        return f"We need this in place by {said}.", last.isoformat()
    if form == "month":
        month = rng.randrange(2, 13)
        last = date(today.year, month, calendar.monthrange(today.year, month)[1])
        return f"The decision has to be made by the end of {MONTHS[month - 1]}.", last.isoformat()
    weeks = rng.choice(sorted(WEEK_WORDS))
    return (f"We would like to decide within {WEEK_WORDS[weeks]} weeks.",
            (today + timedelta(weeks=weeks)).isoformat())


def _email(rng: random.Random, first: str, last: str, domain: str) -> tuple[str, str]:
    """(the address as said, the address): first dot last, first underscore last, or the first name alone."""
    spoken_domain = domain.replace(".com", " dot com")
    form = rng.choice(["dot", "dot", "underscore", "first"])
    if form == "dot":
        return f"{first.lower()} dot {last.lower()} at {spoken_domain}", f"{first.lower()}.{last.lower()}@{domain}"
    if form == "underscore":
        return (f"{first.lower()} underscore {last.lower()} at {spoken_domain}",
                f"{first.lower()}_{last.lower()}@{domain}")
    return f"just {first.lower()} at {spoken_domain}", f"{first.lower()}@{domain}"


def _contact_turns(rng: random.Random, email_said: str, phone: str) -> list[Turn]:
    """The prospect gives e-mail and phone: the number in groups or digit by digit, finished in a second turn,
    or with one digit said wrong and corrected ("sorry, that's a four, not a five")."""
    form = rng.choice(["groups", "digits", "two-turns", "correction"])
    email_sentence = rng.choice(["It's {e}.", "My email is {e}.", "You can email me at {e}."]).format(e=email_said)
    ask = Turn("rep", "What is the best email and phone number for you?")
    if form == "groups":
        return [ask, Turn("prospect", f"{email_sentence} My phone is {_speak_digits(phone, (3, 3, 4))}.",
                          ["email", "phone"])]
    if form == "digits":
        return [ask, Turn("prospect", f"{email_sentence} My cell is {_speak_digits(phone, (10,))}.",
                          ["email", "phone"])]
    if form == "two-turns":
        return [ask, Turn("prospect", f"{email_sentence} And my phone is {_speak_digits(phone, (3, 3))},",
                          ["email", "phone"]),
                Turn("rep", "Okay, go on."),
                Turn("prospect", f"{_speak_digits(phone[6:], (4,))}.")]
    # One digit of the last group said wrong: a digit that does not occur after it, so "not a <wrong>" names it.
    position = rng.randrange(6, 10)
    wrong = next(d for d in rng.sample("0123456789", 10) if d != phone[position] and d not in phone[position + 1:])
    said = phone[:position] + wrong + phone[position + 1:]
    return [ask, Turn("prospect", f"{email_sentence} My phone is {_speak_digits(said, (3, 3, 4))}. Sorry, that's "
                                  f"{_a(DIGITS[int(phone[position])])}, not {_a(DIGITS[int(wrong)])}.",
                      ["email", "phone"])]


def _spelling_hints(first: str, last: str) -> str:
    """What the caller adds to their name when it has a sound-alike spelling: " That's Sofia with an F." or ""."""
    hints = [f"{name} {SPELLING_HINTS[name]}" for name in (first, last) if name in SPELLING_HINTS]
    return f" That's {', and '.join(hints)}." if hints else ""


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _call_plan(rng: random.Random, three_parties: bool) -> tuple[list[Turn], dict[str, Any]]:
    """One sales call: each fact said in one of several realistic phrasings, with distractor numbers."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company, domain = rng.choice(COMPANIES)
    title = rng.choice(TITLES)
    budget_text, budget, currency, budget_low = rng.choice(BUDGETS)
    seats, seats_text = rng.choice(SEATS)
    employees, employees_text = rng.choice(EMPLOYEES)
    competitors = sorted(rng.sample(COMPETITORS, 2))
    tech = sorted(rng.sample(TECH, 2))
    pain = rng.choice(PAINS)
    close_sentence, close_date = _close_date(rng)
    phone = "415" + "".join(str(rng.randrange(10)) for _ in range(7))
    phone = phone[:3] + str(rng.randrange(2, 10)) + phone[4:]  # a valid NANP exchange
    email_said, email = _email(rng, first, last, domain)
    size_sentence, seat_unit = rng.choice(SIZE_SENTENCES)
    facts = {
        "first": first, "last": last, "company": company, "domain": domain, "title": title, "email": email,
        "phone": "+1" + phone, "budget": budget, "budget_low": budget_low, "currency": currency, "seats": seats,
        "seat_unit": seat_unit, "employees": employees, "competitors": competitors, "tech": tech, "pain": pain,
        "closedate": close_date,
    }
    first_tech, second_tech = tech if rng.random() < 0.5 else tech[::-1]
    turns = [
        Turn("rep", f"Hi, this is Maya from {SELLER_COMPANY}. Thanks for taking the time today."),
        Turn("prospect", rng.choice(INTRO_SENTENCES).format(first=first, last=last, title=title, company=company)
             + _spelling_hints(first, last), ["person", "company", "title"]),
        Turn("rep", "Great. What are you using today, and what is not working?"),
        Turn("prospect", rng.choice(TECH_SENTENCES).format(t0=first_tech, t1=second_tech, pain=pain) + " "
             + rng.choice(DISTRACTORS)),
        Turn("rep", "How big is the company, and how many people would need access?"),
        Turn("prospect", size_sentence.format(employees=employees_text, seats=seats_text), ["employees", "seats"]),
        Turn("rep", "Do you have a budget in mind?"),
        Turn("prospect", rng.choice(BUDGET_SENTENCES).format(budget=budget_text), ["budget"]),
        Turn("rep", "Are you looking at anyone else?"),
        Turn("prospect", rng.choice(COMPETITOR_SENTENCES).format(c0=competitors[0], c1=competitors[1]),
             ["competitors"]),
        Turn("rep", "When would you like to decide?"),
        Turn("prospect", close_sentence, ["closedate"]),
        *_contact_turns(rng, email_said, phone),
        Turn("rep", rng.choice(NEXT_STEPS)),
    ]
    if three_parties:
        turns.insert(6, Turn("colleague", "This is Alex from their IT team. Security review is a must for us."))
        turns.insert(7, Turn("rep", "Understood, Alex. We can share our security documents this week."))
    return turns, facts


# Words flite's letter-to-sound rules say as nobody does ("Jira" as "jh r ax", no vowel; "Pinecrest" as
# "p ih n k r ih s t", pin-crist), respelled for flite only, so that the audio says what a person says;
# the reference keeps the written word. espeak-ng says both right.
FLITE_RESPELLINGS = {"jira": "jeera", "pinecrest": "pine crest"}
_FLITE_RESPELLED = re.compile("|".join(FLITE_RESPELLINGS), re.IGNORECASE)


def flite_text(text: str) -> str:
    """`text` with the words flite mispronounces respelled, inside compounds too ("pinecrestbank")."""
    def respell(match: re.Match) -> str:
        spoken = FLITE_RESPELLINGS[match.group(0).lower()]
        return spoken.capitalize() if match.group(0)[0].isupper() else spoken
    return _FLITE_RESPELLED.sub(respell, text)


def _say(text: str, voice: str, work: Path, index: int) -> np.ndarray:
    """One turn as 16 kHz float samples, from flite (a flite voice) or espeak-ng."""
    raw, wav = work / f"raw{index}.wav", work / f"t{index}.wav"
    if voice.startswith("espeak"):
        subprocess.run(["espeak-ng", "-v", voice.split(":", 1)[1], "-s", "160", "-w", str(raw), text], check=True,
                       capture_output=True)
    else:
        subprocess.run(["flite", "-voice", voice, "-t", flite_text(text), "-o", str(raw)], check=True,
                       capture_output=True)
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

    money: dict[str, Any] = {"amount": facts["budget"], "currency": facts["currency"]}
    if facts["budget_low"] is not None:
        money["min"] = facts["budget_low"]
    entities = [
        entity("PERSON", "person", f"{facts['first']} {facts['last']}", f"{facts['first']} {facts['last']}"),
        entity("ORGANIZATION", "company", facts["company"], facts["company"]),
        entity("JOB_TITLE", "title", facts["title"], facts["title"]),
        entity("QUANTITY", "employees", {"value": facts["employees"], "unit": "employees"}, ""),
        entity("QUANTITY", "seats", {"value": facts["seats"], "unit": facts["seat_unit"]}, ""),
        entity("MONEY", "budget", money, ""),
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
        # Of a range ("between eighty and a hundred thousand") the ceiling; the policy sends a range to review.
        {"object": "deal", "field": "amount", "value": facts["budget"]},
        # The currency only when one is said ("fifty k" names none).
        *([{"object": "deal", "field": "deal_currency_code", "value": facts["currency"]}] if facts["currency"] else []),
        {"object": "deal", "field": "closedate", "value": facts["closedate"]},
        {"object": "deal", "field": "leadscribe_seats", "value": facts["seats"]},
        {"object": "deal", "field": "leadscribe_competitors", "value": facts["competitors"]},
        {"object": "deal", "field": "leadscribe_tech_stack", "value": facts["tech"]},
        {"object": "deal", "field": "leadscribe_pain_points", "value": [facts["pain"]]},
        {"object": "deal", "field": "leadscribe_next_step", "value": "(presence only)"},
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
            "reference_text": " ".join(p.text for p in placed), "speaker_text": [[p.speaker, p.text] for p in placed],
            "rttm": f"{name}.rttm", "rttm_uri": name,
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
