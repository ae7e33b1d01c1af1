"""Independent hearings that confirm each other.

A prospect names their company ("Summit Freight", spelled as the team's vocabulary lists it) and later its
e-mail domain ("summitfreight.com"). Whisper hears each in a different stretch of audio, so when two hearings
agree the chance both are wrong in the same way is small: the value's confidence becomes
the noisy-OR of the two, 1 - (1 - a)(1 - b). Hearings that disagree change nothing here; the policy already
sends low-confidence values to review. The same holds for an amount or a head count said in two turns.
"""
from __future__ import annotations

import jellyfish

from leadscribe.schema import Call, Entity
from leadscribe.understand.vocabulary import squash

# A read-back this close to the value is the same value heard otherwise ("415-555-0162" for "415-555-0192"), not
# another number or address: digits or letters that differ.
READ_BACK_DIFFERENCES = 2


def noisy_or(a: float, b: float) -> float:
    return round(1.0 - (1.0 - a) * (1.0 - b), 4)


def domain_label(email_or_domain: str) -> str:
    """"david@acme-logistics.com" -> "acmelogistics": the domain without its top level, squashed."""
    domain = str(email_or_domain).split("@")[-1]
    return squash(domain.rsplit(".", 1)[0])


def company_confirms_domain(company: Entity, email_or_domain: str) -> bool:
    return bool(squash(company.value)) and squash(company.value) == domain_label(email_or_domain)


def confirming(call: Call, kind: str, check, owned) -> list[Entity]:
    """The prospect-side entities of `kind` for which `check(entity)` holds."""
    return [e for e in call.entities if e.type == kind and not owned(e) and check(e)]


def mentions_elsewhere(call: Call, own: list[Entity]):
    """(mine, other) for each entity of `own` and each entity of its type said in another utterance."""
    for mine in own:
        for other in call.entities:
            if other.type == mine.type and other.utterance != mine.utterance and other.id != mine.id:
                yield mine, other


def repeated_values(call: Call, own: list[Entity], key: str | None) -> list[Entity]:
    """Other mentions, in other utterances, of the value `own` holds (by `key` of a dict value: "amount", "value").

    Either side may repeat it: the rep reading back "5,000 employees" is a second hearing of the value.
    """
    def value_of(entity: Entity):
        return entity.value.get(key) if key and isinstance(entity.value, dict) else entity.value

    return [other for mine, other in mentions_elsewhere(call, own)
            if value_of(other) is not None and value_of(other) == value_of(mine) and
            (not isinstance(mine.value, dict) or other.value.get("unit") == mine.value.get("unit"))]


def read_back_otherwise(call: Call, own: list[Entity]) -> list[Entity]:
    """What the other side read back of a phone number or an address in `own`, heard differently: "So that's
    415-555-0162?" after "415-555-0192". One of the two hearings is wrong, and which, only the recording tells."""
    return [other for mine, other in mentions_elsewhere(call, own)
            if other.speaker != mine.speaker and other.value != mine.value and
            len(str(other.value)) == len(str(mine.value)) and
            jellyfish.hamming_distance(str(other.value), str(mine.value)) <= READ_BACK_DIFFERENCES]
