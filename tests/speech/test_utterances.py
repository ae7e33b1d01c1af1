"""Words into utterances: a speaker change or a long pause starts a new one; a listener's back-channel ("mm-hm",
"right") inside someone's turn becomes an utterance of its own and does not cut that turn in two."""
from __future__ import annotations

from leadscribe.schema import Call, Diarization, FileInfo, Segment, SpeakerTurn, Word
from leadscribe.speech.utterances import build_utterances, summarise_speakers


def spoken(speaker: str, text: str, start: float, gap: float = 0.1, length: float = 0.3) -> list[Word]:
    """One word per token, each `length` long, `gap` apart, all said by `speaker`."""
    words = []
    for index, token in enumerate(text.split()):
        begin = start + index * (length + gap)
        words.append(Word(word=token, start=round(begin, 3), end=round(begin + length, 3), confidence=0.9,
                          speaker=speaker))
    return words


def call_of(*runs: list[Word]) -> Call:
    words = sorted((w for run in runs for w in run), key=lambda w: w.start)
    segment = Segment(start=words[0].start, end=words[-1].end, text=" ".join(w.word for w in words), language="en",
                      avg_logprob=-0.2, no_speech_prob=0.01, words=words)
    return Call(id="t", file=FileInfo(filename="t.wav", source="t.wav"), segments=[segment])


def said(call: Call) -> list[tuple[str, str]]:
    return [(u.speaker, u.text) for u in build_utterances(call)]


def test_a_back_channel_inside_a_turn_does_not_cut_it_in_two():
    first = spoken("S1", "the reporting is too slow and", 0.0)
    back_channel = spoken("S2", "mm-hm", 2.45)
    rest = spoken("S1", "our team wastes hours on exports", 2.9)
    assert said(call_of(first, back_channel, rest)) == [
        ("S1", "the reporting is too slow and our team wastes hours on exports"),
        ("S2", "mm-hm"),
    ]


def test_a_two_word_acknowledgement_is_a_back_channel_too():
    first = spoken("S1", "we run on Snowflake", 0.0)
    back_channel = spoken("S2", "right, okay", 1.7)
    rest = spoken("S1", "and Jira today", 2.6)
    assert [speaker for speaker, _ in said(call_of(first, back_channel, rest))] == ["S1", "S2"]


def test_a_real_answer_between_two_turns_keeps_three_utterances():
    question = spoken("S1", "what are you using today", 0.0)
    answer = spoken("S2", "we use Slack", 2.2)
    follow_up = spoken("S1", "and how big is the team", 3.6)
    assert said(call_of(question, answer, follow_up)) == [
        ("S1", "what are you using today"), ("S2", "we use Slack"), ("S1", "and how big is the team")]


def test_a_long_pause_starts_a_new_utterance_of_the_same_speaker():
    before = spoken("S1", "let me check", 0.0)
    after = spoken("S1", "okay it is forty seats", 1.1 + 2.5)
    assert said(call_of(before, after)) == [("S1", "let me check"), ("S1", "okay it is forty seats")]


def test_a_back_channel_after_a_long_pause_does_not_join_the_turns_around_it():
    first = spoken("S1", "we will send the proposal", 0.0)
    back_channel = spoken("S2", "yeah", 2.5)
    rest = spoken("S1", "by Friday", 6.0)  # 4 s after the back-channel: a new turn, not the same one
    assert [speaker for speaker, _ in said(call_of(first, back_channel, rest))] == ["S1", "S2", "S1"]


def test_speakers_are_everyone_the_diarizer_heard_with_talk_time_from_turns():
    call = call_of(spoken("S1", "hello there", 0.0))
    turns = [SpeakerTurn(speaker="S1", start=0.0, end=0.7), SpeakerTurn(speaker="S2", start=1.0, end=1.4)]
    call.diarization = Diarization(method="voice", turns=turns)
    speakers = summarise_speakers(build_utterances(call), turns)
    assert [(s.id, s.talk_time) for s in speakers] == [("S1", 0.7), ("S2", 0.4)]
