"""The confidence policy: which proposed value reaches the CRM on its own (auto), which a person checks
(review), which is dropped (skip) — and why.

Rules, in order:
1. The seller's own details (rep names, rep e-mails and phones, the seller company) are never proposed for the
   contact or company.
2. A prospect's statement outranks the rep's paraphrase; a value only the rep said is at most `review`.
3. Different values of the same rank conflict: the field goes to review and the reason names them.
4. Otherwise the confidence decides against the field's thresholds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from leadscribe.crm.agreement import domain_label
from leadscribe.schema import Call, CrmField, Entity
from leadscribe.understand.entities import GREETING_WORDS
from leadscribe.understand.introductions import introductions
from leadscribe.understand.vocabulary import squash

# Support lines greet with their own name: "welcome to Callytics", "you've reached Callytics Support",
# "thanks for contacting Callytics".
SELLER_COMPANY = re.compile(r"\b(?i:calling (?:from|on behalf of)|here at|i'?m with|we at|" + GREETING_WORDS +
                            r")\s+(?P<company>[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,3})")
PROSPECT_ROLES = {"prospect", "other"}


@dataclass
class Candidate:
    value: Any
    confidence: float
    role: str
    entity_ids: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Seller:
    """Who sells: rep speakers, their names, e-mails, phones and the seller company (all lower-case)."""
    speakers: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)

    def owns(self, entity: Entity) -> bool:
        value = str(entity.value).lower()
        if entity.type == "PERSON":
            return any(value == n or value in n.split() or n in value.split() for n in self.names)
        if entity.type in {"ORGANIZATION", "COMPETITOR"}:
            return any(value == c or value.startswith(c) or c.startswith(value) for c in self.companies)
        if entity.type in {"EMAIL", "PHONE"}:
            return value in self.contacts
        if entity.type == "WEBSITE":  # "northwindanalytics.com" is the seller's own site
            return domain_label(value) in {squash(c) for c in self.companies}
        return False


def find_seller(call: Call, seller_company: Optional[str]) -> Seller:
    seller = Seller()
    if seller_company:
        seller.companies.add(seller_company.lower())
    seller.speakers = {s.id for s in call.speakers if s.role == "rep"}
    for utterance in call.transcription.utterances:
        # A rep introduces themself and their company once: "this is Maya Lopez calling from Northwind Analytics".
        intro = next(iter(introductions(utterance.text)), None)
        said_company = SELLER_COMPANY.search(utterance.text)
        is_rep = utterance.role == "rep" or utterance.speaker in seller.speakers
        # Without roles, the speaker who introduces themself "calling from" a company is taken for the rep.
        if not is_rep and utterance.role == "unknown" and said_company:
            seller.speakers.add(utterance.speaker)
            is_rep = True
        if not is_rep:
            continue
        if intro:
            seller.names.add(intro.name.lower())
            if intro.company:
                seller.companies.add(intro.company.lower())
        if said_company:
            seller.companies.add(said_company.group("company").lower())
    for entity in call.entities:
        if entity.type in {"EMAIL", "PHONE"} and entity.speaker in seller.speakers and re.search(
                r"\b(my|our)\b", utterance_text(call, entity.utterance), re.I):
            seller.contacts.add(str(entity.value).lower())
    return seller


def utterance_text(call: Call, utterance_id: Optional[int]) -> str:
    for utterance in call.transcription.utterances:
        if utterance.id == utterance_id:
            return utterance.text
    return ""


def effective_role(entity_role: Optional[str], speaker: Optional[str], seller: Seller) -> str:
    if entity_role in {"rep", "prospect", "other"}:
        return entity_role
    if seller.speakers:
        return "rep" if speaker in seller.speakers else "prospect"
    return "unknown"


def decide(obj: str, name: str, candidates: list[Candidate], auto: float, review: float) -> Optional[CrmField]:
    """One field from its candidates, or None when the call does not support the field."""
    candidates = [c for c in candidates if c.value not in (None, "", [])]
    if not candidates:
        return None
    prospect = [c for c in candidates if c.role in PROSPECT_ROLES]
    unknown = [c for c in candidates if c.role == "unknown"]
    pool, from_rep = (prospect, False) if prospect else ((unknown, False) if unknown else (candidates, True))
    values: dict[str, Candidate] = {}
    for candidate in sorted(pool, key=lambda c: -c.confidence):
        values.setdefault(repr(candidate.value).lower(), candidate)
    best = next(iter(values.values()))
    strong_alternatives = [c for c in values.values() if c is not best and c.confidence >= review]
    ids = sorted({i for c in pool for i in c.entity_ids if repr(c.value).lower() == repr(best.value).lower()})
    confidence = round(best.confidence, 4)
    if strong_alternatives:
        shown = ", ".join(repr(c.value) for c in [best, *strong_alternatives])
        return CrmField(object=obj, field=name, value=best.value, confidence=confidence,
                        entity_ids=sorted({i for c in [best, *strong_alternatives] for i in c.entity_ids}),
                        decision="review", reason=f"conflicting values: {shown}")
    if confidence < review:
        return CrmField(object=obj, field=name, value=best.value, confidence=confidence, entity_ids=ids,
                        decision="skip", reason="; ".join(filter(None, [
                            f"confidence {confidence:.2f} below review threshold {review:.2f}", best.note])))
    if from_rep:
        return CrmField(object=obj, field=name, value=best.value, confidence=confidence, entity_ids=ids,
                        decision="review", reason="; ".join(filter(None, [
                            "only the rep said it; the prospect did not confirm", best.note])))
    if best.note:
        return CrmField(object=obj, field=name, value=best.value, confidence=confidence, entity_ids=ids,
                        decision="review", reason=best.note)
    if confidence >= auto:
        role = "prospect" if best.role in PROSPECT_ROLES else best.role
        return CrmField(object=obj, field=name, value=best.value, confidence=confidence, entity_ids=ids,
                        decision="auto", reason=f"said by the {role}, confidence {confidence:.2f} >= {auto:.2f}")
    return CrmField(object=obj, field=name, value=best.value, confidence=confidence, entity_ids=ids,
                    decision="review", reason=f"confidence {confidence:.2f} below auto threshold {auto:.2f}")
