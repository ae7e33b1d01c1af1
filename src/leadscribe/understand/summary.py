"""Stage `summary`: a short paragraph and bullets for the CRM activity log, built from entities and signals.

Extractive on purpose: every statement in it points back to something said, so it cannot invent a fact.
"""
from __future__ import annotations

from typing import Optional

from leadscribe.crm.policy import find_seller
from leadscribe.schema import Call, Entity, Summary


CONTACT_LABELS = {"EMAIL": "E-mail", "PHONE": "Phone", "USERNAME": "Username"}


def first(call: Call, kind: str, role: Optional[str] = None) -> Optional[Entity]:
    candidates = [e for e in call.entities if e.type == kind and (role is None or e.role == role)]
    return max(candidates, key=lambda e: e.confidence) if candidates else None


def money_text(value: dict) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(value.get("currency") or "", "")
    amount = f"{value['amount']:,.0f}" if value["amount"] >= 100 else f"{value['amount']}"
    low = value.get("min")
    return f"{symbol}{low:,.0f}–{symbol}{amount}" if low is not None else f"{symbol}{amount}"


def summary(call: Call, ctx) -> None:
    """Stage: fill `call.summary`."""
    if not call.transcription.utterances:  # voices without words: nothing to say who the call was with
        call.summary = Summary(text="No words could be recognised in this recording.", bullets=[])
        return
    s = call.signals
    # Prospects say the rep's name back ("Hi Emily"): the seller's own people are not who the call was with.
    seller = find_seller(call, getattr(ctx.settings, "seller_company", None))
    people = [e for e in call.entities if e.type == "PERSON" and not seller.owns(e)]
    prospect = max([e for e in people if e.role == "prospect"] or people, key=lambda e: e.confidence, default=None)
    company = first(call, "ORGANIZATION", "prospect")
    title = first(call, "JOB_TITLE")
    budget = first(call, "MONEY", "prospect") or first(call, "MONEY")
    seats = next((e for e in call.entities if e.type == "QUANTITY" and e.value["unit"] in {"seats", "users",
                                                                                          "licences"}), None)
    who = prospect.value if prospect else "the prospect"
    if title:
        who += f" ({title.value}{', ' + company.value if company else ''})"
    elif company:
        who += f" ({company.value})"
    sentences = [f"Call with {who}."]
    bullets: list[str] = []
    contacts = [e for e in call.entities if e.type in {"EMAIL", "PHONE", "USERNAME"} and not seller.owns(e)
                and e.speaker not in seller.speakers]
    bullets += [f"{CONTACT_LABELS[e.type]}: {e.value}" for e in {(e.type, str(e.value)): e for e in contacts}.values()]
    if s.pain_points:
        sentences.append(f"Main pain: {s.pain_points[0].text.rstrip('.')}.")
        bullets += [f"Pain point: {p.text}" for p in s.pain_points]
    if seats:
        bullets.append(f"Size: {seats.value['value']} {seats.value['unit']}")
    if budget:
        bullets.append(f"Budget: {money_text(budget.value)}")
        sentences.append(f"Budget around {money_text(budget.value)}"
                         + (f" for {seats.value['value']} {seats.value['unit']}." if seats else "."))
    if s.tech_stack:
        bullets.append("Tech stack: " + ", ".join(sorted({t.text for t in s.tech_stack})))
    if s.competitors:
        evaluating = sorted({c.text for c in s.competitors if c.detail.get("status") == "evaluating"})
        others = sorted({c.text for c in s.competitors} - set(evaluating))
        if evaluating:
            bullets.append("Also evaluating: " + ", ".join(evaluating))
            sentences.append(f"Also evaluating {', '.join(evaluating)}.")
        if others:
            bullets.append("Competitors in use: " + ", ".join(others))
    if s.objections:
        bullets += [f"Objection: {o.text}" for o in s.objections]
    if s.timeline:
        date = s.timeline.detail.get("date")
        bullets.append(f"Timeline: {s.timeline.text}" + (f" ({date})" if date else ""))
        if date:
            sentences.append(f"Decision expected by {date}.")
    if s.decision_makers:
        bullets += [f"Decision maker: {d.text}" for d in s.decision_makers]
    if s.next_steps:
        bullets += [f"Next step: {n.text}" for n in s.next_steps]
        sentences.append(f"Next step: {s.next_steps[0].text.rstrip('.')}.")
    call.summary = Summary(text=" ".join(sentences), bullets=bullets)
