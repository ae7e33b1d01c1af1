"""Who is the rep: each speaker labelled rep / prospect / other, with a confidence and its source.

Evidence, strongest first:
1. `channel` — a channel-to-role setting for dual-channel recordings (the phone system
   knows which side is the agent);
2. `voiceprint` — the speaker's voice matches an enrolled rep (`speech.enroll`);
3. `content` — what they say: introducing themselves as calling from the seller's
   company, "thank you for calling ...", "how may I help", asking discovery questions;
4. `default` — nothing said it: the first speaker is taken as the rep, with low confidence.
Names come from enrolment or from a self-introduction ("my name is Emily", "this is Emily").
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Optional

import numpy as np

from leadscribe.context import Context
from leadscribe.schema import Call, Speaker, Utterance
from leadscribe.understand.introductions import introductions

# Cosine similarity between a speaker's voice and an enrolled rep's voiceprint above which
# they are the same person (CAM++: same voice over a phone line ~0.8, other voices ~0.5).
VOICEPRINT_MATCH = 0.65
# Confidence of a role taken from content cues, by how far the rep's score leads.
CONTENT_CONFIDENCE_CAP = 0.9
DEFAULT_CONFIDENCE = 0.3

# (pattern, weight): things a seller's representative says.
_REP_CUES = [(re.compile(p, re.IGNORECASE), w) for p, w in (
    (r"\bthank(s| you) for calling\b", 3.0),
    (r"\bwelcome to\b", 2.5),
    (r"\bhow (may|can|could) i (help|assist)\b", 3.0),
    (r"\bwhat can i do for you\b", 3.0),
    (r"\b(this is|i'?m|my name is) \w+( \w+)? (from|at|with) \w+", 2.5),
    (r"\bi'?m calling (from|on behalf of)\b", 2.5),
    (r"\bour (product|platform|solution|pricing|plans?|team)\b", 1.0),
    (r"\b(what|which) (tools?|systems?|software|solutions?) (are|do) you\b", 1.0),
    (r"\bhow many (users|seats|employees|people|locations)\b", 1.0),
    (r"\b(what'?s|what is) your (budget|timeline|role|email|e-mail|username|account)\b", 1.0),
    (r"\b(can|could|may) i (have|get) your\b", 1.0),
    (r"\bis there anything else\b", 1.5),
    (r"\bwhat challenges\b", 1.0),
    (r"\bschedule (a|the) (demo|call|follow-up)\b", 1.0),
)]
# Each question asked: the rep runs the call and asks the discovery questions, the prospect mostly answers. On the
# 90 mono synthetic calls of seeds 0-11 and 20-25, the rep's lead over the prospect went from -2.0 (one call with
# roles swapped: the prospect's "Thanks for calling." against an introduction cut in two by a change of speaker)
# and 0.5 (the next lowest) to at least 2.0; on the callytics calls the agent asks every question Whisper marks.
QUESTION_WEIGHT = 1.0
# Things a customer or prospect says.
_PROSPECT_CUES = [(re.compile(p, re.IGNORECASE), w) for p, w in (
    (r"\bi'?m (calling|reaching out) (about|because|regarding|to)\b", 2.0),
    (r"\bi('ve been| have been| am| was)? having (trouble|problems?|issues?)\b", 1.5),
    (r"\bmy (account|order|subscription|bill)\b", 1.0),
    (r"\bwe'?re (currently )?using\b", 1.0),
    (r"\bour budget\b", 1.0),
)]


def self_introduced_name(text: str) -> Optional[str]:
    """The first name a speaker gives themself in `text` ("my name is Emily", "this is Mark from Acme")."""
    found = introductions(text)
    return found[0].name if found else None


def content_scores(utterances: list[Utterance], seller_company: Optional[str]) -> dict[str, float]:
    """Rep-likeness per speaker from what they say (positive: rep, negative: prospect)."""
    scores: dict[str, float] = defaultdict(float)
    company = re.compile(rf"\b{re.escape(seller_company)}\b", re.IGNORECASE) if seller_company else None
    for u in utterances:
        text = u.text
        scores[u.speaker] += QUESTION_WEIGHT * text.count("?")
        scores[u.speaker] += sum(w for pattern, w in _REP_CUES if pattern.search(text))
        scores[u.speaker] -= sum(w for pattern, w in _PROSPECT_CUES if pattern.search(text))
        if company and company.search(text) and re.search(r"\b(this is|i'?m|calling|welcome|my name)\b", text,
                                                         re.IGNORECASE):
            scores[u.speaker] += 3.0
    return scores


def match_voiceprints(call: Call, prints) -> dict[str, tuple[str, float]]:
    """Speaker id -> (rep name, similarity) for speakers whose voice matches an enrolled rep.

    Each voiceprint goes to at most one speaker (the most similar), so one rep voice never
    turns both sides of a call into reps.
    """
    from leadscribe.speech.voice import cosine_similarity

    matches: dict[str, tuple[str, float]] = {}
    speaker_ids = [s for s in call.voiceprints]
    if not speaker_ids or not prints:
        return matches
    voices = np.stack([np.asarray(call.voiceprints[s], dtype=np.float32) for s in speaker_ids])
    for vp in prints:
        if vp.embedding.shape[0] != voices.shape[1]:
            continue  # made by another speaker model
        similarity = cosine_similarity(voices, vp.embedding)[:, 0]
        best = int(np.argmax(similarity))
        if similarity[best] >= VOICEPRINT_MATCH:
            current = matches.get(speaker_ids[best])
            if current is None or similarity[best] > current[1]:
                matches[speaker_ids[best]] = (vp.name, float(similarity[best]))
    return matches


def _assign(speaker: Speaker, role: str, confidence: float, source: str) -> None:
    speaker.role, speaker.role_confidence, speaker.role_source = role, round(confidence, 3), source


def assign_roles(call: Call, ctx: Context, prints) -> None:
    speakers = call.speakers
    if not speakers:
        return
    settings = ctx.settings
    channel_roles = {str(k): v for k, v in settings.channel_roles.items()}
    by_channel = {s.id for s in speakers if s.channel is not None and str(s.channel) in channel_roles}
    for s in speakers:
        if s.id in by_channel:
            _assign(s, channel_roles[str(s.channel)], 1.0, "channel")
    if len(by_channel) == len(speakers):
        return

    voice_matches = match_voiceprints(call, prints)
    for s in speakers:
        if s.id in voice_matches and s.id not in by_channel:
            name, similarity = voice_matches[s.id]
            s.name = name
            _assign(s, "rep", min(0.99, 0.5 + similarity / 2), "voiceprint")
    has_rep = any(s.role == "rep" for s in speakers)
    undecided = [s for s in speakers if s.role_source is None]
    if has_rep:
        # Someone is known to be the rep: the others are the prospect's side, but for a colleague on the rep's line.
        reps = [s for s in speakers if s.role == "rep"]
        for s in undecided:
            role = "rep" if any(on_one_line(s, rep) for rep in reps) else "prospect"
            _assign(s, role, 0.8, "voiceprint" if voice_matches else "channel")
        return

    scores = content_scores(call.transcription.utterances, settings.seller_company)
    ranked = sorted(undecided, key=lambda s: scores.get(s.id, 0.0), reverse=True)
    top = ranked[0]
    runner_up = scores.get(ranked[1].id, 0.0) if len(ranked) > 1 else 0.0
    lead = scores.get(top.id, 0.0) - max(runner_up, 0.0)
    if scores.get(top.id, 0.0) > 0 and lead > 0:
        rep, confidence, source = top, min(CONTENT_CONFIDENCE_CAP, 0.5 + 0.1 * lead), "content"
    else:
        first_id = call.transcription.utterances[0].speaker if call.transcription.utterances else undecided[0].id
        rep = next((s for s in undecided if s.id == first_id), undecided[0])
        confidence, source = DEFAULT_CONFIDENCE, "default"
    _assign(rep, "rep", confidence, source)
    for s in undecided:
        if s is not rep:
            _assign(s, "rep" if on_one_line(s, rep) else "prospect", confidence, source)


def on_one_line(speaker: Speaker, other: Speaker) -> bool:
    """Two voices of one channel of a dual-channel call: one line, so one side of the call (a sales engineer
    beside the rep; two people at the prospect's speakerphone)."""
    return speaker.channel is not None and speaker.channel == other.channel


def assign_names(call: Call) -> None:
    for speaker in call.speakers:
        if speaker.name:
            continue
        for u in call.transcription.utterances:
            if u.speaker == speaker.id:
                name = self_introduced_name(u.text)
                if name:
                    speaker.name = name
                    break


# Channel voiceprints use at most this much of each channel's speech (enough for a stable print).
CHANNEL_VOICEPRINT_S = 30.0


def channel_voiceprints(call: Call, ctx: Context) -> dict[str, np.ndarray]:
    """Speaker id -> voiceprint of their channel's transcribed speech (dual-channel calls).

    Channel diarization needs no voices, so nothing has embedded them yet; this is done only
    when a rep is enrolled, once per channel.
    """
    from leadscribe.speech.voice import encoder_for

    encoder = encoder_for(ctx.settings)
    prints = {}
    for speaker in call.speakers:
        if speaker.channel is None or call.samples is None or speaker.channel >= call.samples.shape[0]:
            continue
        spans, total = [], 0.0
        for segment in call.segments:
            if segment.channel == speaker.channel and total < CHANNEL_VOICEPRINT_S:
                spans.append((segment.start, min(segment.end, segment.start + CHANNEL_VOICEPRINT_S - total)))
                total += spans[-1][1] - spans[-1][0]
        if total > 0:
            prints[speaker.id] = encoder.embed_span_groups(call.samples[speaker.channel], [spans])[0]
    return prints


def roles(call: Call, ctx: Context) -> None:
    """Stage: `role`, `role_confidence`, `role_source` (and `name` when known) for every speaker."""
    from leadscribe.speech.enroll import load_voiceprints

    dual_channel = any(s.channel is not None for s in call.speakers)
    prints = load_voiceprints(ctx.settings) if call.voiceprints or dual_channel else []
    if prints and not call.voiceprints and dual_channel:
        call.voiceprints = channel_voiceprints(call, ctx)
    assign_roles(call, ctx, prints)
    assign_names(call)
    role_of = {s.id: s.role for s in call.speakers}
    for u in call.transcription.utterances:
        u.role = role_of.get(u.speaker, "unknown")
