"""Stage `entities`: typed, normalised values from what was said, each tied to its words, speaker and role.

Finders, in order of trust: the custom vocabulary (the team said these names matter), rules for the forms a
sales call depends on (e-mail, phone, money, quantities, dates, job titles) and spaCy for the remaining names.
When two finders claim the same characters, the earlier one wins.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

import yaml

from leadscribe.schema import Call, Entity, Utterance
from leadscribe.understand.contacts import (CORRECTION_ATTEMPT, EXTENSION, FREE_MAIL, apply_correction, digit_runs,
                                            digit_said_wrong, extension_digits, find_emails, find_usernames,
                                            find_websites, to_e164)
from leadscribe.understand.dates import MONTHS, WEEKDAYS, call_date, resolve_date
from leadscribe.understand.introductions import TITLE_WORDS, employers, introductions
from leadscribe.understand.models import spacy_model
from leadscribe.understand.ner import recognise_doc
from leadscribe.understand.numbers import CURRENCY_SYMBOLS, CURRENCY_WORDS, NumberMention, find_numbers, tokenize
from leadscribe.understand.text import UtteranceText, combined_confidence, sentence_around, where_said
from leadscribe.understand.vocabulary import (CATEGORY_TYPES, CONFIDENT_HEARING, MIN_SIMILARITY_UNSURE,
                                              match_vocabulary, same_first_sound, similarity, squash)

SPACY_TYPES = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "GPE": "LOCATION", "LOC": "LOCATION"}
QUANTITY_UNITS = {"seat": "seats", "seats": "seats", "user": "users", "users": "users", "licence": "licences",
                  "licences": "licences", "license": "licences", "licenses": "licences", "employee": "employees",
                  "employees": "employees", "people": "employees", "staff": "employees", "location": "locations",
                  "locations": "locations", "site": "locations", "sites": "locations", "office": "locations",
                  "offices": "locations", "store": "locations", "stores": "locations", "region": "regions",
                  "regions": "regions", "reps": "users", "agents": "users"}
# Words that make a bare scaled number ("fifty k", "a quarter million") an amount of money.
MONEY_CUES = re.compile(r"\b(budget|spend|spending|price|pricing|cost|costs|pay|paying|invest|deal|contract|"
                        r"quote|approved|allocated|set aside|afford|annual|per year|a year|dollars?|euros?|"
                        r"pounds?)\b", re.I)
BUDGET_CUES = re.compile(r"\b(budget\w*|spend|set aside|approved|signed off|allocated)\b", re.I)
JOB_TITLE = re.compile(r"\b(?:i'?m|i\s+am|as|my\s+(?:title|role)\s+is|work\s+as)\s+(?:the\s+|a\s+|an\s+|our\s+)?"
                       r"(?P<title>(?:[a-z]+\s+){0,2}?" + TITLE_WORDS + r")\b", re.I)
# Whisper mishears "I'm the" as "in the" often enough to accept it right after a name ("David, in the head of",
# "Daniel Brown here, in the procurement manager").
TITLE_AFTER_NAME = re.compile(r"(?:,|\bhere)\s+in\s+the\s+(?P<title>(?:[a-z]+\s+){0,2}?" + TITLE_WORDS + r")\b", re.I)
DAY_OR_MONTH = r"(?:" + "|".join(WEEKDAYS + MONTHS) + r")\b"
# The self-introduction "I'm Daniel Walker, chief financial officer at Acme Logistics": a capitalised name, then a
# title, then "at/with/from" a capitalised company. The cue before the name is often lost or misheard ("Im",
# "in", "Sure, Emery a Miller head of operations at ..."), so the name-title-company shape is the evidence. A comma
# joins title and company as well in the spoken card "Daniel Garcia, Operations Manager, Acme Logistics".
TITLE_BETWEEN_NAME_AND_COMPANY = re.compile(
    r"\b(?!(?:our|my|their|your|his|her|the|we|they)\b)(?-i:[A-Z][a-z])[\w'-]*\s*,?\s+(?:the\s+)?"
    r"(?P<title>(?:(?!(?:a|an|the|our|my|their|your|his|her)\s)[A-Za-z]+\s+){0,2}?" + TITLE_WORDS + r")"
    r"(?:\s*,?\s+(?:at|with|from|for|here\s+at|over\s+at)\s+(?:the\s+)?[A-Z]"
    r"|\s*,\s+(?!" + DAY_OR_MONTH + r")(?-i:[A-Z]))", re.I)
# In a self-introduction, "the head of operations at Lakeside Clinics" is the speaker's title whatever verb Whisper
# heard before it ("my work has the head of ..." for "I work as the head of ..."). Weaker evidence than the cue
# patterns above, so it needs its sentence to hold a self-introduction and its own words heard clearly.
TITLE_AT_COMPANY = re.compile(r"\b(?:the|a|an)\s+(?P<title>(?:(?!(?:a|an|the)\s)[A-Za-z]+\s+){0,2}?" + TITLE_WORDS +
                              r")\s*,?\s+(?:at|with|from|for|here\s+at|over\s+at)\s+(?:the\s+)?[A-Z]", re.I)
TITLE_AT_COMPANY_CONFIDENCE = 0.75
# A name the speaker gave themself (`understand.introductions`).
SELF_INTRO_CONFIDENCE = 0.85
# A company a speaker says they work for: surely a company, but one hearing of a name nobody listed, whose spelling a
# person confirms unless the e-mail domain agrees (crm.agreement).
EMPLOYER_CONFIDENCE = 0.75
# How support lines greet with their own company's name: "welcome to Callytics", "thanks for contacting Callytics".
GREETING_WORDS = (r"welcome to|you'?ve reached|you have reached|thanks? (?:you )?for (?:calling|contacting|"
                  r"reaching out to|choosing)")
GREETING = re.compile(r"\b(?i:" + GREETING_WORDS + r")\s+(?P<company>[A-Z][\w&'-]*)")
# In a greeting slot a company name needs less resemblance to a listed one than a name heard anywhere else.
GREETED_SIMILARITY = 70.0
REPEATED_NAME_CONFIDENCE = 0.75
# How like a listed company's name an e-mail domain must be to be taken for it (0-100, vocabulary.similarity).
DOMAIN_SIMILARITY = 85.0
# An address the recogniser was unsure of needs less resemblance, as any listed name does (vocabulary.py):
# "pinecrestbent.com" heard at 0.6 for the listed Pinecrest Bank (84.6).
DOMAIN_SIMILARITY_UNSURE = MIN_SIMILARITY_UNSURE
LISTED_NAME_HEARING = 0.6
SPOKEN_OWN_NUMBER = re.compile(r"\b(phone|number|cell|mobile|reach me|call me|extension)\b", re.I)
PHONE_EXTRACTOR_CONFIDENCE = 0.9
AREA_CODE = re.compile(r"\barea\s+code\b", re.I)
# "Okay, go on." opening the other side's turn: the listener asks the speaker to go on dictating. Digits right
# after it in that turn are the dictating speaker's, which the diarizer gave to the listener with the prompt.
GO_ON_PROMPT = re.compile(r"^\W*(?:(?:ok(?:ay)?|yes|yeah|sure|right|got\s+it|go\s+on|go\s+ahead|mm-?hmm|uh-huh)\W+)*"
                          r"(?:go\s+on|go\s+ahead)\W*$", re.I)
# A number whose rest stands in the other speaker's turn is the diarizer's guess, for a person to check.
HANDED_OVER_PENALTY = 0.15
# A number read with a word that only sounds like a digit ("For 095.") is a guess at that digit: a person checks it.
HOMOPHONE_DIGIT_PENALTY = 0.2
# A currency word or symbol names one currency; only the hearing of that word can make it wrong.
CURRENCY_SAID_CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def known_products() -> tuple[str, ...]:
    text = resources.files("leadscribe.understand").joinpath("known_products.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["products"])


class EntityCollector:
    """Collects entities for one call, refusing overlaps on the same characters of the same utterance."""

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self.claimed: dict[int, list[tuple[int, int]]] = {}
        self.added = 0  # ids stay unique when an entity is withdrawn

    def add(self, ut: UtteranceText, kind: str, start: int, end: int, value: Any, confidence: float, source: str,
            allow_overlap: bool = False, hearing: Optional[float] = None) -> Optional[Entity]:
        """`hearing` is how clearly the value's own words were heard; by default the mean word probability."""
        claimed = self.claimed.setdefault(ut.utterance.id, [])
        if not allow_overlap and any(s < end and start < e for s, e in claimed):
            return None
        t0, t1 = ut.times(start, end)
        self.added += 1
        entity = Entity(id=f"e{self.added}", type=kind, text=ut.text[start:end], value=value,
                        start=t0, end=t1, utterance=ut.utterance.id, speaker=ut.utterance.speaker,
                        role=ut.utterance.role,
                        confidence=combined_confidence(confidence, ut.asr_confidence(start, end) if hearing is None
                                                       else hearing), source=source)
        self.entities.append(entity)
        claimed.append((start, end))
        return entity


def entities(call: Call, ctx) -> None:
    """Stage: fill `call.entities`."""
    utterances = call.transcription.utterances
    texts = [UtteranceText.of(u) for u in utterances]
    team_vocabulary = call.metadata.vocabulary or getattr(ctx.settings, "vocabulary", {}) or {}
    vocabulary = merged_vocabulary(team_vocabulary)
    listed = {term.lower() for terms in team_vocabulary.values() for term in terms}
    unlisted = frozenset(p for p in known_products() if p.lower() not in listed)
    seller_company = getattr(ctx.settings, "seller_company", None)
    if seller_company and seller_company.lower() not in {t.lower() for t in vocabulary.get("companies", [])}:
        # The team's own company name is a name it cares about: heard slightly wrong, it is still theirs.
        vocabulary["companies"] = [*vocabulary.get("companies", []), seller_company]
    today = call_date(call)
    collector = EntityCollector()
    nlp = spacy_model()
    docs = nlp.pipe([t.text for t in texts])
    for index, (ut, doc) in enumerate(zip(texts, docs)):
        find_emails_in(collector, ut, tuple(vocabulary.get("companies", [])))
        for found in find_usernames(ut.text):
            collector.add(ut, "USERNAME", found.start, found.end, found.value, found.confidence, "rules")
        find_vocabulary(collector, ut, vocabulary, unlisted)
        find_greeted_company(collector, ut, vocabulary.get("companies", []))
        find_job_titles(collector, ut, doc)
        find_self_introductions(collector, ut)
        find_money_and_quantities(collector, ut, question_answered(texts, index))
        find_dates(collector, ut, today)
        for span in recognise_doc(doc):
            if span.label in SPACY_TYPES:
                name = clean_name(span.text)
                start = span.start + max(0, span.text.find(name))
                collector.add(ut, SPACY_TYPES[span.label], start, start + len(name), name, span.confidence,
                              "spacy")
    find_websites_in(collector, texts, tuple(vocabulary.get("companies", [])))
    find_phones(collector, texts, ctx.settings.phone_region)
    find_repeated_names(collector, texts)
    call.entities = sorted(collector.entities, key=lambda e: (e.start or 0.0, e.id))


def merged_vocabulary(vocabulary: dict[str, list[str]]) -> dict[str, list[str]]:
    """The call's vocabulary plus the product catalogue (products the team did not list are still products)."""
    merged = {k: list(v) for k, v in vocabulary.items()}
    listed = {term.lower() for terms in vocabulary.values() for term in terms}
    merged.setdefault("products", [])
    merged["products"] += [p for p in known_products() if p.lower() not in listed]
    return merged


# A hesitation Whisper writes before a name it was unsure of, which spaCy takes into the name ("mm Novak",
# "mm-turner"): no one's name holds it.
NAME_FILLER = r"(?:h?m{2,}|uh+)(?:\s+|-)"


def clean_name(text: str) -> str:
    text = re.sub(r"^(?:(?:this|that|the|is|hi|hey|dear)\s+|" + NAME_FILLER + ")", "", text.strip(" ,.?!"),
                  flags=re.I)
    return re.sub(r"(?:'s|’s)$", "", text)


def domain_scorer(companies: tuple[str, ...], named: frozenset[str] = frozenset()):
    """How well a domain name matches a company: 1 for a listed company's name run together ("orbitretail") or a
    company's named in the call (squashed in `named`), its similarity for a near-miss of a listed one, else 0."""
    known = {squash(company) for company in companies} | named

    def company_domain(label: str) -> float:
        if label in known:
            return 1.0
        corrected = listed_company_domain(f"x@{label}.com", companies)
        return corrected[1] if corrected else 0.0

    return company_domain


def find_emails_in(collector: EntityCollector, ut: UtteranceText, companies: tuple[str, ...] = ()) -> None:
    for found in find_emails(ut.text, domain_scorer(companies) if companies else None):
        value, source, confidence = found.value, "rules", found.confidence
        sure = ut.asr_confidence(found.start, found.end) >= CONFIDENT_HEARING
        corrected = listed_company_domain(value, companies, DOMAIN_SIMILARITY if sure else DOMAIN_SIMILARITY_UNSURE)
        if corrected is not None:
            # "blueharbourfoods.com" for the listed Blue Harbor Foods: a near-miss of a name the team listed, as
            # sure as the resemblance; the CRM policy shows a person what was heard.
            value, similarity_score = corrected
            source, confidence = "vocabulary", confidence * similarity_score
        collector.add(ut, "EMAIL", found.start, found.end, value, confidence, source)


def find_websites_in(collector: EntityCollector, texts: list[UtteranceText], companies: tuple[str, ...]) -> None:
    """WEBSITE entities: a domain said outside an address, spelled as a listed company's when it is a near-miss of
    one. Run once every utterance is read, so that a company named anywhere in the call (an ORGANIZATION entity) is
    known; the words of the domain then stop counting as a mention of the company, which they only spell."""
    company_domain = domain_scorer(companies, frozenset(
        squash(e.value) for e in collector.entities if e.type == "ORGANIZATION" and squash(e.value)))
    for ut in texts:
        for found in find_websites(ut.text, company_domain):
            t0, t1 = ut.times(found.start, found.end)
            if any(e.type == "EMAIL" and e.utterance == ut.utterance.id and e.start < t1 and t0 < e.end
                   for e in collector.entities):
                continue  # the domain of an address found whole
            value, source, confidence = found.value, "rules", found.confidence
            corrected = listed_company_domain(f"x@{value}", companies)
            if corrected is not None:
                value, source = corrected[0].split("@")[1], "vocabulary"
            collector.add(ut, "WEBSITE", found.start, found.end, value, confidence, source, allow_overlap=True)
            collector.entities = [e for e in collector.entities if not (
                e.type == "ORGANIZATION" and e.utterance == ut.utterance.id and t0 <= e.start and e.end <= t1)]


def listed_company_domain(email: str, companies: tuple[str, ...],
                          least: float = DOMAIN_SIMILARITY) -> Optional[tuple[str, float]]:
    """The address with its domain's name spelled as a listed company's ("maria@blueharbourfoods.com" ->
    "maria@blueharborfoods.com") when the heard one is a near-miss of it by spelling or sound (a similarity of
    `least` or more), else None."""
    local, _, domain = email.partition("@")
    label, _, tld = domain.rpartition(".")
    if not label or "." in label or domain in FREE_MAIL:
        return None
    best = None
    for company in companies:
        wanted = squash(company)
        if not wanted or wanted == label:
            return None  # heard as a listed company's name: nothing to correct
        score = 100.0 if label in repeated_word_spellings(company) else similarity(label, wanted)
        if score >= least and same_first_sound(label, wanted) and (best is None or score > best[1]):
            best = (wanted, score)
    return (f"{local}@{best[0]}.{tld}", best[1] / 100.0) if best else None


def repeated_word_spellings(company: str) -> set[str]:
    """The company's name run together with one of its words said twice ("Redwood Insurance Insurance.com" ->
    "redwoodinsuranceinsurance"): Whisper repeats a word where the audio holds it once, and the domain read from
    such a hearing is the company's."""
    words = [squash(word) for word in company.split() if squash(word)]
    return {"".join(words[:i + 1] + words[i:]) for i in range(len(words))} if len(words) > 1 else set()


def find_vocabulary(collector: EntityCollector, ut: UtteranceText, vocabulary: dict[str, list[str]],
                    unlisted: frozenset[str] = frozenset()) -> None:
    """Listed names heard in the utterance, exactly or as near-misses. `unlisted`: catalogue products the team
    did not list, which only an exact hearing or a capitalised near-miss finds: a lower-case near-miss of
    one is most often the ordinary word Whisper heard ("looked" is not Looker, "double" is not Tableau)."""
    for match in match_vocabulary(ut.text, vocabulary, ut.asr_confidence):
        if match.term in unlisted and match.similarity < 1.0 and match.heard == match.heard.lower():
            continue
        kind = CATEGORY_TYPES.get(match.category, "PRODUCT" if match.category == "products" else "ORGANIZATION")
        # An exact hearing of a listed name is as sure as the words; a correction is as sure as its similarity.
        # Whisper spreads a rare name's probability over its spellings ("Gong" at 0.3 when right), so a name heard
        # exactly as the team wrote it, capitals included, leans on the listing more than on that probability
        # (measured: every exact, same-case hearing of a listed name in the synthetic calls was said).
        # Whisper often writes a later word of a name lower-case ("Lakeside clinics"): a hearing that starts with
        # the capital and matches letter for letter otherwise is as exact. A lower-case start ("slack", "excel") may
        # be the ordinary word and gets no such lean.
        hearing = None
        if match.heard == match.term or (match.heard[:1].isupper() and " " in match.term and
                                         match.heard.lower() == match.term.lower()):
            hearing = LISTED_NAME_HEARING + (1 - LISTED_NAME_HEARING) * ut.asr_confidence(match.start, match.end)
        collector.add(ut, kind, match.start, match.end, match.term, 0.95 * match.similarity, "vocabulary",
                      hearing=hearing)


def find_self_introductions(collector: EntityCollector, ut: UtteranceText) -> None:
    """The names speakers give themselves, and the companies they say they work for (before spaCy, which reads
    unfamiliar company names as people or places)."""
    for introduction in introductions(ut.text):
        start = introduction.start
        collector.add(ut, "PERSON", start, start + len(introduction.name), introduction.name, SELF_INTRO_CONFIDENCE,
                      "rules")
    for start, company in employers(ut.text):
        collector.add(ut, "ORGANIZATION", start, start + len(company), company, EMPLOYER_CONFIDENCE, "rules")


def find_greeted_company(collector: EntityCollector, ut: UtteranceText, companies: list[str]) -> None:
    """"Hello and welcome to Colisex": the name a support line greets with is a company's, so a listed company
    that sounds like it (same first sound, GREETED_SIMILARITY) is taken for it. Outside such a greeting the
    ordinary vocabulary thresholds apply."""
    for match in GREETING.finditer(ut.text):
        heard = match.group("company")
        best = max(((similarity(heard, term), term) for term in companies if same_first_sound(heard, term)),
                   default=(0.0, ""))
        if best[0] >= GREETED_SIMILARITY:
            start = match.start("company")
            collector.add(ut, "ORGANIZATION", start, start + len(heard), best[1], 0.95 * best[0] / 100.0,
                          "vocabulary")


def find_repeated_names(collector: EntityCollector, texts: list[UtteranceText]) -> None:
    """A person's name found once is a name wherever it is said again in the call ("Have a good day Emily"),
    where the statistical recogniser may miss it in a short or unusual sentence."""
    names: dict[str, Entity] = {}
    for entity in collector.entities:
        if entity.type == "PERSON" and str(entity.value).lower() not in spacy_model().Defaults.stop_words and \
                re.fullmatch(r"[A-Z][\w'-]+(?: [A-Z][\w'-]+)?", str(entity.value)):
            names.setdefault(str(entity.value), entity)
    for name, found in names.items():
        pattern = re.compile(rf"(?<![\w'-]){re.escape(name)}(?![\w'-])")
        for ut in texts:
            for match in pattern.finditer(ut.text):
                # The confidence of the recogniser's own finding; the new mention's words are heard on their own.
                collector.add(ut, "PERSON", match.start(), match.end(), name,
                              REPEATED_NAME_CONFIDENCE, "rules")


def find_job_titles(collector: EntityCollector, ut: UtteranceText, doc=None) -> None:
    people = [(e.start_char, name_end(e)) for e in doc.ents if e.label_ == "PERSON"] if doc is not None else []
    for pattern in (JOB_TITLE, TITLE_AFTER_NAME, TITLE_BETWEEN_NAME_AND_COMPANY):
        for match in pattern.finditer(ut.text):
            title, start = without_leading_name(match.group("title"), match.start("title"))
            # "David Novak Procurement Manager at ...": the words spaCy reads as the person's name are not the title.
            for person_start, person_end in people:
                if person_start <= start < person_end and start + len(title) > person_end:
                    cut = len(ut.text[person_end:start + len(title)]) - len(ut.text[person_end:start + len(title)]
                                                                            .lstrip(" ,"))
                    title, start = ut.text[person_end + cut:start + len(title)], person_end + cut
            if not TITLE_HEAD.search(title):
                continue
            title, start = with_department_letters(ut.text, title, start)
            collector.add(ut, "JOB_TITLE", start, start + len(title), normalise_title(title), 0.8, "rules")
    for match in TITLE_AT_COMPANY.finditer(ut.text):
        sentence_start, sentence_end = sentence_around(ut.text, match.start(), match.end())
        sentence = ut.text[sentence_start:sentence_end]
        if not introductions(sentence):
            continue
        title, start = without_leading_name(match.group("title"), match.start("title"))
        if TITLE_HEAD.search(title):
            collector.add(ut, "JOB_TITLE", start, start + len(title), normalise_title(title),
                          TITLE_AT_COMPANY_CONFIDENCE, "rules", hearing=ut.weakest_hearing(start, start + len(title)))


# A department said as letters ("IT", "HR"), which Whisper may write as a word that starts a sentence ("Maria
# Miller. It director over at ..."), where the name-title-company shape takes it for the end of the name.
DEPARTMENT_LETTERS = re.compile(r"\b(?P<letters>it|hr)\s+$", re.I)
# The titles such a department comes before.
DEPARTMENT_HEADS = re.compile(r"^(?:director|manager|lead|administrator|specialist|engineer|analyst)\b", re.I)


def with_department_letters(text: str, title: str, start: int) -> tuple[str, int]:
    """The title with the department letters said right before it ("It" + "director" -> "It director"), which
    the title patterns left out; the title as found otherwise. "It" followed by "director" is no English but
    "IT director"."""
    before = DEPARTMENT_LETTERS.search(text[:start])
    if before is None or not DEPARTMENT_HEADS.match(title):
        return title, start
    return text[before.start("letters"):start + len(title)], before.start("letters")


def name_end(person) -> int:
    """Where a spaCy PERSON span's name ends: "Thomas Schmidt Procurement" ends before the department word that
    starts the title ("Procurement Manager")."""
    tokens = list(person)
    while len(tokens) > 1 and tokens[-1].text.lower() in DEPARTMENT_WORDS | TITLE_HEAD_WORDS:
        tokens.pop()
    return tokens[-1].idx + len(tokens[-1].text)


DEPARTMENT_WORDS = {"procurement", "operations", "finance", "sales", "marketing", "engineering", "it", "product",
                    "hr", "purchasing", "customer", "success", "support", "security", "data", "analytics", "revenue",
                    "people", "legal", "technology", "information", "business", "development", "senior", "junior"}
TITLE_HEAD_WORDS = {"chief", "head", "vp", "vice", "president", "director", "manager", "lead", "officer"}
# Words that make a title a title: a remainder without one ("of sales") is not a title.
TITLE_HEAD = re.compile(r"\b(?:chief|head|vp|vice|president|director|manager|lead|engineer|analyst|administrator|"
                        r"coordinator|specialist|consultant|executive|architect|representative|controller|officer|"
                        r"ceo|cto|cfo|coo|cio|cmo|founder|co-founder|owner)\b", re.I)


TITLE_LEAD_JOINERS = {"and", "or", "but"}


def without_leading_name(title: str, start: int) -> tuple[str, int]:
    """"Lee procurement manager" -> "procurement manager", "and Vice President of Sales" -> "Vice President of
    Sales": in a lower-case title, a leading capitalised word is the end of the person's name (the comma after a
    name is often not written), and a leading joiner starts no title. A capitalised title word ("Vice President
    of Sales", "Director of Finance") is the title itself."""
    def without_first_word(title: str, start: int) -> tuple[str, int]:
        words = title.split()
        at = title.index(words[1], len(words[0]))
        return title[at:], start + at

    # "Preach and Vice President of Sales": a joiner between the name and the title starts no title.
    while len(words := title.split()) > 1 and words[0].lower() in TITLE_LEAD_JOINERS:
        title, start = without_first_word(title, start)
    while len(words := title.split()) > 1 and re.fullmatch(r"[A-Z][a-z'-]+", words[0]) \
            and any(w.islower() for w in words[1:]) and not TITLE_HEAD.fullmatch(words[0]):
        title, start = without_first_word(title, start)
    return title, start


# Short forms said as letters keep their capitals ("IT director", "VP of sales"); Whisper may write them lower-case.
TITLE_ACRONYMS = {"it", "vp", "svp", "evp", "hr", "ceo", "cto", "cfo", "coo", "cio", "cmo", "cro", "cso", "qa", "ux"}


def normalise_title(title: str) -> str:
    """Lower case, but short forms in capitals and a word written with a capital inside as said ("RevOps")."""
    words = title.split()
    return " ".join(w.upper() if w.lower() in TITLE_ACRONYMS else w if re.search(r"[a-z][A-Z]", w) else w.lower()
                    for w in words)


def question_answered(texts: list[UtteranceText], index: int) -> str:
    """The question the utterance answers: the last sentence of the turn before, when another speaker said it and
    it asks something ("Do you have a budget in mind?"), else ""."""
    if index == 0 or texts[index - 1].utterance.speaker == texts[index].utterance.speaker:
        return ""
    before = texts[index - 1].text.rstrip()
    if not before.endswith("?"):
        return ""
    start, end = sentence_around(before, len(before) - 1, len(before) - 1)
    return before[start:end + 1]


def find_money_and_quantities(collector: EntityCollector, ut: UtteranceText, question: str = "") -> None:
    """Amounts and counts with their units. `question` is what the utterance answers: a scaled number in the
    answer's first sentence reads as the question asks ("Do you have a budget in mind?" / "About 50k.")."""
    text = ut.text
    first_sentence_end = sentence_around(text, 0, 0)[1]
    # "a 50-person company": the number read apart from its unit, the hyphen a space so places in `text` hold.
    for number in find_numbers(SIZE_HYPHEN.sub(" ", text)):
        if number.percent:
            continue
        unit = unit_after(text, number.end) or headcount_before(text, number)
        if unit is not None and (number.currency is None or symbol_only_currency(number)):
            unit_name, unit_end = unit
            if re.search(r"\bpeople\b", text[number.end:unit_end], re.I):
                unit_name = whose_people(text[:number.start])
                if unit_name is None:
                    continue
            if number.value >= 1 and number.value == int(number.value):
                # The number and its unit word are the value ("5,000 employees"); the rest of the sentence is not.
                # A range ("75 to 100 licences") keeps its lower end, as a money range does.
                quantity: dict[str, Any] = {"value": int(number.value), "unit": unit_name}
                if number.low is not None and number.low == int(number.low):
                    quantity["min"] = int(number.low)
                collector.add(ut, "QUANTITY", number.start, unit_end, quantity, 0.85, "rules",
                              hearing=ut.weakest_hearing(number.start, unit_end))
            continue
        asked = question if number.start < first_sentence_end else ""
        if is_money(text, number, asked):
            value: dict[str, Any] = {"amount": tidy(number.value), "currency": number.currency}
            if number.low is not None:
                value["min"] = tidy(number.low)
            collector.add(ut, "MONEY", number.start, number.end, value,
                          0.9 if number.currency or budget_said(text, number, asked) else 0.7, "rules",
                          # The currency word is its own hearing, scored for the currency (currency_confidence).
                          hearing=ut.weakest_hearing(number.start, number.end, CURRENCY_WORDS))


# "a booking for eight people", "a demo for 5 people": the people something is for are a party, not the company's
# staff; after a seat word ("licences for 50 people") they are its users.
FOR_PEOPLE = re.compile(r"\bfor\s+(?:about\s+|around\s+|roughly\s+|maybe\s+|up\s+to\s+)?$", re.I)
SEAT_WORDS = re.compile(r"\b(?:seats?|licen[cs]es?|accounts?|logins?|subscriptions?|users?)\b", re.I)
SEAT_WORD_REACH_CHARS = 40


def whose_people(before: str) -> Optional[str]:
    """The unit of a count of "people", from the words before the number: "employees" ("we have 200 people"),
    "users" ("licences for 50 people"), or None for a party something is for ("a booking for eight people")."""
    if not FOR_PEOPLE.search(before):
        return "employees"
    return "users" if SEAT_WORDS.search(before[-SEAT_WORD_REACH_CHARS:]) else None


def symbol_only_currency(number: NumberMention) -> bool:
    """"$1200 staff": a currency sign with no currency word, right before a head-count unit. A count of people or
    seats is no amount; Whisper writes a "$" before numbers it reads as money (seen: "about twelve hundred staff"
    written "$1200 staff")."""
    return bool(number.words) and number.words[0][:1] in CURRENCY_SYMBOLS and \
        not any(w in CURRENCY_WORDS for w in number.words)


# A company's size said as its kind: "a 50-person company", "a 1,200 employee business".
SIZE_HYPHEN = re.compile(r"(?<=\w)-(?=(?:person|people|employee)\b)", re.I)
COMPANY_SIZE = re.compile(r"[\s-]+(?:person|people|employee)\s+(?:company|business|firm|organi[sz]ation|startup|"
                          r"agency|shop|manufacturer|retailer|bank|practice)\b", re.I)
# "a headcount of about 450", "our headcount is 450".
HEADCOUNT_BEFORE = re.compile(r"\bhead\s*-?count\s+(?:is\s+|of\s+)?(?:about\s+|around\s+|roughly\s+|"
                              r"(?:just\s+)?(?:over|under)\s+)?$", re.I)


def unit_after(text: str, end: int) -> Optional[tuple[str, int]]:
    """A quantity unit right after a number, allowing one adjective ("250 named users", "300 full-time staff"),
    or a company's size ("a 50-person company")."""
    size = COMPANY_SIZE.match(text[end:])
    if size:
        return "employees", end + size.end()
    for pattern in (r"\s+([a-z]+)", r"\s+[a-z-]+\s+([a-z]+)"):
        match = re.match(pattern, text[end:], re.I)
        if match and match.group(1).lower() in QUANTITY_UNITS:
            return QUANTITY_UNITS[match.group(1).lower()], end + match.end()
    return None


def headcount_before(text: str, number: NumberMention) -> Optional[tuple[str, int]]:
    """"a headcount of about 450": the count is of employees, the unit said before the number."""
    return ("employees", number.end) if HEADCOUNT_BEFORE.search(text[:number.start]) else None


def is_money(text: str, number: NumberMention, asked: str = "") -> bool:
    """An amount only with a currency, or a scaled number said in a money sentence ("budget is fifty k") or in
    answer to a question about money (`asked`: "What's the budget?" / "Around 50k.").

    Bare numbers ("three outages", "our 2019 migration") never are.
    """
    if number.currency:
        return True
    if not number.scale_word or number.value < 1000:
        return False
    start, end = sentence_around(text, number.start, number.end)
    return bool(MONEY_CUES.search(text[start:end]) or MONEY_CUES.search(asked))


def budget_said(text: str, number: NumberMention, asked: str = "") -> bool:
    """Whether the number's own sentence, or the question it answers, calls it the budget or money spent ("our
    budget is fifty k", "we can spend two hundred k", "Do you have a budget in mind?" / "50k"): then a scaled number
    is an amount as surely as one with a currency word."""
    start, end = sentence_around(text, number.start, number.end)
    return number.scale_word and bool(BUDGET_CUES.search(text[start:end]) or BUDGET_CUES.search(asked))


def currency_confidence(call: Call, money: Entity) -> float:
    """How sure the currency of a MONEY entity is, from the currency word or symbol itself ("euros", "£").

    The amount's digits and the currency are separate hearings: "120,000" may be unsure while "pounds" is clear.
    Without a currency said or written the entity's own confidence stands.
    """
    place = where_said(call, money) if isinstance(money.value, dict) and money.value.get("currency") else None
    if place is None:
        return money.confidence
    ut, offset = place
    for token in tokenize(money.text):
        if token.text in CURRENCY_WORDS or token.text[:1] in CURRENCY_SYMBOLS:
            hearing = ut.weakest_hearing(offset + token.start, offset + token.end)
            return combined_confidence(CURRENCY_SAID_CONFIDENCE, hearing)
    return money.confidence


def tidy(value: float) -> float | int:
    return int(value) if value == int(value) else round(value, 2)


# Dates said without a year are the next to come ("by March") unless the sentence tells of the past ("we renewed in
# March", "we had a renewal on January 5th"): then the last one gone.
YEARLESS_KINDS = {"explicit", "day_of_month", "month", "week_of_month", "mid_month"}
YEAR_SAID = re.compile(r"\b(?:1[89]|20)\d\d\b|\btwenty\b|\bthousand\b", re.I)
CLAUSE_JOINER = re.compile(r",|;|\b(?:and|but|so)\b", re.I)
PAST_TENSE = re.compile(r"\b(?:had|was|were|did|signed|renewed|went|started|launched|bought|ended|happened|moved|"
                        r"switched|migrated|rolled\s+out|expired|closed)\b", re.I)
# ... except where the past names a plan for the date ("the go-live was pushed to March", "it was scheduled for June").
PLANNED_FOR = re.compile(r"\b(?:scheduled|planned|pushed|postponed|delayed|due|expected|set|booked)\b|"
                         r"\b(?:to|for|until|till)\s+(?:the\s+)?$|^(?:by|before|until|till)\b", re.I)


def find_dates(collector: EntityCollector, ut: UtteranceText, today) -> None:
    position = 0
    while position < len(ut.text):
        found = resolve_date(ut.text[position:], today)
        if found is None:
            break
        start, end = position + found.start, position + found.end
        day = found.date
        sentence_start, _ = sentence_around(ut.text, start, end)
        clause = CLAUSE_JOINER.split(ut.text[sentence_start:start])[-1]
        if found.kind in YEARLESS_KINDS and day > today and not YEAR_SAID.search(ut.text[start:end]) and \
                PAST_TENSE.search(clause) and not PLANNED_FOR.search(clause) and \
                not PLANNED_FOR.search(ut.text[start:end]):
            day = last_gone(day, today)
        collector.add(ut, "DATE", start, end, day.isoformat(), found.reading_confidence, "rules",
                      hearing=ut.weakest_hearing(start, end))
        position = end


def last_gone(day: date, today: date) -> date:
    """`day` (the next to come of a date said without its year) a year earlier, when that one is past."""
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # February 29th
        return day
    return earlier if earlier <= today else day


def find_phones(collector: EntityCollector, texts: list[UtteranceText], region: str = "US") -> None:
    """Phone numbers, allowing a number finished in the same speaker's next turn and a correction after it.

    Read twice: as written, then with the words that sound like digits ("415 for 1.8") read as digits; the second
    reading only adds a number that needs them, at a lower confidence (HOMOPHONE_DIGIT_PENALTY). A number without
    its country code is read as a national number of `region` (ISO 3166)."""
    for homophones in (False, True):
        find_phones_read(collector, texts, homophones, region)


def find_phones_read(collector: EntityCollector, texts: list[UtteranceText], homophones: bool, region: str) -> None:
    def whole_number(digits: str, plus: bool) -> Optional[str]:
        """The number in E.164, or None while digits are missing (`contacts.to_e164`)."""
        return to_e164(digits, plus, region)

    used: set[tuple[int, int]] = set()
    for index, ut in enumerate(texts):
        for run in digit_runs(ut.text, homophones):
            if (index, run.start) in used:
                continue
            digits, plus, confidence = run.digits, run.plus, PHONE_EXTRACTOR_CONFIDENCE
            guessed = run.guessed
            pieces = [(ut, run.start, run.end)]
            ends_turn = not ut.text[run.end:].strip(" ,.-")  # nothing said after these digits in this turn
            following = next_turn_of(texts, index)
            later = next_run_nearby(ut.text, run, homophones)
            if whole_number(digits, plus) is None and later is not None and \
                    AREA_CODE.search(ut.text[run.end:later.start]) and whole_number(later.digits + digits, plus):
                # "555 0134, area code 415": the area code said last still dials first.
                digits = later.digits + digits
                used.add((index, later.start))
                pieces[0] = (ut, run.start, later.end)
            elif whole_number(digits, plus) is None and later is not None and \
                    whole_number(digits + later.digits, plus):
                # "415458. go on. 4197.": the rest of the number after a word from the other side that Whisper
                # left in this turn, or a filler ("uh").
                digits += later.digits
                guessed |= later.guessed
                used.add((index, later.start))
                pieces[0] = (ut, run.start, later.end)
                confidence -= 0.1
            if whole_number(digits, plus) is None and following is not None:
                continuation = [r for r in digit_runs(following.text, homophones) if r.start < 3]
                if continuation and whole_number(digits + continuation[0].digits, plus):
                    digits += continuation[0].digits
                    guessed |= continuation[0].guessed
                    used.add((texts.index(following), continuation[0].start))
                    pieces.append((following, continuation[0].start, continuation[0].end))
                    # Joined across turns: sure when the first part ended its turn and the rest opens the next
                    # ("... six eight eight," / "go on" / "five four two one"), likely otherwise.
                    confidence -= 0.03 if ends_turn else 0.1
            if whole_number(digits, plus) is None and index + 1 < len(texts) and ends_turn:
                # "... my phone is 415203." | other side: "Okay, go on. 4855.": the rest after the listener's prompt.
                listener = texts[index + 1]
                rest = next((r for r in digit_runs(listener.text, homophones)
                             if GO_ON_PROMPT.match(listener.text[:r.start])), None)
                if listener.utterance.speaker != ut.utterance.speaker and rest is not None and \
                        whole_number(digits + rest.digits, plus):
                    digits += rest.digits
                    guessed |= rest.guessed
                    used.add((index + 1, rest.start))
                    pieces.append((listener, rest.start, rest.end))
                    confidence -= HANDED_OVER_PENALTY
            # A correction said right after the number ("... zero one nine two. Sorry, a four, not a five") or in
            # the speaker's next turn.
            last_ut, _, last_end = pieces[-1]
            known_wrong = False
            for said_after in (correction_tail(texts, last_ut, last_end),
                               following.text if following is not None else ""):
                corrected = apply_correction(digits, said_after) if said_after else None
                if corrected is not None:
                    # "a four, not a five" names one digit only when the number holds one five.
                    wrong = next(a for a, b in zip(digits, corrected) if a != b)
                    digits, confidence = corrected, confidence - (0.03 if corrected.count(wrong) == 0 else 0.15)
                    break
                attempted = said_after[:CORRECTION_READ_CHARS]
                if attempted and CORRECTION_ATTEMPT.search(attempted):
                    # "Sorry, that's in it. Not a seven.": a correction was said but not heard well enough to apply.
                    # When it names a digit of the number as wrong, the number as heard is known to be wrong and is
                    # no value to propose: the CRM stage asks a person to take it from the recording.
                    known_wrong = digit_said_wrong(digits, attempted) is not None
                    confidence -= 0.25
                    break
            if known_wrong or (homophones and not guessed):
                continue  # (the first reading took every number that needs no word read as a digit)
            if guessed:
                confidence -= HOMOPHONE_DIGIT_PENALTY
            number = whole_number(digits, plus)
            if number is None or not (SPOKEN_OWN_NUMBER.search(ut.text) or len(digits) >= 10):
                continue
            last_ut, last_start, last_end = pieces[-1]
            extension = EXTENSION.match(last_ut.text, last_end)
            if extension:  # "415-555-0192, extension 23": the line the caller answers on is part of the number
                number = f"{number} ext. {extension_digits(extension.group('ext'))}"
                pieces[-1] = (last_ut, last_start, extension.end())
            first_ut, start, end = pieces[0]
            entity = collector.add(first_ut, "PHONE", start, end, number, confidence, "rules",
                                   hearing=hearing_of_pieces(pieces))
            if entity is not None and len(pieces) > 1:
                last_ut, _, last_end = pieces[-1]
                entity.end = last_ut.times(0, last_end)[1]
                entity.text = f"{entity.text} … {last_ut.text[:last_end]}"


# How much of the next utterance may finish a correction cut at a turn's end.
CORRECTION_REACH_CHARS = 30
# How far after a number a correction of it is looked for.
CORRECTION_READ_CHARS = 80


def correction_tail(texts: list[UtteranceText], ut: UtteranceText, end: int) -> str:
    """What was said after a number in its turn, run on into the next utterance when the turn stops mid-sentence:
    the diarization may hand the end of "Sorry, that's a 6, | not a 0." to the other side, whose turn it opens."""
    tail = ut.text[end:]
    index = texts.index(ut)
    if tail.strip() and not tail.rstrip().endswith((".", "?", "!")) and index + 1 < len(texts):
        tail += " " + texts[index + 1].text[:CORRECTION_REACH_CHARS]
    return tail


# Words that may stand between two parts of one dictated number in one turn.
NUMBER_GAP_WORDS = 3


def hearing_of_pieces(pieces: list[tuple[UtteranceText, int, int]]) -> Optional[float]:
    """The mean word probability over every piece of a number: a rest said in another turn ("Okay, go on" /
    "5600.") is as much of the number as its first digits. None when the pieces hold no words."""
    heard = [ut.utterance.words[i].confidence for ut, start, end in pieces for i in ut.word_indices(start, end)]
    return sum(heard) / len(heard) if heard else None


def next_run_nearby(text: str, run, homophones: bool = False) -> Optional[Any]:
    """The next run of dictated digits in `text` after `run`, if at most NUMBER_GAP_WORDS words lie between."""
    for later in digit_runs(text, homophones):
        if later.start > run.end:
            between = re.findall(r"[A-Za-z']+", text[run.end:later.start])
            return later if len(between) <= NUMBER_GAP_WORDS and not re.search(r"\d", text[run.end:later.start]) \
                else None
    return None


def next_turn_of(texts: list[UtteranceText], index: int) -> Optional[UtteranceText]:
    """The same speaker's next utterance, if it comes within the next two turns."""
    speaker = texts[index].utterance.speaker
    for ut in texts[index + 1:index + 3]:
        if ut.utterance.speaker == speaker:
            return ut
    return None


def entities_of(call: Call, kind: str, utterance: Optional[Utterance] = None) -> list[Entity]:
    return [e for e in call.entities if e.type == kind and (utterance is None or e.utterance == utterance.id)]
