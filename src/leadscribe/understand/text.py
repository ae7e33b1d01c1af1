"""An utterance as text with a map back to its words, so a character span found by any extractor gets the
words' time span and the recogniser's confidence."""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Optional

from leadscribe.schema import Call, Entity, Utterance
from leadscribe.understand.numbers import SCALES, TENS_WORDS, UNITS_WORDS

# Whisper shares a number's probability among the ways to write it ("5,000", "5000", "five thousand", "$80" and
# "80 dollars"), so a digit token that is right often gets about half the mass ("5000" at 0.27-0.6 in our calls).
# A digit token at this share or above counts as clearly heard; below it the evidence falls in proportion (the
# one misheard amount we have seen, "$30,000" for eighty thousand, had its digits at 0.15).
DIGIT_FORM_SHARE = 0.5
# The other words of a sentence, heard on average at less than even odds: Whisper did not follow it, so a value or a
# list said in it is a guess too ("I lost track is slack for sorghum." for "Today everything is in Oracle and
# Slack", mean 0.31; "Very illistically, we've spent $10 million in here." for "half a million", 0.42). On 18
# synthetic seeds, sentences around lists heard right average 0.57 and up; two amounts heard right sat in such
# sentences ("Or is it is 1.2 million euros", 0.43 and 0.44) and go to review with the wrong one.
UNCLEAR_SENTENCE = 0.5
HAS_DIGIT = re.compile(r"\d")
# A number said in words shares its probability the same way ("twelve hundred" at 0.27 beside "1200"), and so does
# a scale however written ("fifty k", "fifty thousand", "50,000").
NUMBER_WORDS = (UNITS_WORDS - {"oh"}) | TENS_WORDS | set(SCALES)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# "We use X, but the reporting is too slow": the clause after "but" is the complaint, classified on its own.
# Whisper also joins sentences with commas ("Perfect, I will send a proposal by Friday, what is..."): a comma
# before a clause of four words or more starts a new one.
CLAUSE_BREAK = re.compile(r",?\s+but\s+|;\s+|,\s+(?=(?:\S+\s+){3}\S)", re.I)


@dataclass
class UtteranceText:
    utterance: Utterance
    text: str = ""
    offsets: list[tuple[int, int]] = field(default_factory=list)
    """(start, end) characters of each word in `text`."""

    @classmethod
    def of(cls, utterance: Utterance) -> "UtteranceText":
        built = cls(utterance)
        parts: list[str] = []
        position = 0
        for index, word in enumerate(utterance.words):
            # `raw` keeps Whisper's own spacing ("$80" + ",000"); without it words are joined by one space.
            piece = word.raw if word.raw is not None else ((" " if index else "") + word.word.strip())
            if index == 0:
                piece = piece.lstrip()
            lead = len(piece) - len(piece.lstrip())
            built.offsets.append((position + lead, position + len(piece)))
            parts.append(piece)
            position += len(piece)
        built.text = "".join(parts)
        if not utterance.words:
            built.text = utterance.text
        return built

    def locate(self, phrase: str, said_at: float | None) -> int:
        """Where `phrase` stands in the text, -1 if nowhere. Of its every place, the one whose words begin nearest
        `said_at` (an entity's start time): a name said twice in a turn ("Slack ... and Jira and Slack") is looked
        at where it was found, not where it first stands."""
        places = [m.start() for m in re.finditer(re.escape(phrase), self.text)] if phrase else []
        if len(places) < 2 or said_at is None:
            return places[0] if places else -1
        return min(places, key=lambda at: abs(self.times(at, at + len(phrase))[0] - said_at))

    def word_indices(self, start: int, end: int) -> list[int]:
        return [i for i, (s, e) in enumerate(self.offsets) if s < end and e > start]

    def without_unheard_edges(self, start: int, end: int, floor: float) -> tuple[int, int]:
        """The span less the words at its ends the recogniser gave under `floor`: Whisper pads a segment's edge
        with guesses ("... on exports About", the next turn's first word stretched over the pause before it)."""
        spanned = self.word_indices(start, end)
        indices = list(spanned)
        words = self.utterance.words
        while indices and words[indices[-1]].confidence < floor:
            indices.pop()
        while indices and words[indices[0]].confidence < floor:
            indices.pop(0)
        if not indices or len(indices) == len(spanned):
            return start, end
        return max(start, self.offsets[indices[0]][0]), min(end, self.offsets[indices[-1]][1])

    def times(self, start: int, end: int) -> tuple[float, float]:
        indices = self.word_indices(start, end)
        if not indices:
            return self.utterance.start, self.utterance.end
        words = self.utterance.words
        return words[indices[0]].start, words[indices[-1]].end

    def asr_confidence(self, start: int, end: int) -> float:
        """Mean word confidence over the span (the recogniser's own certainty); 1.0 when there are no words."""
        indices = self.word_indices(start, end)
        if not indices:
            return self.utterance.confidence if self.utterance.words else 1.0
        return sum(self.utterance.words[i].confidence for i in indices) / len(indices)

    def unclear_sentence(self, start: int, end: int) -> Optional[float]:
        """The mean probability of the other words of the sentence around start..end when it is under
        UNCLEAR_SENTENCE (Whisper did not follow the sentence); None when it is not, or when the sentence is the
        span alone."""
        sentence_start, sentence_end = sentence_around(self.text, start, end)
        own = set(self.word_indices(start, end))
        others = [self.utterance.words[i].confidence for i in self.word_indices(sentence_start, sentence_end)
                  if i not in own]
        mean = sum(others) / len(others) if others else 1.0
        return mean if mean < UNCLEAR_SENTENCE else None

    def weakest_hearing(self, start: int, end: int, other_values: Collection[str] = ()) -> float:
        """How clearly the span's least certain word was heard (`word_evidence`); 1.0 when there are no words.

        A value is only as right as its weakest word: "$30,000 for this year" is wrong if "$30" is, however
        clearly "for this year" was heard, so a value's own words decide, not the mean over its sentence.
        Words in `other_values` (lower-case) say another value, heard on its own: "pounds" in "120,000 pounds" is
        the currency, not the amount.
        """
        words = self.utterance.words
        indices = [i for i in self.word_indices(start, end) if words[i].word.strip(" ,.?!").lower() not in other_values]
        if not indices:
            return self.utterance.confidence if words else 1.0
        return min(word_evidence(words[i].word, words[i].confidence) for i in indices)

    def sentences(self) -> list[tuple[int, int]]:
        spans, start = [], 0
        for match in SENTENCE_END.finditer(self.text):
            spans.append((start, match.start()))
            start = match.end()
        if start < len(self.text):
            spans.append((start, len(self.text)))
        return [(s, e) for s, e in spans if self.text[s:e].strip()]

    def sentences_or_whole(self) -> list[tuple[int, int]]:
        return self.sentences() or [(0, len(self.text))]

    def clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        """The clauses of the sentence text[start:end] (CLAUSE_BREAK)."""
        return split_clauses(self.text, start, end)


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence holding text[start:end]: from after the last '.', '?' or '!' before `start`
    to the first one at or after `end` (the end of the text if there is none)."""
    sentence_start = max(text.rfind(mark, 0, start) for mark in ".?!") + 1
    ends = [i for i in (text.find(mark, end) for mark in ".?!") if i != -1]
    return sentence_start, min(ends) if ends else len(text)


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    clauses, position = [], start
    for match in CLAUSE_BREAK.finditer(text, start, end):
        clauses.append((position, match.start()))
        position = match.end()
    clauses.append((position, end))
    return [(s, e) for s, e in clauses if text[s:e].strip()]


def sentences_and_clauses(utterances: list[Utterance]) -> list[str]:
    """Every sentence and every clause of the utterances: the texts the classifying stages embed."""
    units: list[str] = []
    for utterance in utterances:
        ut = UtteranceText.of(utterance)
        for start, end in ut.sentences_or_whole():
            units.append(ut.text[start:end])
            units += [ut.text[s:e] for s, e in ut.clauses(start, end)]
    return list(dict.fromkeys(units))


def word_evidence(word: str, probability: float) -> float:
    """How clearly one word was heard: its probability, or for a digit token its share of DIGIT_FORM_SHARE."""
    if HAS_DIGIT.search(word) or all(p in NUMBER_WORDS for p in word.strip(" ,.?!").lower().split("-") if p) \
            and word.strip(" ,.?!-"):
        return min(1.0, probability / DIGIT_FORM_SHARE)
    return probability


def combined_confidence(extractor: float, asr: float) -> float:
    """The extractor's confidence, discounted by how sure the recogniser was of the words.

    Whisper's word probabilities are low on correct rare names ("Maya" 0.16), so they temper rather than
    multiply: a name heard at 0.2 keeps 60% of the extractor's confidence.
    """
    return round(extractor * (0.5 + 0.5 * max(0.0, min(1.0, asr))), 4)


def where_said(call: Call, entity: Entity) -> Optional[tuple[UtteranceText, int]]:
    """The entity's turn as text and where the entity's words stand in it (of two places, the one said when the
    entity was: the same amount said again later in the turn is another hearing); None when neither is found."""
    utterance = next((u for u in call.transcription.utterances if u.id == entity.utterance), None)
    if utterance is None:
        return None
    ut = UtteranceText.of(utterance)
    at = ut.locate(entity.text, entity.start)
    return (ut, at) if at >= 0 else None
