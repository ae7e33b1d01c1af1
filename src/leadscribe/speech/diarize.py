"""Who spoke when: speaker turns, and each word's speaker.

Dual-channel recordings are separated by channel (exact, free). Mono audio goes to
voice-based diarization; until that lands a mono call is one speaker.
"""
from __future__ import annotations

from leadscribe.context import Context
from leadscribe.schema import Call, Segment, SpeakerTurn, Word


def channel_speaker_id(channel: int) -> str:
    return f"S{channel + 1}"


def diarize_by_channel(segments: list[Segment]) -> list[SpeakerTurn]:
    """One speaker per channel; a turn per transcribed segment."""
    return [SpeakerTurn(speaker=channel_speaker_id(s.channel or 0), start=s.start, end=s.end, channel=s.channel)
            for s in segments]


def diarize_by_voice(call: Call, ctx: Context) -> list[SpeakerTurn]:
    """Speaker turns from the voice alone (mono audio). For now: a single speaker."""
    words = [w for s in call.segments for w in s.words]
    if not words:
        return []
    return [SpeakerTurn(speaker="S1", start=words[0].start, end=words[-1].end, channel=None)]


def assign_speakers(words: list[Word], turns: list[SpeakerTurn]) -> None:
    """Give each word the speaker whose turn overlaps it most (nearest turn if none does)."""
    if not turns:
        return
    for word in words:
        best, best_overlap, best_distance = None, 0.0, float("inf")
        for turn in turns:
            if word.channel is not None and turn.channel is not None and turn.channel != word.channel:
                continue
            overlap = min(word.end, turn.end) - max(word.start, turn.start)
            distance = max(turn.start - word.end, word.start - turn.end, 0.0)
            if overlap > best_overlap or (best_overlap <= 0 and overlap <= 0 and distance < best_distance):
                best, best_overlap, best_distance = turn, max(overlap, 0.0), distance
        word.speaker = best.speaker if best else turns[0].speaker


def diarize(call: Call, ctx: Context) -> None:
    """Stage: fill `call.turns` and every word's speaker."""
    by_channel = len({s.channel for s in call.segments if s.channel is not None}) > 1 or (
        call.samples is not None and call.samples.shape[0] > 1)
    call.turns = diarize_by_channel(call.segments) if by_channel else diarize_by_voice(call, ctx)
    assign_speakers([w for s in call.segments for w in s.words], call.turns)
