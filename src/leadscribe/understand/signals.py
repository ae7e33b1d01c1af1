"""Stage `signals`: pain points, objections, competitors, tech stack, timeline, decision makers, next steps.

Each sentence is classified by its nearest labelled examples (signal_examples.yaml) in MiniLM embedding
space; cue words confirm or veto the guess, because a wrong signal in a CRM is worse than a missing one.
Competitors and tech stack come from the entities. An optional LLM may refine the result (llm.py).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Optional

import numpy as np
import yaml

from spacy.lang.en.stop_words import STOP_WORDS

from leadscribe.schema import Call, Entity, Signal, Signals, Utterance
from leadscribe.understand.dates import call_date
from leadscribe.understand.embeddings import sentence_vectors
from leadscribe.understand.models import embed, is_word, spacy_model
from leadscribe.understand.sentiment import LABELS, sentence_scores
from leadscribe.understand.text import UtteranceText, sentence_around
from leadscribe.understand.vocabulary import CATEGORY_TYPES, same_first_sound, similarity, squash

# Cosine similarity a sentence needs to its nearest examples, and the margin over the runner-up label; every label
# also needs its cue words (CUES), so the similarity alone does not decide.
MIN_SIMILARITY = 0.40
MIN_MARGIN = 0.03
CUES = {
    "pain_point": re.compile(r"\b(too\s+\w+|slow|waste[sd]?|struggl\w*|problem\w*|issue\w*|pain\w*|hard|manual\w*|"
                             r"frustrat\w*|broken|crash\w*|out of date|outdated|no visibility|not working|"
                             r"takes forever|los[et]|losing|nobody|no one|(?:don'?t|doesn'?t|do not|does not)\s+trust|"
                             r"late|delay\w*|errors?|mistakes?|difficult|tedious|messy|clunky|behind|complain\w*|"
                             r"takes?\s+(?:us\s+)?(?:\w+\s+){0,2}(?:hours|days|weeks|months))\b", re.I),
    # A budget named is no objection ("our budget is 50k"); one that is short or missing is.
    "objection": re.compile(r"\b(expensive|pric(?:e|ey|ing)|costs?|more than|over (?:our |the )?budget|"
                            r"(?:no|not enough|tight|limited|frozen) budget|budget (?:is |was )?(?:tight|limited|"
                            r"frozen|cut)|(?:don'?t|do not) have (?:the |a |any )?budget|not sure|concern\w*|worried|"
                            r"already have|contract|locked|legal|security|complian\w*|integrat\w*|convinced|"
                            r"skeptic\w*|doubt\w*|bandwidth|not (?:a )?(?:good|great|the right) time|risk\w*|"
                            r"can't|cannot|don't think|(?:don'?t|do not) (?:see|need)|priorit\w*|switch\w*|"
                            r"discount\w*|negotiat\w*|justify)\b", re.I),
    "next_step": re.compile(r"\b(send|book|schedule|follow up|set up|demo|trial|proposal|call you|meet|"
                            r"introduce|loop in)\b", re.I),
    "decision_maker": re.compile(r"\b(decision|decide|sign[s]? off|approve\w*|boss|cfo|ceo|cto|vp|director|"
                                 r"lead|board|procurement)\b", re.I),
    "timeline": re.compile(r"\b(by|within|before|until|next|end of|q[1-4]|quarter|month|week|year|go live|"
                           r"roll\w* out|deadline|renew\w*)\b", re.I),
}
# Rules that stand in when no example is close enough: a date said with what must happen by then ("we want to
# sign by August 30th"), and a commitment to a follow-up action ("I'll email you the documents today").
DEADLINE = re.compile(r"\b(sign\w*|decid\w*|decision|go(?:ing)? live|live|in place|launch\w*|roll\w* out|start\w*|"
                      r"buy\w*|purchas\w*|implement\w*|deploy\w*|contract|renew\w*|choose|pick|select\w*)\b", re.I)
COMMITMENT = re.compile(r"\b(?:i'?ll|i will|we'?ll|we will|let'?s|let us|i can|we can|i'?m going to|we'?re going to)\s+"
                        r"(?:(?:also|then|just|quickly|gladly|go ahead and|get|again)\s+)?(?:send|email|e-mail|book|"
                        r"schedule|set up|meet|call|follow up|share|demo|introduce|loop in|get back)\b", re.I)
RULE_CONFIDENCE = 0.75
NEGATIVE_PAIN = 0.5
# A time already past, said without a date the call resolves ("last quarter", "two years ago").
TIME_PAST = re.compile(r"\b(?:last\s+(?:week|month|quarter|year|spring|summer|fall|autumn|winter)|ago|yesterday|"
                       r"previously|earlier\s+this\s+(?:week|month|quarter|year))\b", re.I)
# Past trials count: "we looked at Gong", "we tried HubSpot", "we piloted Clari" name a tool evaluated, not one in use.
EVALUATING = re.compile(r"\b(evaluat\w*|looking at|looked at|consider\w*|compar\w*|trial\w*|talking to|talked to|"
                        r"demo\w*|shortlist\w*|also\s+(?:looking|talking)|tried|tested|pilot(?:ed|ing))\b", re.I)
USING = re.compile(r"\b(use|using|used|run|running|on|have|currently|today|we're with|our|stack|everything(?:'s|"
                   r" is) in|it(?:'s| is) all in)\b", re.I)
# The other side's question that an answer naming tools answers with what is in use: "What are you using today?",
# "Which CRM do you run on?", "What does your stack look like?".
# Whisper often ends such a question with a full stop, or cuts it where the turn is cut ("what are you using today,
# and what is not" / "working? We run on ..."), so the question mark is not required.
ASKS_WHAT_IS_USED = re.compile(r"\b(?:what|which)\b[^.?!]*\b(?:us(?:e|ing)|run(?:ning)?|stack|tools?|systems?|"
                               r"software)\b", re.I)


@lru_cache(maxsize=1)
def examples() -> dict[str, list[str]]:
    text = resources.files("leadscribe.understand").joinpath("signal_examples.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def example_matrix() -> tuple[list[str], np.ndarray]:
    labels, sentences = [], []
    for label, items in examples().items():
        labels += [label] * len(items)
        sentences += items
    return labels, embed(sentences)


def classify_sentences(sentences: list[str], vectors: Optional[np.ndarray] = None) -> list[tuple[str, float]]:
    """(label, similarity) per sentence: label is the one whose best two examples are closest on average.

    `vectors` are the sentences' embeddings when the caller has them already (the call's shared ones).
    """
    if not sentences:
        return []
    labels, matrix = example_matrix()
    similarities = (embed(sentences) if vectors is None else vectors) @ matrix.T
    results = []
    for row in similarities:
        by_label: dict[str, float] = {}
        for label in set(labels):
            scores = sorted((row[i] for i, lab in enumerate(labels) if lab == label), reverse=True)[:2]
            by_label[label] = float(sum(scores) / len(scores))
        ranked = sorted(by_label.items(), key=lambda kv: -kv[1])
        best, score = ranked[0]
        if score < MIN_SIMILARITY or score - ranked[1][1] < MIN_MARGIN:
            best = "none"
        results.append((best, score))
    return results


# A word at the edge of a quoted sentence below this confidence is left out of the quote (and its score).
UNHEARD_EDGE_WORD = 0.3


def signals(call: Call, ctx) -> None:
    """Stage: fill `call.signals`."""
    found = Signals()
    sentences: list[tuple[UtteranceText, int, int]] = []
    for utterance in call.transcription.utterances:
        ut = UtteranceText.of(utterance)
        for s, e in ut.sentences():
            for clause in ut.clauses(s, e):
                sentences.append((ut, *clause))
    texts = [ut.text[s:e] for ut, s, e in sentences]
    vectors = sentence_vectors(call, texts)
    labels = classify_sentences(texts, vectors)
    negative = sentence_scores(texts, vectors)[:, LABELS.index("negative")] if texts else []
    for (ut, start, end), (label, score), unhappy in zip(sentences, labels, negative):
        start, end = ut.without_unheard_edges(start, end, UNHEARD_EDGE_WORD)
        text = ut.text[start:end].strip()
        if label == "none" or not CUES[label].search(text):
            label, score = rule_label(call, ut, start, end, text, float(unhappy))
            if label == "none":
                continue
        if label in {"pain_point", "objection"} and ut.utterance.role == "rep":
            continue  # the rep describing a pain is a pitch, not the prospect's pain
        start, text = without_leading_joiner(ut.text, start, end)
        signal = make_signal(ut, start, end, text, min(0.95, score + 0.3))
        stray = stray_words(ut, start, end)
        if stray:
            signal.detail["unclear"] = f"{', '.join(stray)} barely heard mid-sentence: the quote may be garbled"
        if label == "timeline":
            dates = dates_ahead(call, ut, start, end)
            if not dates and (dates_said(call, ut, start, end) or TIME_PAST.search(text)):
                continue  # "We looked at Gong last quarter": a time past is no buying timeline
            if dates:
                # The date entity carries how clearly the date itself was heard; the close date takes that.
                signal.detail["date"], signal.detail["entity_id"] = dates[0].value, dates[0].id
            if found.timeline is None or (signal.detail.get("date") and not found.timeline.detail.get("date")):
                found.timeline = signal
            continue
        getattr(found, label + "s" if label != "next_step" else "next_steps").append(signal)
    add_competitors_and_stack(call, found)
    call.signals = found
    if getattr(ctx.settings, "llm_base_url", None):
        from leadscribe.understand.llm import refine_signals

        refine_signals(call, ctx)


def dates_said(call: Call, ut: UtteranceText, start: int, end: int) -> list[Entity]:
    """The dates said within ut.text[start:end]."""
    t0, t1 = ut.times(start, end)
    return [e for e in call.entities if e.type == "DATE" and e.utterance == ut.utterance.id
            and t0 <= (e.start or t0) <= t1 and isinstance(e.value, str)]


def dates_ahead(call: Call, ut: UtteranceText, start: int, end: int) -> list[Entity]:
    """The dates said within ut.text[start:end] that lie after the call: a buying timeline is ahead. Another
    clause's date is not this one's ("Today everything is in Slack and Jira, [...] we had three outages last month"
    had made the call's own date the close date), nor is a date already past."""
    today = call_date(call).isoformat()
    return [e for e in dates_said(call, ut, start, end) if e.value > today]


def rule_label(call: Call, ut: UtteranceText, start: int, end: int, text: str,
               negative: float = 0.0) -> tuple[str, float]:
    """The label the rules give a sentence the examples left unlabelled, with a score on the classifier's scale
    (RULE_CONFIDENCE - 0.3, as `signals` adds 0.3 back): a deadline with its date, a commitment to a follow-up,
    and a prospect's sentence that reads negative (`negative`, the sentiment model's probability) and names a
    pain ("no one trusts the forecast we send to the board")."""
    dated = bool(dates_ahead(call, ut, start, end))
    if dated and ut.utterance.role != "rep" and DEADLINE.search(text) and CUES["timeline"].search(text):
        return "timeline", RULE_CONFIDENCE - 0.3
    if COMMITMENT.search(text) and not text.rstrip().endswith("?"):  # "...so I can verify the email settings?"
        return "next_step", RULE_CONFIDENCE - 0.3
    if ut.utterance.role != "rep" and negative > NEGATIVE_PAIN and CUES["pain_point"].search(text) \
            and not text.rstrip().endswith("?"):
        return "pain_point", RULE_CONFIDENCE - 0.3
    return "none", 0.0


# The word that joins a clause to the one before it ("..., and our team wastes hours"), and the fillers a spoken
# sentence opens with ("Honestly, the reporting takes forever"): no part of what is quoted.
# ("So many tickets" and "Well over half" keep theirs: those two are fillers only before a comma.)
LEADING_JOINER = re.compile(r"(?:(?:(?:and|but|or|honestly|frankly|basically|i\s+mean|you\s+know|to\s+be\s+honest)"
                            r"\b,?|(?:so|well|yeah|okay|ok),)\s+)+(?=\w)", re.I)


def without_leading_joiner(text: str, start: int, end: int) -> tuple[int, str]:
    """The clause `text[start:end]` as a quote for the CRM: its start and text without the leading joiner."""
    clause = text[start:end]
    start += len(clause) - len(clause.lstrip())
    joiner = LEADING_JOINER.match(text, start, end)
    if joiner:
        start = joiner.end()
    return start, text[start:end].strip()


# A function word Whisper capitalised mid-sentence and barely heard ("our team wastes hours There's every week on
# exports", "There's" at 0.39) is the start of a sentence it never wrote, or a word it made up: the quote around it
# is not what was said, word for word.
STRAY_WORD = 0.5
# Function words English capitalises anyway: the month, the name.
CAPITALISED_ANYWAY = {"may", "will"}


def stray_words(ut: UtteranceText, start: int, end: int) -> list[str]:
    """"'There's' (0.39)" for each capitalised function word inside ut.text[start:end], after its first word and
    not after a sentence's end, that the recogniser gave less than STRAY_WORD."""
    words = ut.utterance.words
    stray = []
    for i in ut.word_indices(start, end)[1:]:
        word = words[i].word.strip(" ,.?!")
        before = ut.text[:ut.offsets[i][0]].rstrip()
        # Title case only: "I", "I'm" and "US" are written so anywhere.
        title_case = len(word) > 1 and word[0].isupper() and word[1:] == word[1:].lower() and word[1] != "'"
        if title_case and word.lower().split("'")[0] in STOP_WORDS - CAPITALISED_ANYWAY and \
                not before.endswith((".", "?", "!")) and words[i].confidence < STRAY_WORD:
            stray.append(f"'{word}' ({words[i].confidence:.2f})")
    return stray


def make_signal(ut: UtteranceText, start: int, end: int, text: str, confidence: float, **detail) -> Signal:
    asr = ut.asr_confidence(start, end)
    return Signal(text=text, utterance=ut.utterance.id, speaker=ut.utterance.speaker, role=ut.utterance.role,
                  confidence=round(confidence * (0.7 + 0.3 * asr), 4), detail=dict(detail))


# "Jira and Slack", "Looker, Tableau or Gong": the words that join the items of a spoken list.
# Before a name only "and"/"or" join ("Yes, Slack" is no list); after it a comma does too ("Slack, Jira and Excel").
# Whisper may punctuate the joiner itself: "Our stack is ore-throwed. Plus, Jira" for "Oracle plus Jira".
LIST_JOINER_BEFORE = re.compile(r"(?P<word>[\w'.-]+),?\s+(?:and|or|&|plus),?\s+$", re.I)
LIST_JOINER_AFTER = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+|plus\s+)?|\s+(?:and|or|&|plus)(?:\s+|$))(?P<word>[\w'.-]*)",
                               re.I)
# A turn that opens with a joiner and then a listed name ("and HubSpot.") goes on with a list begun before it: the
# diarizer gave the start of the sentence ("We are also evaluating Gong") to the other speaker, or a pause cut it.
# Seen from the turn before, the list said there goes on in this one (`list_goes_on_in_next_turn`).
LIST_CONTINUED = re.compile(r"^\s*(?P<joiner>and|or|&|plus)\s+$", re.I)
# What a list of tools or vendors may hold: a neighbour of another type is an item we do not have.
LIST_ITEM_TYPES = {"COMPETITOR", "PRODUCT"}
# A capitalised word right next to a listed name, mid-sentence ("Oracle Posagira" for "Oracle plus Jira", "Excel
# Engine" for "Excel and Jira"): Whisper ran a joiner and a name together, or heard a name as another capitalised
# word, so the list may hold a name we do not have.
NEXT_WORD = re.compile(r"^\s+(?P<word>[A-Z][a-z]+)\b")
PREVIOUS_WORD = re.compile(r"\b(?P<word>[A-Z][a-z]+)\s+$")


def unrecognised_list_neighbours(text: str, at: int, entity: Entity, recognised: list[tuple[int, int]]) -> list[str]:
    """Words joined to a listed name by "and", "or" or a comma that no finder recognised ("Drew and Slack" when
    Whisper misheard "Jira"), and "" for a list cut off after its "and": either way the list said may hold an item
    we do not have. Function words ("Slack, but we...") start another clause, not another item. `at` is where the
    name stands in `text` (`UtteranceText.locate`)."""
    if at < 0:
        return []
    found = []
    before = LIST_JOINER_BEFORE.search(text[:at])
    # "Jira and Excel, and onboarding takes months": the item after "and" ends an English list, so what follows a
    # comma after it starts another clause.
    after = None if before else LIST_JOINER_AFTER.match(text[at + len(entity.text):])
    if before is None and after is None:
        previous = PREVIOUS_WORD.search(text[:at])
        if previous is not None and not text[:previous.start()].strip(" ,"):
            previous = None  # a sentence's first word is capitalised anyway
        glued = [m for m in (previous, NEXT_WORD.match(text[at + len(entity.text):]))
                 if m is not None and m.group("word").lower() not in STOP_WORDS]
        found += [m.group("word") for m in glued
                  if not any(s < m.end() and m.start() < e for s, e in recognised)]
    for match, offset in ((before, 0), (after, at + len(entity.text))):
        if match is None:
            continue
        word = match.group("word").strip(".,")
        start = offset + match.start("word")
        # "Zendesk or our ...": after "or" another item follows, whatever its first word; after "and" a function
        # word starts another clause ("Jira and Excel, and the reporting ...").
        joiner = text[offset + match.start():offset + match.start("word")].strip(" ,").lower()
        if word.lower() in STOP_WORDS and word and joiner not in {"or"}:
            # ... unless a capitalised word follows it mid-sentence: "Gong and to Blower" for "Gong and Tableau" is
            # a name heard as two words, not a clause.
            rest = start + len(match.group("word"))
            name = NEXT_WORD.match(text[rest:]) if match is after else None
            if name is None or any(s < rest + name.end() and rest + name.start("word") < e for s, e in recognised):
                continue
            word = f"{word} {name.group('word')}"
        if word and any(s < start + len(word) and start < e for s, e in recognised):
            continue
        if not word and match is before:
            continue
        found.append(word)
    return found


def list_evidence(entity: Entity, neighbours: list[str]) -> dict[str, str]:
    """Why a list holding this name may be incomplete or wrong, for the CRM policy to send it to review:
    an unrecognised neighbour in the same spoken list, or a name corrected from what was heard."""
    evidence = {}
    if neighbours:
        shown = ", ".join(f"'{w}'" if w else "a list cut off after 'and'" for w in neighbours)
        evidence["incomplete"] = f"{shown} next to {entity.value} was not recognised"
    if entity.source == "vocabulary" and squash(entity.text) != squash(entity.value):
        evidence["corrected"] = f"{entity.value} was heard as '{entity.text}'"
    return evidence


def add_competitors_and_stack(call: Call, found: Signals) -> None:
    """Competitors, marked used today or being evaluated, and the prospect's tech stack, from the entities."""
    by_utterance = {u.id: u for u in call.transcription.utterances}
    seen_competitors: dict[str, Signal] = {}
    seen_stack: set[str] = set()
    texts = {u.id: UtteranceText.of(u) for u in call.transcription.utterances}
    kinds = {term: CATEGORY_TYPES.get(category) for category, terms in (call.metadata.vocabulary or {}).items()
             for term in terms}
    for entity in call.entities:
        if entity.type not in {"COMPETITOR", "PRODUCT"} or entity.utterance is None:
            continue
        utterance = by_utterance[entity.utterance]
        ut = texts[entity.utterance]
        text = ut.text
        # Where this mention stands: a name said twice in a turn is judged at each place it was said.
        at = ut.locate(entity.text, entity.start)
        status = usage(text, at, entity)
        if status == "mentioned" and answers_what_is_used(call, utterance, text, at):
            status = "using"
        name = str(entity.value)
        # Every place an entity's words stand is recognised, not only the first: Whisper repeats a name ("HubSpot and
        # Salesforce Salesforce"), and the repeat is no unknown word next to it.
        spans = [(e.type, match.span()) for e in call.entities if e.utterance == entity.utterance and e.text
                 for match in re.finditer(re.escape(e.text), text)]
        recognised = [span for _, span in spans]
        # A person or a place joined to a tool ("Snowflake and Waterville", "Whitaker and Salesforce") is no item
        # we have for the list: Whisper most likely misheard a tool as a name.
        tools = [span for kind, span in spans if kind in LIST_ITEM_TYPES]
        neighbours = unrecognised_list_neighbours(text, at, entity, tools) + noun_before_name(text, at, entity, tools) \
            + unheard_neighbours(ut, at, entity, tools)
        evidence = list_evidence(entity, neighbours)
        continued = LIST_CONTINUED.match(text[:max(0, at)])
        if continued:
            evidence["incomplete"] = "; ".join(filter(None, [
                evidence.get("incomplete"),
                f"the turn opens with '{continued.group('joiner')}' before {entity.value}: the list began before it"]))
        going_on = list_goes_on_in_next_turn(call, utterance, text[at + len(entity.text):] if at >= 0 else text)
        if going_on:
            evidence["incomplete"] = "; ".join(filter(None, [
                evidence.get("incomplete"), f"the next turn goes on with '{going_on}': the list may go on there"]))
        garbled = barely_heard_sentence(ut, at, entity)
        if garbled:
            evidence["unclear"] = garbled
        unplaced = unknown_proper_nouns(text, at, entity, recognised)
        if unplaced:
            evidence["unplaced"] = f"{', '.join(map(repr, unplaced))}, said with {entity.value}, is no word we know"
        near = near_missed_terms(text, at, entity, recognised, call.metadata.vocabulary or {})
        if near:
            evidence["near_miss"] = "; ".join(f"'{heard}' may be {term}" for heard, term in near)
        # The listed names those phrases most likely are: a list going to review proposes them, for a person to
        # confirm ("Looker and to blow": Looker and Tableau), rather than leave them to be typed in.
        suggested = list(dict.fromkeys(term for _, term in near))
        if entity.type == "COMPETITOR":
            competing = [term for term in suggested if kinds.get(term) == "COMPETITOR"]
            signal = Signal(text=name, utterance=entity.utterance, speaker=entity.speaker, role=entity.role,
                            confidence=entity.confidence, detail={"status": status, "entity_id": entity.id,
                                                                  **evidence, **suggestion(competing)})
            previous = seen_competitors.get(name.lower())
            if previous is None or (status == "evaluating" and previous.detail["status"] != "evaluating"):
                seen_competitors[name.lower()] = signal
        if status == "using" and entity.role != "rep" and name.lower() not in seen_stack:
            seen_stack.add(name.lower())
            found.tech_stack.append(Signal(text=name, utterance=entity.utterance, speaker=entity.speaker,
                                           role=entity.role, confidence=entity.confidence,
                                           detail={"entity_id": entity.id, **evidence, **suggestion(suggested)}))
    found.competitors = list(seen_competitors.values())


def suggestion(terms: list[str]) -> dict[str, list[str]]:
    """The `suggested` detail of a list item's signal: listed names a phrase said with it may be."""
    return {"suggested": terms} if terms else {}


def list_goes_on_in_next_turn(call: Call, utterance: Utterance, after_name: str) -> Optional[str]:
    """The opening of the turn after `utterance` ("and HubSpot") when it joins a listed name to the list that
    ends this turn, else None: the list said in this turn goes on in the next, whoever the diarizer gave it to
    (held-out seed 23: "evaluating Gong" | "and HubSpot. When would you like to decide?", the second turn given to
    the rep, and [Gong] was auto-written). `after_name` is what the turn says after the listed name."""
    if after_name.strip(" .,?!"):
        return None
    turns = call.transcription.utterances
    following = next((turns[i + 1] for i, u in enumerate(turns[:-1]) if u.id == utterance.id), None)
    if following is None:
        return None
    for listed in (e for e in call.entities if e.utterance == following.id and e.type in LIST_ITEM_TYPES):
        at = following.text.find(listed.text)
        opening = LIST_CONTINUED.match(following.text[:at]) if at >= 0 else None
        if opening:
            return f"{opening.group('joiner')} {listed.text}"
    return None


# A heard phrase this like a listed name, yet not enough to be corrected to it ("sales for" / Salesforce, 89), may
# be that name: the list it stands in may miss an item (vocabulary.similarity, 0-100).
NEAR_MISS_SIMILARITY = 85.0
LISTED_CATEGORIES = {"competitors", "competitor", "products", "product", "tools"}


# A word next to a listed name that the recogniser gave less than this: it did not know what was said there.
UNHEARD_NEIGHBOUR = 0.1
LIST_JOINERS = {"and", "or", "plus", "&"}


def unheard_neighbours(ut: UtteranceText, at: int, entity: Entity, tools: list[tuple[int, int]]) -> list[str]:
    """Words up to two places before or after a listed name that Whisper barely heard ("Snowflake himself" at
    0.06 for "Snowflake and Jira"; "Slack for sure" with "sure" at 0.08 for "Slack plus Oracle"): what was said
    there is unknown, and it may be another item of the list. Joiners and the list's other recognised names,
    however faintly heard (Whisper is often unsure of a name it wrote right), name no unknown item."""
    if at < 0:
        return []
    inside = ut.word_indices(at, at + len(entity.text))
    if not inside:
        return []
    words = ut.utterance.words
    named = {i for start, end in tools for i in ut.word_indices(start, end)}
    around = (inside[0] - 2, inside[0] - 1, inside[-1] + 1, inside[-1] + 2)
    return [word for i in around if 0 <= i < len(words) and i not in named
            for word in [words[i].word.strip(" ,.?!")]
            if words[i].confidence < UNHEARD_NEIGHBOUR and word and word.lower() not in LIST_JOINERS]


def barely_heard_sentence(ut: UtteranceText, at: int, entity: Entity) -> str:
    """Why a list holding the name said at `at` may be garbled: the other words of its sentence were heard at a
    mean probability under UNCLEAR_SENTENCE ("I lost track is slack for sorghum." for "Today everything is in
    Oracle and Slack", mean 0.31); "" when they were not, or when the sentence is the name alone."""
    mean = ut.unclear_sentence(at, at + len(entity.text)) if at >= 0 else None
    if mean is None:
        return ""
    return f"the sentence {entity.value} was said in was barely heard (mean word confidence {mean:.2f}): the " \
           f"list may hold what was said otherwise"


CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]+\b")


def unknown_proper_nouns(text: str, at: int, entity: Entity, recognised: list[tuple[int, int]]) -> list[str]:
    """Capitalised words of the listed name's sentence that no finder recognised and that are no word at all
    ("Looker ends in Deskoyar on our shortlist" for "Looker and Zendesk are"): Whisper wrote a name it could not
    place, said in the same breath as a listed one, so the list may miss it. A real word ("Plus", "Shortlist")
    that Whisper capitalised names nothing (`is_word`)."""
    if at < 0:
        return []
    start, end = sentence_around(text, at, at + len(entity.text))
    return [m.group(0) for m in CAPITALISED_WORD.finditer(text, start, end)
            if not is_word(m.group(0)) and not any(s < m.end() and m.start() < e for s, e in recognised)]


def noun_before_name(text: str, at: int, entity: Entity, recognised: list[tuple[int, int]]) -> list[str]:
    """A noun or number right before a listed name, with no joiner ("the most from one hand HubSpot" for "demos
    from Gong and HubSpot"): English puts a verb, a preposition or a determiner there, so the noun is likely what
    is left of a misheard name."""
    if at <= 0:
        return []
    start, _ = sentence_around(text, at, at + len(entity.text))
    doc = spacy_model()(text[start:at + len(entity.text)])
    tokens = [t for t in doc if not t.is_punct]
    if len(tokens) < 2:
        return []
    before = next((t for t in reversed(tokens) if t.idx + start < at), None)
    if before is None or before.pos_ not in {"NOUN", "NUM"} or before.is_stop or \
            any(s <= before.idx + start < e for s, e in recognised):
        return []
    return [before.text]


# A listed name this long or longer at the start of a heard word part ("non-excellent" for "on Excel"): the name
# was said, and Whisper heard a longer word; shorter names start too many words ("Gong" / "gonna" are safe, but
# a three-letter name would not be).
MIN_NAME_IN_WORD = 4


def begins_with_name(heard: str, term: str) -> bool:
    """Whether a part of the heard word (split at hyphens) starts with the listed name: "excellent" for Excel,
    "non-excellent" too. A word that is the name itself is no near miss."""
    name = squash(term)
    parts = [squash(part) for part in heard.split("-")]
    return len(name) >= MIN_NAME_IN_WORD and squash(heard) != name and any(p.startswith(name) for p in parts)


def near_missed_terms(text: str, at: int, entity: Entity, recognised: list[tuple[int, int]],
                      vocabulary: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(heard, listed name) for phrases of the name's sentence that resemble a listed competitor or product not
    recognised in it: "We are also evaluating sales for Zendesk" may name Salesforce too, and "We run non-excellent
    Slack" Excel."""
    if at < 0:
        return []
    start, end = sentence_around(text, at, at + len(entity.text))
    tokens = [(m.start() + start, m.end() + start) for m in re.finditer(r"[\w'-]+", text[start:end])]
    free = [(s, e) for s, e in tokens if not any(a < e and s < b for a, b in recognised)]
    terms = {t for category, listed in vocabulary.items() if category in LISTED_CATEGORIES for t in listed}
    terms -= {str(entity.value)}
    found = [(text[s:e], term) for s, e in free for term in sorted(terms) if begins_with_name(text[s:e], term)]
    for term in sorted(terms):
        for size in (1, 2):
            for i in range(len(free) - size + 1):
                window = free[i:i + size]
                if size == 2 and text[window[0][1]:window[1][0]].strip():
                    continue  # not adjacent words
                heard = text[window[0][0]:window[-1][1]]
                if len(squash(heard)) < 4 or abs(len(squash(heard)) - len(squash(term))) > 2:
                    continue
                if similarity(heard, term) >= NEAR_MISS_SIMILARITY and same_first_sound(heard, term):
                    found.append((heard, term))
    return list(dict.fromkeys(found))


def answers_what_is_used(call: Call, utterance: Utterance, text: str, at: int) -> bool:
    """Whether the name is said in answer to the other side's question about the tools in use: the question ends
    the other speaker's last turn before this one, or this turn's text before the name (a turn boundary Whisper
    put late). `at` is where the name stands in the turn's `text`."""
    if at > 0 and ASKS_WHAT_IS_USED.search(text[:at]):
        return True
    utterances = call.transcription.utterances
    index = next((i for i, u in enumerate(utterances) if u.id == utterance.id), None)
    if index is None:
        return False
    for previous in reversed(utterances[max(0, index - 2):index]):
        if previous.speaker != utterance.speaker:
            return bool(ASKS_WHAT_IS_USED.search(previous.text))
    return False


def usage(text: str, at: int, entity: Entity) -> str:
    """"evaluating", "using" or "mentioned", from the words of the clause around the name standing at `at`."""
    lowered = text.lower()
    clause_start = max(lowered.rfind(".", 0, max(at, 0)), lowered.rfind("?", 0, max(at, 0))) + 1
    clause = lowered[clause_start:at + len(entity.text)] if at >= 0 else lowered
    if EVALUATING.search(clause):
        return "evaluating"
    if USING.search(clause):
        return "using"
    return "mentioned"
