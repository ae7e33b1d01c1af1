"""Stage `crm`: proposes CRM field values from entities and signals, as a declarative YAML mapping says
(default_mapping.yaml, or the file named by the `crm_mapping` setting), and lets the policy decide each one."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import jellyfish
import yaml

from leadscribe.crm.agreement import (company_confirms_domain, confirming, domain_label, noisy_or,
                                      read_back_otherwise, repeated_values)
from leadscribe.crm.policy import Candidate, Seller, decide, effective_role, find_seller, utterance_text
from leadscribe.errors import LeadscribeError
from leadscribe.schema import Call, Crm, CrmField, Entity, format_time
from leadscribe.understand.contacts import (ADDRESS_ASKED, CORRECTION_ATTEMPT, FREE_MAIL, NUMBER_ASKED, Found,
                                            find_unread_addresses, find_unread_numbers)
from leadscribe.understand.entities import currency_confidence, entities_of
from leadscribe.understand.introductions import TITLE_WORDS
from leadscribe.understand.models import is_word
from leadscribe.understand.name_spelling import (PAIRED_MISSPELLING_EDITS, answered_spellings, is_common_name,
                                                 is_known_name, misspelled_name, name_part, rival_spellings,
                                                 sound_key, spelling_confirmed)
from leadscribe.understand.text import UtteranceText, where_said
from leadscribe.understand.vocabulary import squash

OWNER_OBJECTS = {"contact", "company"}
CONTACT_NAME_FIELDS = ("firstname", "lastname")
# Values a second mention confirms: an amount, a count or a phone number said twice, or read back by the other
# side ("So that's 415-555-0192?"). (A currency said twice with other amounts confirms neither amount, so
# `currency` fields are left out.)
REPEATABLE_TYPES = {"MONEY", "QUANTITY", "PHONE"}
# How much a spelling being a common name with one common spelling (census lists) says for a heard name, as a
# second opinion combined by noisy-OR: a made-up or misheard word ("Dottorner", "Optimus") gets none of it.
KNOWN_NAME_EVIDENCE = 0.25
# What a contact gives of themself: whoever of the prospect's side says these is the contact's voice.
CONTACT_DETAILS = {"JOB_TITLE", "ORGANIZATION", "EMAIL", "PHONE"}
# What is left of an e-mail's confidence when its local part agrees with no name heard in the call.
DISAGREEMENT_FACTOR = 0.5


class MappingError(LeadscribeError):
    code = "invalid_crm_mapping"


def load_mapping(path: Optional[Path] = None) -> dict[str, Any]:
    try:
        if path is None:
            text = resources.files("leadscribe.crm").joinpath("default_mapping.yaml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        mapping = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read CRM mapping {path}: {exc}") from None
    if not isinstance(mapping, dict) or not isinstance(mapping.get("fields"), list):
        raise MappingError(f"CRM mapping {path or 'default'} needs a `fields` list")
    return mapping


def crm(call: Call, ctx) -> None:
    """Stage: fill `call.crm.fields`."""
    mapping = load_mapping(getattr(ctx.settings, "crm_mapping", None))
    call.crm = Crm(fields=propose_fields(call, mapping, getattr(ctx.settings, "seller_company", None)))


def propose_fields(call: Call, mapping: dict[str, Any], seller_company: Optional[str] = None) -> list:
    seller = find_seller(call, seller_company)
    defaults = mapping.get("defaults", {})
    fields, auto_thresholds = [], {}
    for spec in mapping["fields"]:
        auto = float(spec.get("auto", defaults.get("auto", 0.8)))
        candidates = reheard_checked(call, corroborated(call, spec, candidates_for(call, spec, seller), seller))
        decided = decide(spec["object"], spec["field"], candidates, auto,
                         float(spec.get("review", defaults.get("review", 0.35))))
        if decided is None and spec.get("flag_unread") and spec.get("type") in UNREAD_FINDERS:
            decided = unread_value(call, spec, seller)
        if decided is not None:
            fields.append(decided)
            auto_thresholds[(decided.object, decided.field)] = auto
    write_addresses_spelled_as_written_names(call, fields, auto_thresholds, seller)
    return fields


def write_addresses_spelled_as_written_names(call: Call, fields: list[CrmField],
                                             auto_thresholds: dict[tuple[str, str], float], seller: Seller) -> None:
    """An address held back only because words of it were respelled as the contact's name ("prea.turner@" heard,
    "priya.turner@" proposed after "Priya Turner") is written when every word of its local part is a name the CRM
    gets written anyway (contact first or last name, auto), at the address's own auto threshold. The letters
    changed rest on the hearing that wrote the name: if the name is right, so are they."""
    written = {str(f.value).lower() for f in fields if f.object == "contact" and f.field in CONTACT_NAME_FIELDS
               and f.decision == "auto"}
    by_id = {e.id: e for e in call.entities}
    for field in fields:
        auto = auto_thresholds.get((field.object, field.field))
        # The address itself, of the entities behind the field (the others confirmed its domain).
        address = next((by_id[i] for i in field.entity_ids if i in by_id and by_id[i].type == "EMAIL"), None)
        if field.decision != "review" or auto is None or field.confidence < auto or address is None:
            continue
        respelled_as, why = respelled_email(call, address, seller)
        words = local_parts(respelled_as)
        if why and field.reason == why and respelled_as == field.value and \
                spells_written_names(local_parts(address.value), words, written):
            field.decision = "auto"
            field.reason = f"{why}; {', '.join(dict.fromkeys(w.capitalize() for w in words if w))} written as " \
                           f"the contact's name, confidence {field.confidence:.2f} >= {auto:.2f}"


def spells_written_names(heard: list[str], respelled: list[str], written: set[str]) -> bool:
    """Whether every word of a respelled local part is a name written to the CRM (`written`, lower-case), and each
    word kept as `heard` a known name: an unfamiliar word in the address and in the name is one mishearing written
    twice ("Walker" heard as "Water" in both), not a name confirmed."""
    pairs = [(word, was) for word, was in zip(respelled, heard) if word]
    return bool(pairs) and len(heard) == len(respelled) and all(
        word in written and (word != was.lower() or is_known_name(word)) for word, was in pairs)


# How much of what follows an unread number its reason quotes, when that is a correction of it.
CORRECTION_SHOWN_CHARS = 60
# What each kind of contact detail is called in a reason, the finder of one given but not read, and the question
# that asks for it (an answer to it may give it as "it's ...").
UNREAD_FINDERS = {"EMAIL": ("an address", find_unread_addresses, ADDRESS_ASKED),
                  "PHONE": ("a number", find_unread_numbers, NUMBER_ASKED)}


def unread_value(call: Call, spec: dict[str, Any], seller: Seller) -> Optional[CrmField]:
    """A review item without a value where the prospect gave an e-mail address or a phone number and none could be
    read from what Whisper wrote ("the associated email is www.buniamin.com", "my phone is 415-19-5457"): the
    contact has a detail the CRM does not, and a person can take it from the recording. The rep's own is not the
    contact's."""
    kind = spec["type"]
    called, find_unread, question = UNREAD_FINDERS[kind]
    turns = call.transcription.utterances
    for position, utterance in enumerate(turns):
        if effective_role(utterance.role, utterance.speaker, seller) == "rep":
            continue
        before = turns[position - 1] if position else None
        asked = before is not None and before.speaker != utterance.speaker and bool(question.search(before.text))
        ut = UtteranceText.of(utterance)
        # A number joined across turns ("415203 … 4855") stands nowhere whole: its turn counts as read.
        read = [Found(at, at + len(e.text), str(e.value), e.confidence) if at >= 0 else
                Found(0, len(ut.text), str(e.value), e.confidence)
                for e in entities_of(call, kind, utterance) for at in [ut.locate(e.text, e.start)]]
        for heard in find_unread(ut.text, read, asked):
            said_at = ut.times(heard.start, heard.end)[0]
            # A number read whole but then corrected in words that could not be read is shown with the correction.
            said_after = ut.text[heard.end:heard.end + CORRECTION_SHOWN_CHARS].strip(" .,")
            correction = f", then '{said_after}'" if kind == "PHONE" and CORRECTION_ATTEMPT.match(said_after) else ""
            return CrmField(object=spec["object"], field=spec["field"], value=None, confidence=0.0,
                            decision="review", reason=f"{called} was given at {format_time(said_at)} but could not be "
                                                      f"read (heard as '{heard.value}'{correction}): take it from the "
                                                      f"recording")
    return None


def corroborated(call: Call, spec: dict[str, Any], candidates: list[Candidate], seller: Seller) -> list[Candidate]:
    """Candidates whose value a second, independent hearing confirms get the combined confidence (agreement.py):
    the company and its e-mail domain; an amount or a count said again in another turn."""
    def owned(entity: Entity) -> bool:
        return seller.owns(entity) or effective_role(entity.role, entity.speaker, seller) == "rep"

    by_id = {e.id: e for e in call.entities}
    field = (spec["object"], spec["field"])
    for candidate in candidates:
        own = [by_id[i] for i in candidate.entity_ids if i in by_id]
        # A name and the e-mail spelled from it are not independent: both are one hearing of a sound, and a
        # homophone ("Fisher"/"Fischer", "Sophia"/"Sofia") agrees with itself. Only the company's spelling, which
        # the team's vocabulary fixes, confirms what the domain was heard as.
        if spec["source"] == "entity" and spec["type"] in REPEATABLE_TYPES and spec.get("value") != "currency":
            # The same amount or head count said again elsewhere in the call ("so, 5,000 employees?" / "yes") is a
            # second hearing of other audio; a different value said again is a conflict the policy already shows.
            witnesses = repeated_values(call, own, spec.get("value"))
        elif field == ("company", "domain"):
            witnesses = confirming(call, "ORGANIZATION", lambda c: company_confirms_domain(c, str(candidate.value)),
                                   owned)
            named = [e for e in call.entities if e.type == "ORGANIZATION" and not owned(e)]
            if not witnesses and named and candidate.note == "":
                # "justdannualatagvalogistics.com" after "Acme Logistics": a domain that does not spell the company
                # the prospect named may be misheard (or the company's other name): a person checks it.
                candidate.confidence = round(candidate.confidence * DISAGREEMENT_FACTOR, 4)
                candidate.note = f"the domain does not spell the company named ('{named[0].value}')"
        elif field == ("contact", "email"):
            # The address agrees with the name and the company said at other moments of the call: "julia.walker@
            # redwoodinsurance.com" after "Julia Walker ... at Redwood Insurance". (A sound-alike spelling in the
            # address is sent to review by its note whatever agrees with it.)
            # The name must agree: a domain that agrees says nothing of the part before the @ ("dottfisher@").
            elsewhere = [e for e in call.entities if not owned(e) and all(e.utterance != o.utterance for o in own)]
            people = [e for e in elsewhere if e.type == "PERSON" and email_spells_name(str(candidate.value),
                                                                                        str(e.value))]
            witnesses = people + [e for e in elsewhere if people and e.type == "ORGANIZATION" and
                                  company_confirms_domain(e, str(candidate.value))]
            # The rep reading the address back, or the prospect saying it again, is a second hearing of it.
            witnesses += repeated_values(call, own, None)
            full_names = [str(e.value) for e in elsewhere if e.type == "PERSON" and len(str(e.value).split()) >= 2]
            if not people and full_names and all(email_contradicts_name(str(candidate.value), n) for n in full_names):
                # "dottfisher@" after "David Fischer", "anew@" after "Anna Brown": a personal address that matches
                # no name heard was most likely misheard; it keeps DISAGREEMENT_FACTOR of its confidence.
                candidate.confidence = round(candidate.confidence * DISAGREEMENT_FACTOR, 4)
                candidate.note = candidate.note or f"the address agrees with no name heard ('{full_names[0]}')"
        elif field == ("company", "name"):
            witnesses = [witness for kind in ("EMAIL", "WEBSITE") for witness in
                         confirming(call, kind, lambda m: any(company_confirms_domain(o, str(m.value)) for o in own),
                                    owned)]
            rival = other_company_in_domain(call, candidate, owned)
            if not witnesses and rival and not candidate.note:
                # "Acme Logistics" (both words at probability 0.0: the hotword list leaking into the text) and
                # "anna.turner@summitfreight.com": two hearings name two of the team's accounts; one is wrong.
                candidate.note = f"the prospect's e-mail domain names another company ('{rival}')"
        else:
            continue
        if field in {("contact", "phone"), ("contact", "email")} and not candidate.note:
            misread = [e for e in read_back_otherwise(call, own) if not seller.owns(e)]
            if misread:
                candidate.note = f"read back otherwise ('{misread[0].value}'): check which is right"
        for witness in {w.id: w for w in witnesses if w.id not in candidate.entity_ids}.values():
            candidate.confidence = noisy_or(candidate.confidence, witness.confidence)
            candidate.entity_ids.append(witness.id)
    return candidates


def other_company_in_domain(call: Call, candidate: Candidate, owned) -> str:
    """A company the team lists, or the prospect's side named, whose name the prospect's e-mail domain spells,
    when it is not the candidate ("summitfreight.com" against "Acme Logistics"); "" when there is none."""
    named = [str(e.value) for e in call.entities if e.type == "ORGANIZATION" and not owned(e)]
    companies = [*(call.metadata.vocabulary or {}).get("companies", []), *named]
    for email in confirming(call, "EMAIL", lambda m: str(m.value).split("@")[-1] not in FREE_MAIL, owned):
        label = domain_label(str(email.value))
        for company in companies:
            if squash(company) == label and squash(company) != squash(candidate.value):
                return company
    return ""


def local_parts(address: object) -> list[str]:
    """The parts of an address's local part, split where dots, underscores and hyphens join them
    ("laura.patel@orbitretail.com" -> ["laura", "patel"]); a local part alone reads the same."""
    return re.split(r"[._-]", str(address).split("@")[0])


def email_spells_name(email: str, name: str) -> bool:
    """Whether the address's local part is the whole of a full name, in order ("julia.walker@" and "Julia Walker").
    Not "laura.petel@" for "Laura Patel", and not a part of the name alone ("miller@", "julia@"): a word of the
    address may have been lost ("emma underscore miller" heard as "miller")."""
    words = [w for w in local_parts(email) if w]
    names = [w.lower() for w in name.split()]
    return len(names) >= 2 and words == names


# Addresses of a role or a team, not of a person: they need not spell anyone's name.
ROLE_MAILBOXES = {"info", "sales", "contact", "admin", "office", "support", "hello", "team", "accounts", "billing",
                  "finance", "it", "hr", "procurement", "purchasing", "marketing", "ops", "operations", "help"}


def email_contradicts_name(email: str, name: str) -> bool:
    """Whether a personal address's local part agrees with no part of `name` in any usual form: a name word
    (spelled alike or sounding alike), first initial plus last name ("jwalker"), first name plus last initial
    ("juliaw"), or the full name run together. Role mailboxes ("sales@") and digits-only parts contradict nothing."""
    local = email.split("@")[0].lower()
    words = [w for w in local_parts(local) if w]
    names = [w.lower() for w in name.split() if w.isalpha()]
    if not words or not names or any(w in ROLE_MAILBOXES or not w.isalpha() for w in words):
        return False
    first, last = names[0], names[-1]
    forms = {first[0] + last, first + last[0], first + last, last + first, last + first[0]}
    if re.sub(r"[._-]", "", local) in forms:
        return False
    keys = {sound_key(n) for n in names}
    return not any(w in names or sound_key(w) in keys for w in words)


def unverified_email_spelling(call: Call, email: str, seller: Seller) -> str:
    """A reason for review when a word of the address's local part is a name whose sound has another common
    spelling ("david.schmitt@" / Schmidt) that the prospect did not spell out letter by letter."""
    said = prospect_said(call, seller)
    for word in local_parts(email):
        if len(word) < 3 or spelling_confirmed(word, said) == word.capitalize():
            continue
        rivals = rival_spellings(word, name_part(word))
        if rivals:
            return f"'{word}' in the address sounds like '{rivals[0].lower()}' too: the spelling was not spelled out"
    return ""


def corrected_unconfirmed(call: Call, email: Entity, seller: Seller) -> bool:
    """Whether the domain of an address (or a website) was corrected to a listed company (entity source
    "vocabulary") that the prospect's side did not name, heard as listed, at another moment of the call.
    "BlueHarbour Foods.com" spelled "blueharborfoods.com" after the prospect said "Blue Harbor Foods" rests on two
    hearings of the listed name; a domain corrected towards a company nobody named rests on the correction alone."""
    if email.source != "vocabulary":
        return False
    return not any(e.type == "ORGANIZATION" and e.utterance != email.utterance and not seller.owns(e)
                   and effective_role(e.role, e.speaker, seller) != "rep" and squash(e.text) == squash(e.value)
                   and company_confirms_domain(e, str(email.value)) for e in call.entities)


def respell_by_partner(pieces: list[str], respelled: list[str], people: list[list[str]]) -> None:
    """In a two-word local part where one word is one of a person's names as heard ("johnson", Priya Johnson), the
    other word, left as heard, is respelled as that person's other name when it is a further misspelling of it
    ("preo" -> "priya"; PAIRED_MISSPELLING_EDITS): the address is that person's, so the word can only be theirs."""
    words = [i for i, piece in enumerate(pieces) if piece not in "._-"]
    if len(words) != 2:
        return
    for mine, partner in (words, words[::-1]):
        if respelled[mine] != pieces[mine].lower():
            continue  # already respelled, or confirmed as spelled
        for person in people:
            lowered = [name.lower() for name in person]
            if respelled[partner] in lowered:
                others = [name for name in person if name.lower() != respelled[partner]]
                match = misspelled_name(pieces[mine], others, PAIRED_MISSPELLING_EDITS)
                if match:
                    respelled[mine] = match.lower()
                    break


def respelled_email(call: Call, email: Entity, seller: Seller) -> tuple[str, str]:
    """The address with each word of its local part that is a misspelling of a name the prospect's side said
    elsewhere in the call spelled as that name ("laura.potel@" after "Laura Patel": laura.patel@), and the reason
    a person must check it; the address as heard and "" when nothing was respelled. The name heard in a sentence
    is the better hearing of the sound, but it is still a guess at letters nobody spelled out."""
    value = str(email.value)
    local, _, domain = value.partition("@")
    people = [str(e.value).split() for e in call.entities if e.type == "PERSON" and e.utterance != email.utterance
              and not seller.owns(e) and effective_role(e.role, e.speaker, seller) != "rep"]
    names = [word for person in people for word in person]
    said = prospect_said(call, seller)
    pieces = re.split(r"([._-])", local)
    # A name whose spelling the caller gave ("Sofia with an F") is spelled so in the address too: "sophia" in
    # the address is Whisper's spelling of the sound, heard again.
    confirmed = [spelling_confirmed(piece, said) if len(piece) > 2 and piece.isalpha() else None for piece in pieces]
    respelled = [(confirmed_as or misspelled_name(piece, names) or piece).lower() if piece not in "._-" else piece
                 for piece, confirmed_as in zip(pieces, confirmed)]
    respell_by_partner(pieces, respelled, people)
    if respelled == pieces:
        return value, ""
    new_value = "".join(respelled) + "@" + domain
    how = "as the caller spelled the name" if any(confirmed) else "as the name heard in the call"
    return new_value, f"the address was heard as '{value}' and respelled {how}"


# Amounts and counts, which Whisper may hear as other numbers of the same form ("$10 million" for "half a million"):
# said in a sentence it did not follow, they are guesses, however sure it was of the digits. Names and phone
# numbers have checks of their own (spelling, dictation), and right ones are often said in a garbled introduction
# (mean 0.46-0.53 on the synthetic calls).
SENTENCE_CHECKED_TYPES = {"MONEY", "QUANTITY"}


def said_in_unclear_sentence(call: Call, entity: Entity) -> str:
    """Why a person must check a number: the other words of the sentence it was said in were heard at a mean
    probability under UNCLEAR_SENTENCE; "" when they were not, or when the entity stands in no one sentence."""
    place = where_said(call, entity)
    if place is None:
        return ""
    ut, at = place
    mean = ut.unclear_sentence(at, at + len(entity.text))
    if mean is None:
        return ""
    return f"the sentence '{entity.text}' was said in was barely heard (mean word confidence {mean:.2f}): " \
           f"check the number in the recording"


def entity_candidate(entity: Entity, value: Any, seller: Seller, note: str = "",
                     confidence: Optional[float] = None) -> Candidate:
    return Candidate(value=value, confidence=entity.confidence if confidence is None else confidence,
                     role=effective_role(entity.role, entity.speaker, seller), entity_ids=[entity.id], note=note)


def reheard_checked(call: Call, candidates: list[Candidate]) -> list[Candidate]:
    """A value whose words Whisper heard only on a second decode of speech it had skipped goes to review: that audio
    was hard for it once ("415-960-5851" for "four one five, nine six two, ..." in a skipped turn). A value also
    heard on the first pass (the company named in the introduction, and again in a re-decoded address) is not."""
    by_id = {e.id: e for e in call.entities}

    def reheard_only(candidate: Candidate) -> list:
        spans = [reheard_words(call, by_id[i]) for i in candidate.entity_ids if i in by_id]
        return spans[0] if spans and all(spans) else []

    reheard = {id(c): reheard_only(c) for c in candidates}
    first_pass_values = {repr(c.value).lower() for c in candidates if not reheard[id(c)]}
    for candidate in candidates:
        words = reheard[id(candidate)]
        if words and not candidate.note and repr(candidate.value).lower() not in first_pass_values:
            candidate.note = f"heard only when speech Whisper had skipped was decoded again (" \
                             f"{words[0].start:.1f}-{words[-1].end:.1f} s): check it in the recording"
    return candidates


def reheard_words(call: Call, entity: Entity) -> list:
    """The words of the entity's span that Whisper heard only on a second decode (Word.reheard)."""
    place = where_said(call, entity)
    if place is None:
        return []
    ut, at = place
    return [ut.utterance.words[i] for i in ut.word_indices(at, at + len(entity.text))
            if ut.utterance.words[i].reheard]


def candidates_for(call: Call, spec: dict[str, Any], seller: Seller) -> list[Candidate]:
    source = spec["source"]
    if source == "entity" and spec["type"] == "ORGANIZATION" and spec["object"] == "company":
        return the_employer(call, entity_candidates(call, spec, seller), seller)
    if source == "entity":
        return entity_candidates(call, spec, seller)
    if source == "person":
        return person_candidates(call, spec, seller)
    if source in {"company_domain", "email_domain"}:  # email_domain: the name older mapping files use
        found = []
        for entity in call.entities:
            if entity.type in {"EMAIL", "WEBSITE"} and not seller.owns(entity):
                domain = str(entity.value).split("@")[-1]
                if domain not in FREE_MAIL:
                    note = ("spelled as the listed company, heard otherwise"
                            if corrected_unconfirmed(call, entity, seller) else "")
                    found.append(entity_candidate(entity, domain, seller, note))
        return found
    if source == "timeline":
        timeline = call.signals.timeline
        if timeline is None or not timeline.detail.get("date"):
            return []
        # The classifier picked the sentence that states the buying timeline; whether the date in it is right is
        # the date entity's to say (how unambiguous the phrase is, how clearly its words were heard).
        date = next((e for e in call.entities if e.id == timeline.detail.get("entity_id")), None)
        return [Candidate(timeline.detail["date"], date.confidence if date is not None else timeline.confidence,
                          effective_role(timeline.role, timeline.speaker, seller),
                          [date.id] if date is not None else [])]
    if source == "signals":
        return signal_candidates(call, spec, seller)
    if source == "summary":
        return [Candidate(call.summary.text, 1.0, "prospect")] if call.summary.text else []
    raise MappingError(f"unknown source {source!r} for field {spec.get('field')}")


SMALLEST_DEAL_AMOUNT = 1000


def entity_candidates(call: Call, spec: dict[str, Any], seller: Seller) -> list[Candidate]:
    units = spec.get("unit")
    units = [units] if isinstance(units, str) else units
    key = spec.get("value")
    found = []
    for entity in call.entities:
        if entity.type != spec["type"]:
            continue
        if units and (not isinstance(entity.value, dict) or entity.value.get("unit") not in units):
            continue
        if spec["object"] in OWNER_OBJECTS and (seller.owns(entity) or
                                                (entity.type in {"EMAIL", "PHONE", "JOB_TITLE", "USERNAME"} and
                                                 effective_role(entity.role, entity.speaker, seller) == "rep")):
            continue
        value = entity.value.get(key) if key and isinstance(entity.value, dict) else entity.value
        if spec.get("as") == "int" and value is not None:
            value = int(value)
        note = ""
        if entity.type == "EMAIL":
            value, note = respelled_email(call, entity, seller)
            if not note and corrected_unconfirmed(call, entity, seller):
                note = f"the domain was heard as '{entity.text}' and spelled as the listed company"
            elif not note:
                note = unverified_email_spelling(call, str(value), seller)
        if entity.type == "JOB_TITLE":
            invented = [w for w in str(value).split() if not is_word(w)]
            department = TITLE_DEPARTMENT.search(str(value))
            if invented:  # "imtomiscent procurement manager": a title is made of words, so one was misheard
                note = f"{', '.join(map(repr, invented))} in the title is no word we know"
            elif department and not known_department(department.group("department")):
                note = f"'{department.group('department')}' in the title is no department we know"
        # Which end of a range is the deal amount, or the seat count, is for a person; a money range's currency is
        # said once for both ends.
        if isinstance(entity.value, dict) and "min" in entity.value and key != "currency":
            upper = entity.value.get("amount", entity.value.get("value"))
            note = f"a range was said ({entity.value['min']}–{upper}): pick the value"
        # A budget under SMALLEST_DEAL_AMOUNT is a price (per seat, per month) or a lost "k"/"thousand" ("fifty k"
        # written "$50."), and the currency that came with it is as doubtful.
        if entity.type == "MONEY" and isinstance(entity.value, dict) and \
                (entity.value.get("amount") or 0) < SMALLEST_DEAL_AMOUNT:
            note = f"an amount of {entity.value.get('amount')} is too small for a deal's budget: check what was said"
        if not note and entity.type in SENTENCE_CHECKED_TYPES and key != "currency":
            note = said_in_unclear_sentence(call, entity)
        # The currency is its own hearing ("pounds" clear while "120,000" is not), so it has its own confidence.
        confidence = currency_confidence(call, entity) if entity.type == "MONEY" and key == "currency" else None
        found.append(entity_candidate(entity, value, seller, note, confidence))
    return found


# What a title is head of ("director of finance"): a department or region Whisper may mishear as a word that is none
# ("vice president of zales"), which the invented-word check above lets through.
TITLE_DEPARTMENT = re.compile(r"\b(?:of|for)\s+(?P<department>[a-z]+(?:\s+[a-z]+)?)$", re.I)
DEPARTMENTS = {"account", "accounting", "accounts", "administration", "ai", "analytics", "applications",
               "architecture", "audit", "benefits", "brand", "business", "channel", "clinical", "cloud",
               "communications", "compliance", "content", "corporate", "customer", "data", "demand", "design",
               "development", "devops", "digital", "education", "engineering", "enterprise", "facilities", "field",
               "finance", "global", "growth", "hr", "human", "information", "infrastructure", "innovation",
               "internal", "investor", "it", "learning", "legal", "logistics", "manufacturing", "marketing", "ml",
               "network", "nursing", "operations", "partner", "partnerships", "payroll", "people", "platform",
               "platforms", "procurement", "product", "products", "purchasing", "quality", "recruiting", "research",
               "revenue", "revops", "risk", "sales", "salesops", "security", "service", "services", "software",
               "strategy", "supply", "support", "systems", "talent", "tax", "technology", "training",
               "transformation", "treasury",
               # and the regions a title may be for ("VP of EMEA", "director for North America")
               "americas", "apac", "asia", "emea", "europe", "international", "latam", "north", "south", "east",
               "west", "central", "us", "uk"}


def known_department(phrase: str) -> bool:
    """Whether what a title is "of" starts as a department or a region does ("finance", "customer success", "EMEA")."""
    return phrase.split()[0].lower() in DEPARTMENTS


def person_candidates(call: Call, spec: dict[str, Any], seller: Seller) -> list[Candidate]:
    """The prospect's name; a first name the prospect gives completes to the full name someone else said
    ("Is this David Chen?" / "Yes, this is David")."""
    people = [e for e in call.entities if e.type == "PERSON" and not seller.owns(e) and len(str(e.value)) > 1]
    full_names = [e for e in people if len(str(e.value).split()) >= 2]
    found = []
    for entity in people:
        name = str(entity.value)
        role = effective_role(entity.role, entity.speaker, seller)
        if role == "rep" and not rep_names_someone(call, entity):
            # "I'll send over pricing to Maro" ("tomorrow"), "Booker Demo" ("book a demo"): a name the rep says
            # neither to someone nor asking for them is a word spaCy took for a name, not the contact's name.
            continue
        confidence = entity.confidence
        ids = [entity.id]
        if len(name.split()) == 1:
            # "Emery a Miller ..." / "maria.miller@", or "I'm a Miller here" for "Anna Miller here" ("Miller" is a
            # common last name and no common first name): the one name heard is the last name.
            if is_emails_last_name(call, name, seller) or \
                    (is_common_name(name, "last") and not is_common_name(name, "first")):
                if spec["part"] == "last":
                    found.append(name_candidate(call, name, "last", confidence, role, ids, seller))
                continue
            completion = next((f for f in full_names if str(f.value).split()[0].lower() == name.lower()), None)
            if completion is None and spec["part"] == "last":
                continue
            if completion is not None:
                name, ids = str(completion.value), [entity.id, completion.id]
                confidence = min(0.95, max(confidence, completion.confidence) + 0.1)  # two people agree
        parts = name.split()
        value = parts[0] if spec["part"] == "first" else " ".join(parts[1:])
        candidate = name_candidate(call, value, spec["part"], confidence, role, ids, seller)
        if spec["part"] == "first" and not candidate.note:
            candidate.note = split_first_name(call, entity)
        found.append(candidate)
    return the_contact(call, found, seller)


# "Sure, Emery a Fisher, chief financial officer at ..." for "Sure, I'm Maria Fisher": Whisper split a first name
# ending in "a" (with the "I'm" before it) into another name and an "a" before the surname.
SPLIT_BEFORE_SURNAME = re.compile(r"\s+a\s+(?-i:[A-Z][a-z])")


def split_first_name(call: Call, name: Entity) -> str:
    """A reason for review when a first name heard alone is followed by a lone "a" and a capitalised word: the
    first name said may have been split there, and the name heard is not it."""
    place = where_said(call, name)
    if place is None or len(str(name.value).split()) != 1:
        return ""
    ut, at = place
    if not SPLIT_BEFORE_SURNAME.match(ut.text, at + len(name.text)):
        return ""
    return f"'{name.text} a' was heard before the surname: the first name may have been split ('Emery a' for 'Maria')"


def name_candidate(call: Call, value: str, part: str, confidence: float, role: str, ids: list[str],
                   seller: Seller) -> Candidate:
    """One part of the prospect's name, its spelling checked (verified_spelling) and its confidence raised by
    independent agreement: a spelling that is a common name with no sound-alike rival (census lists), and the
    prospect's e-mail holding the same spelling, heard at another moment of the call. Agreement cannot settle a
    sound-alike spelling ("sophia.miller@" agrees with "Sophia" because both are one sound), so such a name stays
    for review whatever agrees with it."""
    spelled = name_in_email(call, value, part, ids, seller)
    if spelled is not None:
        # No other check applies: the value is the address's spelling, and a person confirms it.
        return Candidate(value=spelled, confidence=confidence, role=role, entity_ids=list(ids),
                         note=f"'{value}' was heard, which is no common name; the e-mail spells it '{spelled.lower()}'")
    value, note, told = verified_spelling(call, value, part, seller)
    if not told:  # a spelling the caller gave is not doubted by the address, which only heard the sound again
        note = spelled_otherwise(call, value, seller) or note or everyday_word_for_a_name(value, part)
    ids = list(ids)
    # The address agrees only for a known name: one recogniser hearing an unfamiliar sound twice writes the same
    # word twice ("Walker" heard as "Water" in the name and in "thomas.water@"), so for a word that is no common
    # name the two hearings are not independent.
    if not note and value and all(is_common_name(word, part) for word in value.split()):
        confidence = noisy_or(confidence, KNOWN_NAME_EVIDENCE)
        for email in prospect_emails(call, seller):
            if email.id not in ids and value.lower() in local_parts(email.value):
                confidence = noisy_or(confidence, email.confidence)
                ids.append(email.id)
    return Candidate(value=value, confidence=confidence, role=role, entity_ids=ids, note=note)


# A word used this often in English (Zipf scale: more than about 30 times per million words; "water" 5.5,
# "number" 5.6, "lord" 5.1, "Priya" 2.9, "Gupta" 3.4) is an everyday word.
EVERYDAY_ZIPF = 4.5


def everyday_word_for_a_name(value: str, part: str) -> str:
    """A reason for review when the name heard is an everyday English word and no common name ("Water" for
    Walker, "Number" for Chen): Whisper writes a word it knows for a name it does not, and the same word each time
    it hears the name, so hearing it twice proves nothing. A rare word ("Bunyamin", "Gupta") or a common name that
    is also a word ("Baker", "Rose", "Young") is not doubted here."""
    from wordfreq import zipf_frequency

    words = value.split()
    if not words or all(is_common_name(word, part) for word in words) or \
            not all(zipf_frequency(word, "en") >= EVERYDAY_ZIPF for word in words):
        return ""
    return f"'{value}' is an everyday word and no common name: the name may have been heard wrong"


def name_in_email(call: Call, value: str, part: str, ids: list[str], seller: Seller) -> Optional[str]:
    """The prospect's e-mail's spelling of this part of the name, when the heard word is no common name and the
    address is this person's (its other part is the other part of the name heard) and spells this part as a
    common name: "Thomas Water" heard, "thomas.walker@" said. Whisper heard an unfamiliar sound as a word in one
    place and as a name in the other; the name is the likelier spelling, but it sounds different, so it is for a
    person to confirm (respelled_email is the reverse case: the address misspells a name heard in a sentence)."""
    full = next((str(e.value).split() for e in call.entities if e.id in ids and len(str(e.value).split()) == 2), None)
    if full is None or is_common_name(value, part):
        return None
    other_part = full[1 if part == "first" else 0].lower()
    for local in prospect_email_locals(call, seller):
        pieces = local_parts(local)
        if len(pieces) != 2:
            continue
        this, other = (pieces[0], pieces[1]) if part == "first" else (pieces[1], pieces[0])
        if other == other_part and this != value.lower() and is_common_name(this, part):
            return this.capitalize()
    return None


def verified_spelling(call: Call, name: str, part: str, seller: Seller) -> tuple[str, str, bool]:
    """The name as the prospect spelled it, if they did (letter by letter, "Sofia, S-O-F-I-A", or by a letter
    that tells its spellings apart, "Sofia with an F"), with no doubt left; otherwise the name as heard and, when
    another common spelling sounds the same ("Sophia"/"Sofia", "Fisher"/"Fischer"), a reason for a person to check
    which one is theirs. The e-mail said aloud is no check: it is another hearing of the same sound. The third
    item says whether the caller gave the spelling."""
    confirmed = spelling_confirmed(name, prospect_said(call, seller), part)
    if confirmed is not None:
        return confirmed, "", True
    rivals = rival_spellings(name, "first" if part == "first" else "last")
    if rivals:
        shown = "', '".join(rivals[:3])
        return name, f"'{name}' sounds like '{shown}' too: the spelling was not spelled out", False
    return name, "", False


def prospect_said(call: Call, seller: Seller) -> list[str]:
    """Where the prospect's side may have given a spelling: the text of each of its utterances, and what it
    answered to a spelling question of the rep's just before ("Is that Sofia with an F?" / "Yes.")."""
    said, question = [], ""
    for utterance in call.transcription.utterances:
        if effective_role(utterance.role, utterance.speaker, seller) == "rep":
            question = utterance.text
            continue
        said += [utterance.text, *answered_spellings(question, utterance.text)]
        question = ""
    return said


def prospect_emails(call: Call, seller: Seller) -> list[Entity]:
    """Every e-mail the prospect's side gave (the seller's own and the rep's left out)."""
    return [e for e in call.entities
            if e.type == "EMAIL" and not seller.owns(e) and effective_role(e.role, e.speaker, seller) != "rep"]


def prospect_email_locals(call: Call, seller: Seller) -> list[str]:
    """The part before the @ of every e-mail the prospect's side gave."""
    return [str(e.value).split("@")[0] for e in prospect_emails(call, seller)]


def is_emails_last_name(call: Call, name: str, seller: Seller) -> bool:
    """Whether the prospect's e-mail reads first.last with `name` as the last part ("maria.miller@...")."""
    for local in prospect_email_locals(call, seller):
        parts = re.split(r"[._]", local)
        if len(parts) == 2 and parts[1] == name.lower() and parts[0] != name.lower():
            return True
    return False


def spelled_otherwise(call: Call, name: str, seller: Seller) -> str:
    """A reason for review when the prospect's e-mail spells a name that sounds like `name` another way
    ("Sophia" said, "sofia.miller@..." spelled): which spelling is theirs is for a person to check."""
    key = jellyfish.metaphone(name)
    for local in prospect_email_locals(call, seller):
        for part in local_parts(local):
            # A part that is no common name ("potel" for Patel) is a misspelling of the sound, not another spelling
            # someone could have; the address is respelled from the name (respelled_email), not the reverse.
            if len(part) > 2 and part != name.lower() and jellyfish.metaphone(part) == key and \
                    misspelled_name(part, [name]) is None:
                return f"the e-mail spells it '{part}'"
    return ""


def the_contact(call: Call, found: list[Candidate], seller: Seller) -> list[Candidate]:
    """Of several people on the prospect's side ("This is Alex from their IT team"), the contact is the one whose
    name the prospect's e-mail spells, else the one who introduced themself with a title, else with a company.
    Without such evidence every name stays, and the policy shows the conflict."""
    by_id = {e.id: e for e in call.entities}

    def person_id(candidate: Candidate) -> str:
        # The last PERSON entity of a candidate is the name it was made from (an agreeing e-mail may follow it).
        return [i for i in candidate.entity_ids if i in by_id and by_id[i].type == "PERSON"][-1]

    names = {person_id(c): str(by_id[person_id(c)].value) for c in found}
    if len({n.lower() for n in names.values()}) < 2:
        return [spoken_by_the_contact(call, c, by_id[person_id(c)], seller) for c in found]
    local_parts = [squash(local) for local in prospect_email_locals(call, seller)]
    in_email = {i for i, n in names.items() if any(squash(w) and squash(w) in lp for w in n.split() if len(w) > 2
                                                   for lp in local_parts)}

    def said_with(types: set[str]) -> set[str]:
        return {i for i in names if any(e.type in types and e.utterance == by_id[i].utterance and not seller.owns(e)
                                        for e in call.entities)}

    # A title is the stronger mark of a self-introduction: a company is also named where a garbled e-mail is
    # ("Sophia.Brown App Lakes of the Clinics.com" beside "my name is Sophia Brown, head of operations at ...").
    for chosen in (in_email, said_with({"JOB_TITLE"}), said_with({"JOB_TITLE", "ORGANIZATION"})):
        values = {str(c.value).lower() for c in found if person_id(c) in chosen}
        if len(values) == 1:
            return [c for c in found if str(c.value).lower() in values]
    return found


def spoken_by_the_contact(call: Call, candidate: Candidate, name: Entity, seller: Seller) -> Candidate:
    """The candidate, for review when its name came from a prospect-side voice that gave none of the contact's
    details (CONTACT_DETAILS) while another voice of that side did: in a three-party call "This is Alex from
    their IT team" is a colleague, and the contact's own name may have been misheard ("mmnovac, director of
    finance at Redwood Insurance"). With one voice on the prospect's side (most calls) this never applies."""
    contact_voices = {e.speaker for e in call.entities if e.type in CONTACT_DETAILS and not seller.owns(e)
                      and effective_role(e.role, e.speaker, seller) != "rep"}
    said_by = name.speaker
    if candidate.note or not contact_voices or said_by in contact_voices:
        return candidate
    details = f"the contact's details came from {', '.join(sorted(v for v in contact_voices if v))}"
    if effective_role(name.role, said_by, seller) == "rep":
        # "Understood, Alex, we can share ...": the rep's name for the voice that spoke just before.
        addressed = addressed_voice(call, name, seller)
        if addressed is not None and addressed not in contact_voices:
            # The name is that voice's, not the contact's: shown, never proposed.
            candidate.confidence = 0.0
            candidate.note = f"the rep said '{name.value}' to {addressed}, who had just spoken; {details}"
        return candidate
    candidate.note = f"'{name.value}' was said by {said_by}; {details}"
    return candidate


# A name the rep says to someone ("Understood, Alex, we can share ..."): set off by a comma or ending the sentence.
ADDRESSED = r"(?:^|[,.!?]\s*|\b(?:thanks|thank\s+you|understood|great|sure|hi|hello|okay|ok)\s*,?\s+){name}\s*(?:[,.!?]|$)"


# How the rep asks for the person they call: "Is this David Chen?", "Am I speaking with David?".
ASKED_FOR = r"\b(?:is\s+this|is\s+that|speaking\s+(?:with|to)|talking\s+(?:with|to)|looking\s+for|ask\s+for|" \
            r"speak\s+(?:with|to)|reach)\s+{name}\b"


def rep_names_someone(call: Call, name: Entity) -> bool:
    """Whether the rep says `name` to someone ("Thanks, David.", "Hi David,") or asks for them ("Is this David
    Chen?"): the ways a rep names the person on the line."""
    text = utterance_text(call, name.utterance)
    return any(re.search(pattern.format(name=re.escape(name.text)), text, re.IGNORECASE)
               for pattern in (ADDRESSED, ASKED_FOR))


def addressed_voice(call: Call, name: Entity, seller: Seller) -> Optional[str]:
    """The prospect-side voice of the turn just before the rep's, when the rep said `name` to someone in it
    ("Understood, Alex, ..."), else None."""
    turns = call.transcription.utterances
    index = next((i for i, u in enumerate(turns) if u.id == name.utterance), None)
    if not index:
        return None
    before = turns[index - 1]
    if effective_role(before.role, before.speaker, seller) == "rep" or \
            re.search(ADDRESSED.format(name=re.escape(name.text)), turns[index].text, re.IGNORECASE) is None:
        return None
    return before.speaker


def the_employer(call: Call, found: list[Candidate], seller: Seller) -> list[Candidate]:
    """Of the organisations the prospect's side named, the contact's company is the one named where someone of
    that side gave their job title ("Anna Brown, procurement manager over at Lakeside Clinics"); one named in
    passing ("Security Review is a must for us", "we bought Beta Corp last year") is no employer. Without one
    such introduction every name stays, and the policy shows the conflict. A name of a person heard in the call
    is no company either: spaCy tags a surname said alone as an organisation ("that's Novak with no C" after
    "David Novak, procurement manager at Summit Freight")."""
    people = {word.lower() for e in call.entities if e.type == "PERSON" for word in str(e.value).split()}
    found = [c for c in found if str(c.value).lower() not in people]
    # Nor is the end of a garbled address tagged as one ("Logistics.com" heard in "... Acme Logistics, Lockcom"):
    # a domain that spells part of another company heard is that company's address, not a rival to it.
    names = {squash(str(c.value)) for c in found if not DOMAIN_LIKE.search(str(c.value))}
    found = [c for c in found if not address_of_another(str(c.value), names)]
    by_id = {e.id: e for e in call.entities}
    introductions = {e.utterance for e in call.entities if e.type == "JOB_TITLE" and not seller.owns(e)
                     and effective_role(e.role, e.speaker, seller) != "rep"}
    introduced = {repr(c.value).lower() for c in found
                  if any(i in by_id and by_id[i].utterance in introductions for i in c.entity_ids)}
    # Where the introduction holds several (a misheard name tagged as one: "Impree a Fisher Chief Financial
    # Officer at Granite Health"), the employer is the one said right after the title; that shape also tells the
    # employer where the title itself was too garbled to be found ("so he'll know that Chief Financial Officer
    # over at Lakeside Clinics").
    after_title = {repr(c.value).lower() for c in found if any(
        i in by_id and said_after_title(call, by_id[i]) for i in c.entity_ids)}
    for chosen in (introduced, after_title):
        if len(chosen) == 1:
            return [c for c in found if repr(c.value).lower() in chosen]
    return found


# "<title> at|with|from|for|over at <company>": the company is the speaker's employer.
# A comma does as well in the spoken card "Daniel Garcia, Operations Manager, Acme Logistics".
AFTER_TITLE = re.compile(r"\b" + TITLE_WORDS + r"(?:\s*,\s*|\s*,?\s+(?:over\s+|here\s+)?(?:at|with|from|for)\s+)"
                         r"(?:the\s+)?$", re.IGNORECASE)
# "... manager at Summit Freight and Granite Health" names two; which is the employer is for a person to say.
JOINED_TO_NEXT = re.compile(r"\s*,?\s*(?:and|or|&)\s", re.IGNORECASE)
DOMAIN_LIKE = re.compile(r"\.[a-z]{2,4}$", re.IGNORECASE)


def address_of_another(value: str, names: set[str]) -> bool:
    """Whether `value` is a domain ("Clinics.com") whose name (3 letters or more) is part of one of `names`."""
    label = domain_label(value) if DOMAIN_LIKE.search(value) else ""
    return len(label) >= 3 and any(label in name for name in names)


def said_after_title(call: Call, entity: Entity) -> bool:
    place = where_said(call, entity)
    if place is None:
        return False
    text, at = place[0].text, place[1]
    return AFTER_TITLE.search(text[:at]) is not None and not JOINED_TO_NEXT.match(text, at + len(entity.text))


def signal_candidates(call: Call, spec: dict[str, Any], seller: Seller) -> list[Candidate]:
    items = getattr(call.signals, spec["signal"])
    if spec["signal"] not in {"next_steps"}:
        items = [s for s in items if effective_role(s.role, s.speaker, seller) != "rep"]
    if not items:
        return []
    if spec.get("list"):
        values = sorted({s.text for s in items}) if spec["signal"] != "pain_points" else [s.text for s in items]
        # Names a misheard phrase beside an item may be ("'to blow' may be Tableau") join the list; its doubt
        # (near_miss, below) sends it to review, where a person confirms them.
        values += sorted({t for s in items for t in s.detail.get("suggested", [])} - set(values))
        confidence = min(s.confidence for s in items)
        ids = sorted({s.detail["entity_id"] for s in items if "entity_id" in s.detail})
        # A list that may miss an item, holds a name corrected from what was heard, or quotes words Whisper may
        # have garbled, is for a person to check.
        doubts = [s.detail[k] for s in items for k in ("incomplete", "near_miss", "unplaced", "corrected", "unclear")
                  if s.detail.get(k)]
        return [Candidate(values, confidence, "prospect", ids, note="; ".join(dict.fromkeys(doubts)))]
    best = max(items, key=lambda s: s.confidence)
    # A next step is agreed by both sides; who said it does not lower it.
    return [Candidate(best.text, best.confidence, "prospect", note=best.detail.get("unclear", ""))]
