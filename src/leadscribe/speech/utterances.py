"""Words grouped into speaker turns (utterances), the unit every later stage reads."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict

from pyannote.core import Segment, Timeline

from leadscribe.context import Context
from leadscribe.schema import Call, Speaker, SpeakerTurn, Utterance, Word

# A pause longer than this starts a new utterance even when the speaker is the same.
MAX_PAUSE_S = 2.0
# Whisper's word edges in one stream may overlap their neighbours' by a few hundredths of a second.
WORD_EDGE_JITTER_S = 0.05


def join_words(words: list[Word]) -> str:
    return "".join(w.raw if w.raw is not None else " " + w.word for w in words).strip()


# Short acknowledgements a listener drops into the other person's turn.
BACKCHANNELS = {"mm", "mhm", "mm-hm", "mm-hmm", "uh-huh", "hmm", "right", "okay", "ok", "yeah", "yes", "yep",
                "sure", "alright", "i", "see", "got", "it", "oh", "ah", "cool", "great", "exactly", "true"}
MAX_BACKCHANNEL_WORDS = 3
MAX_BACKCHANNEL_S = 1.5


def is_backchannel(words: list[Word]) -> bool:
    tokens = [w.word.lower().strip(".,!?;:\"'") for w in words]
    return (0 < len(words) <= MAX_BACKCHANNEL_WORDS and words[-1].end - words[0].start <= MAX_BACKCHANNEL_S
            and all(t in BACKCHANNELS for t in tokens))


def group_words(words: list[tuple[Word, str]]) -> list[list[tuple[Word, str]]]:
    """Group time-ordered (word, language) pairs into utterances, in order of their start.

    One channel (mono audio, or one party of a dual-channel call) is one stream of words: a turn ends where the
    speaker changes or a long pause falls (`group_turns`). Channels are heard at once, so across channels a turn
    ends only where another channel said more than a back-channel in a pause of this one: both parties talk at
    once (an interruption, a greeting said together), and a turn is what one of them said, not every other word
    of a merge by time ("He / The / began / horizon").
    """
    by_channel: dict[int | None, list[tuple[Word, str]]] = defaultdict(list)
    for pair in words:
        by_channel[pair[0].channel].append(pair)
    if len(by_channel) < 2:
        return group_turns(words)
    starts = [w.start for w, _ in words]
    groups: list[list[tuple[Word, str]]] = []
    for own in by_channel.values():
        for turn in group_turns(own):
            current = [turn[0]]
            for pair in turn[1:]:
                if another_channel_spoke_between(words, starts, current[-1][0], pair[0]):
                    groups.append(current)
                    current = []
                current.append(pair)
            groups.append(current)
    return sorted(groups, key=lambda g: (g[0][0].start, g[0][0].end))


def another_channel_spoke_between(words: list[tuple[Word, str]], starts: list[float], before: Word,
                                  after: Word) -> bool:
    """Whether another channel said more than a back-channel in the pause between two words of one channel: words
    wholly inside the pause (give or take Whisper's jitter at word edges), not words said over this one's own."""
    first = bisect_left(starts, before.end - WORD_EDGE_JITTER_S)
    last = bisect_right(starts, after.start)
    between = [w for w, _ in words[first:last]
               if w.channel != before.channel and w.end <= after.start + WORD_EDGE_JITTER_S]
    return bool(between) and not is_backchannel(between)


def group_turns(words: list[tuple[Word, str]]) -> list[list[tuple[Word, str]]]:
    """Split one stream of time-ordered (word, language) pairs wherever the speaker changes or a long pause falls.

    A back-channel ("mm-hm", "right", "okay") from another speaker inside someone's turn
    becomes an utterance of its own and does not cut the turn around it in two.
    """
    runs: list[list[tuple[Word, str]]] = []
    for pair in words:
        if runs and runs[-1][-1][0].speaker == pair[0].speaker:
            runs[-1].append(pair)
        else:
            runs.append([pair])
    # Fold "A, back-channel of B, A" into one A run plus a separate B run.
    merged: list[list[tuple[Word, str]]] = []
    asides: list[list[tuple[Word, str]]] = []
    index = 0
    while index < len(runs):
        run = runs[index]
        if (merged and index + 1 < len(runs) and merged[-1][-1][0].speaker == runs[index + 1][0][0].speaker
                and is_backchannel([w for w, _ in run])
                and runs[index + 1][0][0].start - merged[-1][-1][0].end <= MAX_PAUSE_S):
            asides.append(run)
            merged[-1].extend(runs[index + 1])
            index += 2
            continue
        merged.append(list(run))
        index += 1
    groups: list[list[tuple[Word, str]]] = []
    for run in merged + asides:
        current = [run[0]]
        for pair in run[1:]:
            if pair[0].start - current[-1][0].end > MAX_PAUSE_S:
                groups.append(current)
                current = []
            current.append(pair)
        groups.append(current)
    return sorted(groups, key=lambda g: (g[0][0].start, g[0][0].end))


def build_utterances(call: Call) -> list[Utterance]:
    tagged = sorted(((w, s.language) for s in call.segments for w in s.words), key=lambda p: (p[0].start, p[0].end))
    utterances = []
    for index, group in enumerate(group_words(tagged)):
        words = [w for w, _ in group]
        language = Counter(lang for _, lang in group).most_common(1)[0][0]
        utterances.append(Utterance(
            id=index, speaker=words[0].speaker or "S1", channel=words[0].channel,
            start=words[0].start, end=words[-1].end,
            text=join_words(words), language=language,
            confidence=round(sum(w.confidence for w in words) / len(words), 4), words=words,
        ))
    return utterances


def summarise_speakers(utterances: list[Utterance], turns: list[SpeakerTurn]) -> list[Speaker]:
    """One entry per speaker the diarizer heard or who said words; talk time from the diarizer's
    turns (it hears speech Whisper wrote nothing for, and no pauses), else from the utterances."""
    talk: dict[str, float] = defaultdict(float)
    channel: dict[str, int | None] = {}
    for u in utterances:
        channel.setdefault(u.speaker, u.channel)
    for t in turns:
        channel.setdefault(t.speaker, t.channel)
    if turns:
        for speaker in channel:
            talk[speaker] = Timeline([Segment(t.start, t.end) for t in turns if t.speaker == speaker]).support().duration()
    else:
        for u in utterances:
            talk[u.speaker] += u.end - u.start
    return [Speaker(id=s, channel=channel[s], talk_time=round(talk[s], 2)) for s in sorted(channel)]


def utterances(call: Call, ctx: Context) -> None:
    """Stage: fill `transcription.utterances`, `full_transcript`, `languages` and `speakers`."""
    call.transcription.utterances = build_utterances(call)
    call.transcription.full_transcript = "\n".join(u.text for u in call.transcription.utterances)
    seen = Counter(u.language for u in call.transcription.utterances)
    call.transcription.languages = [lang for lang, _ in seen.most_common()]
    call.speakers = summarise_speakers(call.transcription.utterances, call.diarization.turns)
