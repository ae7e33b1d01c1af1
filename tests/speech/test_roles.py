"""Rep / prospect roles and names, from channel settings, content and (see test_enroll) voice."""
from __future__ import annotations

from leadscribe.speech.diarize import diarize
from leadscribe.speech.roles import content_scores, roles, self_introduced_name
from leadscribe.speech.utterances import utterances
from tests.speech.conftest import run_stages


def test_self_introductions_give_names():
    assert self_introduced_name("Hello and welcome to Callytics. My name is Emily. How may I help?") == "Emily"
    assert self_introduced_name("Hi, this is Mark from Acme.") == "Mark"
    assert self_introduced_name("This is great, thanks.") is None
    assert self_introduced_name("I'm good, thanks.") is None


def test_content_cues_point_at_the_rep(transcribed, tmp_path):
    call, source = transcribed("callytics-csvd/Call02.wav")
    run_stages(call, source, [diarize, utterances, roles], voiceprints_dir=tmp_path)
    by_id = {s.id: s for s in call.speakers}
    reps = [s for s in call.speakers if s.role == "rep"]
    assert len(reps) == 1 and reps[0].role_source == "content"
    first = call.transcription.utterances[0]
    assert by_id[first.speaker].role == "rep"  # the CSR greets the caller
    assert all(s.role == "prospect" for s in call.speakers if s is not reps[0])
    assert all(u.role == by_id[u.speaker].role for u in call.transcription.utterances)


def test_channel_roles_setting_wins(transcribed, tmp_path):
    call, source = transcribed("whisper-and-faster-whisper/stereo_diarization.wav")
    run_stages(call, source, [diarize, utterances, roles], voiceprints_dir=tmp_path,
               channel_roles={"0": "prospect", "1": "rep"})
    roles_by_channel = {s.channel: (s.role, s.role_source, s.role_confidence) for s in call.speakers}
    assert roles_by_channel == {0: ("prospect", "channel", 1.0), 1: ("rep", "channel", 1.0)}


def utt(i, speaker, text):
    from leadscribe.schema import Utterance

    return Utterance(id=i, speaker=speaker, start=i, end=i + 1, text=text, language="en", confidence=1, words=[])


def test_seller_company_self_introduction_scores_rep():
    scores = content_scores([utt(0, "S1", "Hi, I'm calling about my invoice."),
                             utt(1, "S2", "Sure, this is Dana at Northwind, let me check.")], "Northwind")
    assert scores["S2"] > 0 > scores["S1"]


def test_the_one_asking_the_discovery_questions_outscores_a_prospect_who_thanks_for_the_call():
    # Synthetic seed 5, call 0, as the pipeline heard it: the rep's introduction was cut by a change of speaker
    # ("this is Maya from" / "Northwind Analytics,"), and the prospect's "Thanks for calling." reads as a support
    # line's greeting, a strong rep cue. Roles had come out swapped for the whole call.
    turns = [("S1", "Hi, this is Maya from"), ("S2", "Northwind Analytics,"),
             ("S1", "thanks for taking the time today."),
             ("S2", "Thanks for calling Laura Johnson, Operations Manager over at Summit Freight. Great,"),
             ("S1", "What are you using today, and what is not working?"),
             ("S2", "We run on Snowflake and Slack, but we lose track of follow ups after every call."),
             ("S1", "How big is the company, and how many people need access?"),
             ("S2", "We're roughly 850 people in total, so maybe 25 licenses to start."),
             ("S1", "Do you have a budget in mind?"), ("S2", "We have 200k approved for this project."),
             ("S1", "Are you looking at anyone else?"), ("S2", "Looker and Tableau are on our short list too.")]
    scores = content_scores([utt(i, speaker, text) for i, (speaker, text) in enumerate(turns)], "Northwind Analytics")
    assert scores["S1"] > scores["S2"]


def test_a_colleague_on_the_reps_line_is_on_the_reps_side():
    """Dual-channel call, two voices on the rep's channel (a sales engineer joined): content finds the rep, the
    other voice of that channel is the seller's side too, and the other channel is the prospect."""
    from leadscribe.config import Settings
    from leadscribe.context import Context
    from leadscribe.schema import Call, FileInfo, Speaker
    from leadscribe.speech.roles import assign_roles

    call = Call(id="c", file=FileInfo(filename="x.wav", source="x.wav"))
    call.speakers = [Speaker(id="S1", channel=0), Speaker(id="S2", channel=1), Speaker(id="S3", channel=0)]
    call.transcription.utterances = [
        utt(0, "S1", "Thanks for calling Northwind, how can I help you today?"),
        utt(1, "S2", "Hi, we are looking at tools for our sales team."),
        utt(2, "S3", "Happy to walk you through the integration side."),
        utt(3, "S2", "Great, we mostly use Salesforce.")]
    assign_roles(call, Context(settings=Settings.load(seller_company="Northwind")), [])
    assert {s.id: s.role for s in call.speakers} == {"S1": "rep", "S2": "prospect", "S3": "rep"}
