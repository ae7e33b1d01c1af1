"""Words grouped into speaker turns (utterances), the unit every later stage reads."""
from __future__ import annotations

from collections import Counter, defaultdict

from leadscribe.context import Context
from leadscribe.schema import Call, Speaker, Utterance, Word

# A pause longer than this starts a new utterance even when the speaker is the same.
MAX_PAUSE_S = 2.0


def join_words(words: list[Word]) -> str:
    return "".join(w.raw if w.raw is not None else " " + w.word for w in words).strip()


def group_words(words: list[tuple[Word, str]]) -> list[list[tuple[Word, str]]]:
    """Split time-ordered (word, language) pairs wherever the speaker changes or a long pause falls."""
    groups: list[list[tuple[Word, str]]] = []
    for word, language in words:
        if groups:
            last = groups[-1][-1][0]
            if last.speaker == word.speaker and word.start - last.end <= MAX_PAUSE_S:
                groups[-1].append((word, language))
                continue
        groups.append([(word, language)])
    return groups


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


def summarise_speakers(utterances: list[Utterance]) -> list[Speaker]:
    talk: dict[str, float] = defaultdict(float)
    channel: dict[str, int | None] = {}
    for u in utterances:
        talk[u.speaker] += u.end - u.start
        channel.setdefault(u.speaker, u.channel)
    return [Speaker(id=s, channel=channel[s], talk_time=round(t, 2)) for s, t in sorted(talk.items())]


def utterances(call: Call, ctx: Context) -> None:
    """Stage: fill `transcription.utterances`, `full_transcript`, `languages` and `speakers`."""
    call.transcription.utterances = build_utterances(call)
    call.transcription.full_transcript = "\n".join(u.text for u in call.transcription.utterances)
    seen = Counter(u.language for u in call.transcription.utterances)
    call.transcription.languages = [lang for lang, _ in seen.most_common()]
    call.speakers = summarise_speakers(call.transcription.utterances)
