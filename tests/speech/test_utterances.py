"""Words into utterances: a speaker change or a long pause starts a new one; a listener's back-channel ("mm-hm",
"right") inside someone's turn becomes an utterance of its own and does not cut that turn in two."""
from __future__ import annotations

from leadscribe.schema import Call, Diarization, FileInfo, Segment, SpeakerTurn, Word
from leadscribe.speech.diarize import fit_words_to_speech
from leadscribe.speech.utterances import build_utterances, summarise_speakers


def spoken(speaker: str, text: str, start: float, gap: float = 0.1, length: float = 0.3,
           channel: int | None = None) -> list[Word]:
    """One word per token, each `length` long, `gap` apart, all said by `speaker` (on `channel` of a
    dual-channel recording, or of mono audio when None)."""
    words = []
    for index, token in enumerate(text.split()):
        begin = start + index * (length + gap)
        words.append(Word(word=token, start=round(begin, 3), end=round(begin + length, 3), confidence=0.9,
                          speaker=speaker, channel=channel))
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


def test_two_parties_talking_at_once_keep_one_utterance_each():
    # A dual-channel call: both parties say a sentence at the same time; merged by time their words alternate.
    left = spoken("S1", "he began a confused complaint against the wizard", 0.0, gap=0.05, channel=0)
    right = spoken("S2", "the horizon seems extremely distant", 0.15, gap=0.1, channel=1)
    assert said(call_of(left, right)) == [("S1", "he began a confused complaint against the wizard"),
                                          ("S2", "the horizon seems extremely distant")]


def test_an_answer_on_the_other_channel_in_a_pause_splits_the_turns():
    question = spoken("S1", "and how many seats", 0.0, channel=0)  # ends at 1.5 s
    answer = spoken("S2", "forty seats", 1.4, channel=1)  # starts while "seats" is still said, ends at 2.1 s
    follow_up = spoken("S1", "great and the budget", 2.3, channel=0)  # 0.8 s after the question: no long pause
    assert said(call_of(question, answer, follow_up)) == [
        ("S1", "and how many seats"), ("S2", "forty seats"), ("S1", "great and the budget")]


def test_a_back_channel_on_the_other_channel_does_not_split_a_turn():
    first = spoken("S1", "the reporting is too slow and", 0.0, channel=0)
    back_channel = spoken("S2", "mm-hm", 2.45, channel=1)
    rest = spoken("S1", "our team wastes hours on exports", 2.9, channel=0)
    assert said(call_of(first, back_channel, rest)) == [
        ("S1", "the reporting is too slow and our team wastes hours on exports"), ("S2", "mm-hm")]


def test_a_word_stretched_over_the_other_partys_turn_is_cut_back_to_its_speech():
    # Channel 1 said "Redwood Insurance" (ends 1.1 s), then, after channel 0's question, "we run Excel" from 4.0 s;
    # Whisper stretched "we" back over the pause to 1.2 s, so no pause of channel 1 holds the question.
    prospect = spoken("S2", "Redwood Insurance", 0.0, channel=1) + \
        [Word(word="we", start=1.2, end=4.3, confidence=0.6, speaker="S2", channel=1)] + \
        spoken("S2", "run Excel", 4.4, channel=1)
    question = spoken("S1", "what are you using today", 1.5, channel=0)
    fit_words_to_speech([w for w in prospect], [(0.0, 0.75), (3.95, 5.2)])
    assert prospect[2].start == 3.95 and prospect[2].end == 4.3
    assert said(call_of(prospect, question)) == [("S2", "Redwood Insurance"), ("S1", "what are you using today"),
                                                 ("S2", "we run Excel")]
