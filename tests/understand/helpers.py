"""Build Calls from text so understanding tests run without audio or Whisper."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.schema import Call, FileInfo, Speaker, Utterance, Word

CALL_DATE = "2025-02-10"  # a Monday


def make_call(turns: list[tuple[str, str, str]], vocabulary: Optional[dict[str, list[str]]] = None,
              confidence: float = 0.95, low_confidence_words: tuple[str, ...] = (),
              call_date: Optional[str] = CALL_DATE) -> Call:
    """A Call with one utterance per (speaker, role, text) turn; words 0.4 s apart.

    Words listed in `low_confidence_words` get confidence 0.3, the way Whisper scores a name it is unsure of.
    """
    utterances, t = [], 0.0
    for index, (speaker, role, text) in enumerate(turns):
        words = []
        for position, token in enumerate(text.split()):
            sure = token.strip(".,?!").lower() not in {w.lower() for w in low_confidence_words}
            words.append(Word(word=token, start=t, end=t + 0.35, confidence=confidence if sure else 0.3,
                              speaker=speaker, raw=(" " if position else "") + token))
            t += 0.4
        utterances.append(Utterance(id=index, speaker=speaker, role=role, start=words[0].start, end=words[-1].end,
                                    text=text, language="en", confidence=confidence, words=words))
        t += 0.6
    call = Call(id="test", file=FileInfo(filename="test.wav", source="test.wav"),
                custom_metadata={"call_date": call_date} if call_date else {},
                created_at=datetime(2025, 2, 10, tzinfo=timezone.utc))
    call.transcription.utterances = utterances
    call.speakers = [Speaker(id=s, role=r) for s, r in dict((s, r) for s, r, _ in turns).items()]
    call.metadata.vocabulary = vocabulary or {}
    return call


def make_context(**settings) -> Context:
    return Context(settings=Settings(**settings))
