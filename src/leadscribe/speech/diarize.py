"""Who spoke when: speaker turns (`call.diarization`), and each word's speaker.

Dual-channel recordings are separated by channel (exact): each channel is one party, its turns
are where the segmentation model hears speech on it, and a word Whisper stretched over the
channel's silence is cut back to that speech. A channel is diarized by voice as below when it
clearly holds more than one (two people at one speakerphone); a stray short cluster on a
channel (a cough, the other party's echo) is not a speaker.

Mono audio is diarized by voice (`diarize_by_segmentation`):
1. pyannote segmentation-3.0 (`speech.segmentation`) hears 10 s windows every 5 s and marks,
   per frame, which of up to three *local* speakers talk, two at once where they overlap.
2. Each window's local speaker gets one CAM++ voiceprint from their speech in that window
   (`speech.voice`), preferring speech without overlap.
3. Local speakers with enough speech are clustered (agglomerative, cosine, average linkage);
   the number of speakers comes from a similarity threshold unless the user fixed it, and a
   cluster too small or too close to another is folded into it (no phantom speakers). Short
   local speakers unlike every voice found become speakers of their own when they add up
   to enough speech (a meeting participant who only said "agreed").
4. Every local speaker is assigned to a speaker, two of one window never to the same one
   (the model heard them as two voices); frame activity is rebuilt across windows, overlap
   keeping both voices, and runs of activity become turns.
5. Each word takes the speaker most active under it (in overlap, the one the model favours).
6. Each chunk of words between pauses (one speaker's, a second or longer) is checked by its own voiceprint:
   the model can hear two like voices in one window as one local speaker, and a chunk clearly more like
   another voice moves to it, with the frames where only it was heard (`check_chunks_by_voice`).

When the segmentation model is unavailable or hears nobody, Whisper's words are cut into
chunks at pauses, embedded and clustered the same way (`diarize_by_voice`).
"""
from __future__ import annotations

import logging
import os
import re
import threading
from bisect import bisect_left, bisect_right
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from leadscribe.audio.decode import SAMPLE_RATE
from leadscribe.config import Settings
from leadscribe.context import Context
from leadscribe.schema import Call, Diarization, SpeakerTurn, Word

if TYPE_CHECKING:
    from leadscribe.speech.voice import SpeakerEncoder

logger = logging.getLogger(__name__)

# Chunking: a pause at least this long ends a chunk; no chunk grows longer than MAX_CHUNK_S.
CHUNK_PAUSE_S = 0.3
MAX_CHUNK_S = 2.5
# Chunks at least this long vote in clustering; shorter ones are only assigned afterwards.
RELIABLE_CHUNK_S = 1.0
# Average-linkage cosine similarity above which two groups of chunks are the same voice.
SAME_SPEAKER_SIMILARITY = 0.6
# A cluster with less than this share of the reliable speech, or less speech than
# MIN_SPEAKER_S, is not a participant (stray chunks of a noisy line, a cough, a laugh).
MIN_SPEAKER_SHARE = 0.01
MIN_SPEAKER_S = 0.3
# Two speakers whose mean voiceprints are this similar are one person (different
# speakers in our calls stay below 0.7; one voice over a changing line stays above 0.8).
SAME_CENTROID_SIMILARITY = 0.75
# A cluster resting on a single chunk is a new speaker only if it is clearly unlike every
# other voice: one chunk of one voice on a noisy line can drift to ~0.6 from its own centroid.
LONE_CHUNK_SIMILARITY = 0.55
# A short chunk whose best and second-best speaker similarities differ by less than this
# takes its neighbours' speaker instead.
WEAK_MARGIN = 0.12
# Turns of one speaker separated by less than this are one turn.
TURN_BRIDGE_S = 1.0
# Segmentation turns: a pause shorter than TURN_GAP_S does not end a turn; a turn shorter
# than MIN_TURN_S is a flicker of the model, not speech. Speakers pause for breath or a word
# for up to about 1.3 s inside one turn, and references keep such pauses in the turn, even
# when someone else drops in a word meanwhile (measured: bridging pauses under 1.1-1.4 s
# instead of 1.0 s helps calls and AMI alike; from 1.5 s, turns swallow real silences).
TURN_GAP_S = 1.3
MIN_TURN_S = 0.1
# A frame counts one more speaker once the windows' mean local speaker count passes
# n + 1 - COUNT_ROUNDING (0.5 would be plain rounding; lower hears more quiet speech).
COUNT_ROUNDING = 0.5
SOFT_ACTIVITY = False
# The segmentation model marks at most two people talking at once.
MAX_SPEAKERS_PER_FRAME = 2


def channel_speaker_id(channel: int) -> str:
    return f"S{channel + 1}"


# Speech per channel when the voice models are unavailable: tight padding and short pauses, since these turns are
# scored against when each party was heard (the transcription VAD pads generously for Whisper).
CHANNEL_VAD = VadOptions(threshold=0.3, min_speech_duration_ms=150, min_silence_duration_ms=300, speech_pad_ms=60)
# Pauses shorter than this inside one channel's speech are bridged, as CHANNEL_VAD's minimum silence.
CHANNEL_PAUSE_S = 0.3
# Shorter bursts of a channel's speech are dropped, as CHANNEL_VAD's minimum speech.
CHANNEL_MIN_SPEECH_S = 0.15
# A channel is one party, and most often one voice: a second voice on it must hold this much speech, and this share
# of the channel's, to be a speaker. A cough, a laugh or the other party's echo on the line makes short clusters of
# its own (SpokenWOZ's caller channel: 1.8 s and 0.3 s beside 71 s of one voice); a second person at a speakerphone
# says more than that.
CHANNEL_VOICE_MIN_S = 4.0
CHANNEL_VOICE_MIN_SHARE = 0.05
# A word reaching this far past its channel's speech is stretched over silence (VAD pads speech by 60 ms and word
# edges jitter by a few hundredths; a stretched word covers a whole pause).
MAX_WORD_STRETCH_S = 0.3


def channel_settings(settings: Settings, channels: int) -> Settings:
    """The speaker-count settings for finding the voices of one channel of a `channels`-channel call: the user's
    counts are for the whole call, and every other channel holds at least one of its speakers."""
    most = settings.num_speakers or settings.max_speakers
    cap = max(1, most - (channels - 1)) if most else None
    return settings.model_copy(update={"num_speakers": None, "min_speakers": None, "max_speakers": cap})


def find_channel_voices(samples: np.ndarray, settings: Settings, threads: int = 1) -> list[Optional[VoiceMap]]:
    """`find_voices` on each channel of a multi-channel recording, each heard on its own."""
    own = channel_settings(settings, samples.shape[0])
    return [find_voices(channel, own, threads) for channel in samples]


def channel_speech_spans(voices: VoiceMap, duration: float) -> list[tuple[float, float]]:
    """Where anyone talks on the channel, as the segmentation model heard it (its short back-channels and a
    turn's first syllables included, which Silero at the VAD threshold misses on narrowband lines)."""
    spans: list[list[float]] = []
    for first, last in _runs(voices.active.any(axis=0)):
        start, end = first * voices.frame_step, min(duration, last * voices.frame_step)
        if spans and start - spans[-1][1] <= CHANNEL_PAUSE_S:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(round(a, 3), round(b, 3)) for a, b in spans if b - a >= CHANNEL_MIN_SPEECH_S]


def channel_voices_kept(voices: VoiceMap) -> list[int]:
    """The clusters of a channel that are speakers (CHANNEL_VOICE_MIN_S, CHANNEL_VOICE_MIN_SHARE), in the order
    they first talk; the largest when none is."""
    seconds = voices.active.sum(axis=1) * voices.frame_step
    enough = np.flatnonzero((seconds >= CHANNEL_VOICE_MIN_S) & (seconds >= CHANNEL_VOICE_MIN_SHARE * seconds.sum()))
    if len(enough) < 2:
        return [int(seconds.argmax())]
    first_frame = {int(k): int(np.flatnonzero(voices.active[k])[0]) for k in enough}
    return sorted(first_frame, key=first_frame.get)


def fold_into(voices: VoiceMap, kept: list[int], duration: float) -> VoiceMap:
    """`voices` with only the `kept` clusters, renumbered in that order: each other cluster's frames go to the kept
    voice its voiceprint is most like."""
    nearest = {k: kept[int(np.argmax(voices.centres[kept] @ voices.centres[k]))] for k in range(len(voices.centres))}
    active = np.zeros((len(kept), voices.active.shape[1]), dtype=bool)
    score = np.zeros((len(kept), voices.score.shape[1]))
    for k, into in nearest.items():
        row = kept.index(into)
        active[row] |= voices.active[k]
        score[row] = np.maximum(score[row], voices.score[k])
    return replace(voices, active=active, score=score, centres=voices.centres[kept],
                   turns=turns_from_activity(active, voices.frame_step, duration))


def diarize_by_channel(call: Call, ctx: Context) -> list[SpeakerTurn]:
    """One party per channel; a channel holding several voices (a prospect's speakerphone with two people at it) is
    diarized by voice within it.

    Each channel is heard by the voice models on its own (`find_channel_voices`, started beside Whisper by
    `start_finding_voices`): its turns are where it carries speech, which includes speech Whisper wrote no words
    for and excludes silences Whisper stretched a word over. The channel's first voice is S<channel + 1> (the
    ids `channel_roles` and single-voice calls have always had); further voices take the ids after the last
    channel's. A word stretched over its channel's silence is cut back to the speech it belongs to
    (`fit_words_to_speech`). Without the voice models, Silero VAD finds each channel's speech, one speaker each."""
    channels, duration = call.samples.shape[0], call.samples.shape[1] / SAMPLE_RATE
    voice_maps = collect_channel_voices(call, ctx)
    turns: list[SpeakerTurn] = []
    next_id = channels + 1
    for channel in range(channels):
        words = [word for segment in call.segments if (segment.channel or 0) == channel for word in segment.words]
        own = channel_speaker_id(channel)
        voices = voice_maps[channel]
        if voices is None:
            regions = get_speech_timestamps(call.samples[channel], CHANNEL_VAD, sampling_rate=SAMPLE_RATE)
            spans = [(round(r["start"] / SAMPLE_RATE, 3), round(r["end"] / SAMPLE_RATE, 3)) for r in regions]
        else:
            spans = channel_speech_spans(voices, duration)
        kept = channel_voices_kept(voices) if voices is not None else []
        ids = [own] + [f"S{next_id + k}" for k in range(len(kept) - 1)]
        next_id += len(ids) - 1
        # The voices' prints serve the enrolled reps' voiceprints (`roles`), as on a mono call.
        call.voiceprints.update({ids[k]: voices.centres[cluster] for k, cluster in enumerate(kept)})
        if len(kept) < 2:
            for word in words:
                word.speaker = own
            turns += [SpeakerTurn(speaker=own, start=a, end=b, channel=channel) for a, b in spans]
        else:  # several voices on the line: diarized as a mono call is
            voices = fold_into(voices, kept, duration)
            clusters = clusters_of_words(call.samples[channel], words, voices, ctx)
            turns += label_words_and_turns(words, clusters, voices, dict(enumerate(ids)), channel)
        fit_words_to_speech(words, spans)
    return sorted(turns, key=lambda t: (t.start, t.channel))


def collect_channel_voices(call: Call, ctx: Context) -> list[Optional[VoiceMap]]:
    """Each channel's voices, from the background search or found now; all None when the models are unavailable
    (the channels are still told apart, by Silero VAD)."""
    from leadscribe.errors import ModelError

    try:
        return voices_searched(ctx, "channel_voices", find_channel_voices, call.samples)
    except (ImportError, ModelError) as exc:
        logger.warning("voice models unavailable (%s); each channel is one speaker, its speech found by VAD", exc)
        return [None] * call.samples.shape[0]


def fit_words_to_speech(words: list[Word], spans: list[tuple[float, float]]) -> None:
    """Cut each word that reaches over a silence of its own channel back to the stretch of speech holding most of
    it. Whisper stretches a turn's first word back over the pause before it (or a last word on over the pause
    after): on a dual-channel call that pause is where the other party spoke, and a word laid over their turn
    would join two turns of this party into one utterance with the other's turn inside it. `spans` are in time
    order and do not overlap (VAD regions), so each word looks only at those around it: a two-hour call has tens
    of thousands of words and thousands of regions."""
    starts = [a for a, _ in spans]
    for word in words:
        nearby = spans[max(0, bisect_right(starts, word.start) - 1):bisect_left(starts, word.end)]
        overlaps = [(min(word.end, b) - max(word.start, a), a, b) for a, b in nearby if a < word.end and b > word.start]
        if not overlaps:
            continue  # Whisper heard a word where the channel detector heard none: keep Whisper's times
        _, a, b = max(overlaps)
        outside = max(0.0, a - word.start) + max(0.0, word.end - b)
        if len(overlaps) > 1 or outside > MAX_WORD_STRETCH_S:
            word.start, word.end = round(max(word.start, a), 3), round(min(word.end, b), 3)


@dataclass
class Chunk:
    words: list[Word]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def duration(self) -> float:
        return self.end - self.start


def chunk_words(words: list[Word], pause_s: float = CHUNK_PAUSE_S, max_s: float = MAX_CHUNK_S,
                label: Optional[Callable[[Word], object]] = None) -> list[Chunk]:
    """Cut time-ordered words into chunks at pauses, before a chunk would exceed `max_s`, and where `label`
    (if given) changes from one word to the next."""
    chunks: list[Chunk] = []
    for word in words:
        if chunks:
            current = chunks[-1]
            if word.start - current.end < pause_s and word.end - current.start <= max_s and (
                    label is None or label(word) == label(current.words[-1])):
                current.words.append(word)
                continue
        chunks.append(Chunk([word]))
    return chunks


def cluster_voices(embeddings: np.ndarray, weights: np.ndarray, num_speakers: Optional[int] = None,
                   min_speakers: Optional[int] = None, max_speakers: Optional[int] = None) -> np.ndarray:
    """Cluster L2-normalised embeddings; return a label per row (0..k-1).

    Without a fixed count, merging stops when the groups are less similar than
    SAME_SPEAKER_SIMILARITY, within [min_speakers, max_speakers]. Clusters that hold
    less than MIN_SPEAKER_SHARE of the weight are then folded into their nearest
    neighbour unless that would go below the requested minimum.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    lowest = max(1, num_speakers or min_speakers or 1)
    highest = max(lowest, min(n, num_speakers or max_speakers or n))
    tree = linkage(embeddings, method="average", metric="cosine")
    if num_speakers:
        labels = fcluster(tree, t=min(num_speakers, n), criterion="maxclust")
    else:
        labels = fcluster(tree, t=1.0 - SAME_SPEAKER_SIMILARITY, criterion="distance")
        count = len(set(labels))
        if count > highest or count < lowest:
            labels = fcluster(tree, t=min(max(count, lowest), highest), criterion="maxclust")
    labels = _relabel(labels)
    if not num_speakers:
        labels = _fold_small_clusters(embeddings, weights, labels, lowest)
    return labels


def _relabel(labels: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.astype(int)


def centroids_of(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    centres = np.stack([embeddings[labels == k].mean(axis=0) for k in range(labels.max() + 1)])
    return centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)


def _fold_small_clusters(embeddings: np.ndarray, weights: np.ndarray, labels: np.ndarray,
                         lowest: int) -> np.ndarray:
    """Merge clusters into their nearest neighbour while one is too small or too close to another."""
    labels = labels.copy()
    while labels.max() + 1 > lowest:
        totals = np.array([weights[labels == k].sum() for k in range(labels.max() + 1)])
        centres = centroids_of(embeddings, labels)
        similarity = centres @ centres.T
        np.fill_diagonal(similarity, -np.inf)
        counts = np.bincount(labels)
        smallest = int(np.argmin(totals))
        lone = [k for k in np.flatnonzero(counts == 1) if similarity[k].max() >= LONE_CHUNK_SIMILARITY]
        if totals[smallest] < max(MIN_SPEAKER_SHARE * weights.sum(), MIN_SPEAKER_S):
            source, target = smallest, int(np.argmax(similarity[smallest]))
        elif lone:
            source, target = lone[0], int(np.argmax(similarity[lone[0]]))
        elif similarity.max() >= SAME_CENTROID_SIMILARITY:
            source, target = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        else:
            break
        labels[labels == source] = target
        labels = _relabel(labels)
    return labels


def label_chunks(similarity: np.ndarray, durations: np.ndarray) -> np.ndarray:
    """Speaker per chunk from its similarity to each centroid, smoothing short, unsure chunks.

    A short chunk with a weak margin between its two best speakers takes the speaker of
    the nearest confident chunk before or after it; a pause does not matter here, since
    back-channels and lone words are exactly the chunks whose voiceprint is least reliable.
    """
    best = similarity.argmax(axis=1)
    if similarity.shape[1] < 2:
        return best
    ordered = np.sort(similarity, axis=1)
    margin = ordered[:, -1] - ordered[:, -2]
    sure = (durations >= RELIABLE_CHUNK_S) | (margin >= WEAK_MARGIN)
    labels = best.copy()
    sure_indices = np.flatnonzero(sure)
    if len(sure_indices) == 0:
        return labels
    for index in np.flatnonzero(~sure):
        before = sure_indices[sure_indices < index]
        after = sure_indices[sure_indices > index]
        neighbours = [labels[before[-1]]] if len(before) else []
        neighbours += [labels[after[0]]] if len(after) else []
        # Both sides agree: an interjection inside one speaker's talk stays theirs only if the
        # voice does not clearly say otherwise (it does not: the margin is weak).
        if neighbours and (len(neighbours) == 1 or neighbours[0] == neighbours[1]):
            labels[index] = neighbours[0]
    return labels


def turns_from_words(words: list[Word], bridge_s: float = TURN_BRIDGE_S) -> list[SpeakerTurn]:
    """Merge consecutive words of one speaker into turns, bridging short pauses."""
    turns: list[SpeakerTurn] = []
    for word in words:
        if turns and turns[-1].speaker == word.speaker and word.start - turns[-1].end <= bridge_s:
            turns[-1].end = max(turns[-1].end, word.end)
            continue
        turns.append(SpeakerTurn(speaker=word.speaker or "S1", start=word.start, end=word.end, channel=None))
    return turns


def diarize_by_voice(call: Call, ctx: Context) -> list[SpeakerTurn]:
    """Speaker turns from the voice alone (mono audio); sets each word's speaker."""
    from leadscribe.speech.voice import encoder_for

    words = sorted((w for s in call.segments for w in s.words), key=lambda w: (w.start, w.end))
    if not words:
        return []
    settings = ctx.settings
    chunks = chunk_words(words)
    durations = np.array([c.duration for c in chunks])
    encoder = encoder_for(settings)
    embeddings = encoder.embed_spans(call.samples[0], [(c.start, c.end) for c in chunks])
    reliable = durations >= RELIABLE_CHUNK_S
    if reliable.sum() < 2:  # too little clean speech to compare voices: use every chunk
        reliable = np.ones(len(chunks), dtype=bool)
    labels = cluster_voices(embeddings[reliable], durations[reliable], settings.num_speakers,
                            settings.min_speakers, settings.max_speakers)
    centres = centroids_of(embeddings[reliable], labels)
    chunk_labels = label_chunks(embeddings @ centres.T, durations)
    speaker_ids = _ids_by_first_appearance(chunk_labels)
    for chunk, label in zip(chunks, chunk_labels):
        for word in chunk.words:
            word.speaker = speaker_ids[int(label)]
    call.voiceprints = {speaker_ids[k]: centres[k] for k in range(len(centres)) if k in speaker_ids}
    return turns_from_words(words)


# Segmentation windows start this far apart: each second of speech is heard by two windows
# (better local decisions at window edges) at half the cost of pyannote's 1 s step.
SEGMENTATION_STEP_S = 5.0
# A window's local speaker with less speech than this is ignored when linking voices.
MIN_LOCAL_SPEECH_S = 0.3
# Prefer a local speaker's speech without overlap for their voiceprint, if there is this much.
MIN_EXCLUSIVE_SPEECH_S = 0.5
# A local speaker's voiceprint uses at most this much of their speech in the window: longer
# adds little evidence, and equal lengths let CAM++ embed many speakers in one batch.
MAX_VOICEPRINT_S = 5.0
# Local speakers with at least this much speech vote in clustering; the rest are only assigned.
RELIABLE_LOCAL_S = 1.0


@dataclass
class LocalSpeaker:
    """Speaker `index` of segmentation window `window`, with the speech used for its voiceprint."""
    window: int
    index: int
    spans: list[tuple[float, float]]
    seconds: float


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[first, last) index pairs of the runs of True in a 1-D mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _longest_first(spans: list[tuple[float, float]], budget_s: float) -> list[tuple[float, float]]:
    """The longest spans (cut to fit) up to `budget_s` seconds in all, back in time order."""
    kept, left = [], budget_s
    for start, end in sorted(spans, key=lambda span: span[0] - span[1]):
        if left <= 0:
            break
        kept.append((start, min(end, start + left)))
        left -= kept[-1][1] - start
    return sorted(kept)


def local_speakers(activity, duration: float) -> list[LocalSpeaker]:
    """Every window's local speaker with enough speech, and the spans to embed for them."""
    found = []
    half = activity.frame_step / 2
    for window in range(len(activity.window_starts)):
        times = activity.frame_times(window)
        inside = times < duration
        alone = activity.active[window].sum(axis=1) == 1
        for index in range(activity.active.shape[2]):
            talking = activity.active[window, :, index] & inside
            if talking.sum() * activity.frame_step < MIN_LOCAL_SPEECH_S:
                continue
            exclusive = talking & alone
            use = exclusive if exclusive.sum() * activity.frame_step >= MIN_EXCLUSIVE_SPEECH_S else talking
            spans = [(max(0.0, times[a] - half), min(duration, times[b - 1] + half)) for a, b in _runs(use)]
            found.append(LocalSpeaker(window, index, _longest_first(spans, MAX_VOICEPRINT_S),
                                      float(use.sum() * activity.frame_step)))
    return found


def reconstruct_activity(activity, speakers: list[LocalSpeaker], labels: np.ndarray, num_clusters: int,
                         duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Global (clusters, frames) activity: who talks in each frame of the whole recording.

    Each cluster's score in a frame is the Hamming-weighted mean, over the windows that
    see the frame, of its local speakers' activity; the number of people talking is the
    same mean of the local speaker count, rounded. The frame goes to that many clusters,
    highest scores first, so overlap keeps both voices. Returns (active, score).
    """
    frames = int(np.ceil(duration / activity.frame_step)) + 1
    per_window = activity.active.shape[1]
    taper = np.hamming(per_window)
    score = np.zeros((num_clusters, frames))
    count = np.zeros(frames)
    weight = np.zeros(frames)
    by_window: dict[int, list[tuple[int, int]]] = {}
    for speaker, label in zip(speakers, labels):
        by_window.setdefault(speaker.window, []).append((speaker.index, int(label)))
    for window in range(len(activity.window_starts)):
        first = int(round(activity.window_starts[window] / activity.frame_step))
        index = first + np.arange(per_window)
        keep = index < frames
        local = (activity.probability if SOFT_ACTIVITY else activity.active)[window][keep].astype(float)
        index = index[keep]
        clustered = np.zeros((len(index), num_clusters))
        for speaker_index, label in by_window.get(window, []):
            clustered[:, label] = np.maximum(clustered[:, label], local[:, speaker_index])
        score[:, index] += (clustered * taper[keep, None]).T
        count[index] += local.sum(axis=1) * taper[keep]
        weight[index] += taper[keep]
    weight = np.maximum(weight, 1e-9)
    score /= weight
    talking = np.floor(count / weight + COUNT_ROUNDING).astype(int)
    active = np.zeros_like(score, dtype=bool)
    order = np.argsort(-score, axis=0)
    for rank in range(min(num_clusters, MAX_SPEAKERS_PER_FRAME)):
        chosen = order[rank]
        take = (talking > rank) & (score[chosen, np.arange(frames)] > 0)
        active[chosen[take], np.flatnonzero(take)] = True
    return active, score


@dataclass
class VoiceMap:
    """Who talks when, from the audio alone: what `find_voices` hears before any word is known."""
    turns: list[ClusterTurn]
    active: np.ndarray
    """(clusters, frames): who talks in each frame of the whole recording."""
    score: np.ndarray
    frame_step: float
    frame_offset: float
    centres: np.ndarray
    """One voiceprint per cluster."""
    encoder_name: str
    features: np.ndarray
    """The encoder's features of the recording, for voiceprints taken once the words are known."""


# Two local speakers of one window are two people when their voiceprints are less alike than one voice over a
# changing line (SAME_CENTROID_SIMILARITY); it takes this many windows to say so, one can be a quirk.
WINDOWS_HEARING_TOGETHER = 2


def voices_heard_together(speakers: list[LocalSpeaker], embeddings: np.ndarray) -> int:
    """The most people the segmentation model heard at once, where their voiceprints agree they differ: the count
    of reliable local speakers of a window whose voiceprints are all unlike each other, reached in at least
    WINDOWS_HEARING_TOGETHER windows (1 when none is).

    Clustering alone can merge two voices when something shared lifts every similarity: 15 dB of line noise put
    a woman's and a man's voice at 0.55-0.72 on average across a call (within one voice 0.85-0.97), above
    SAME_SPEAKER_SIMILARITY, and the call became one speaker; yet in every window the model heard them as two.
    """
    by_window: dict[int, list[int]] = {}
    for row, speaker in enumerate(speakers):
        if speaker.seconds >= RELIABLE_LOCAL_S:
            by_window.setdefault(speaker.window, []).append(row)
    together = []
    for rows in by_window.values():
        similarity = embeddings[rows] @ embeddings[rows].T
        apart = all(similarity[i, j] < SAME_CENTROID_SIMILARITY for i in range(len(rows)) for j in range(i))
        together.append(len(rows) if apart else 1)
    counts = sorted(together, reverse=True)
    return counts[WINDOWS_HEARING_TOGETHER - 1] if len(counts) >= WINDOWS_HEARING_TOGETHER else 1


def at_least_voices(speakers: list[LocalSpeaker], embeddings: np.ndarray, settings: Settings) -> int:
    """The smallest speaker count to cluster to: the user's minimum, raised to the voices heard together (never
    above the user's maximum)."""
    lowest = max(settings.min_speakers or 1, voices_heard_together(speakers, embeddings))
    return min(lowest, settings.max_speakers) if settings.max_speakers else lowest


def find_voices(samples: np.ndarray, settings: Settings, threads: int = 1) -> Optional[VoiceMap]:
    """segmentation-3.0 and CAM++ over mono audio; None when the model hears nobody.

    Speech is found by the segmentation model, not by Whisper's words, so quiet speech,
    back-channels and overlap all count. Each window's local speakers get one voiceprint
    from all their speech in that window; voiceprints are clustered across windows.
    Needs no transcript, so it can run while Whisper transcribes (`start_finding_voices`).
    `threads`: for the two networks (ONNX Runtime).
    """
    from leadscribe.speech.segmentation import load_segmenter
    from leadscribe.speech.voice import load_speaker_encoder

    duration = len(samples) / SAMPLE_RATE
    activity = load_segmenter(threads).segment(samples, SEGMENTATION_STEP_S)
    speakers = local_speakers(activity, duration)
    if not speakers:
        return None
    encoder = load_speaker_encoder(settings.speaker_model, threads)
    features = encoder.features(samples)
    embeddings = encoder.embed_span_groups(samples, [s.spans for s in speakers], features)
    seconds = np.array([s.seconds for s in speakers])
    reliable = seconds >= RELIABLE_LOCAL_S
    if reliable.sum() < 2:
        reliable = np.ones(len(speakers), dtype=bool)
    clusters = cluster_voices(embeddings[reliable], seconds[reliable], settings.num_speakers,
                              at_least_voices(speakers, embeddings, settings), settings.max_speakers)
    centres = centroids_of(embeddings[reliable], clusters)
    if not settings.num_speakers:
        centres = add_quiet_voices(embeddings, seconds, reliable, centres, settings.max_speakers)
    labels = assign_distinct_per_window(speakers, embeddings @ centres.T)
    active, score = reconstruct_activity(activity, speakers, labels, len(centres), duration)
    turns = turns_from_activity(active, activity.frame_step, duration)
    return VoiceMap(turns, active, score, activity.frame_step, activity.frame_offset, centres, encoder.name,
                    features)


def start_finding_voices(call: Call, ctx: Context) -> None:
    """Stage: start `find_voices` (mono) or `find_channel_voices` (several channels) in a background thread;
    `diarize` collects it.

    The voice analysis needs only the audio, so it need not wait for Whisper. Where Whisper
    leaves a core idle it costs the call no wall time; where Whisper keeps every core busy the
    two share them (measured on 2 quiet cores, speaker stages' share of decoding+transcription
    time: 15.5-16.2% this way, 22% when run after it on both cores, 30-32% after it on one). Run at a
    lower priority (`yielding_to_whisper`) the search takes Whisper's idle cycles instead of its cores:
    11.3% and 12.1% in two bench runs where the same priority gave 17.3% and 20.5% the same day. Off with
    `LEADSCRIBE_DIARIZE_DURING_TRANSCRIPTION=false` (e.g. when every core already runs a call).
    """
    if call.samples is None or call.samples.shape[1] == 0 or not ctx.settings.diarize_during_transcription:
        return
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="find-voices")
    # One thread: Whisper keeps the call's cores busy, and a second thread for the voice search
    # only adds contention (measured, 2 cores: speaker stages added 15.5-16.2% to decoding and
    # transcription with one thread, 17.2-18.1% with two).
    if call.samples.shape[0] == 1:
        ctx.background["voices"] = executor.submit(yielding_to_whisper, find_voices, call.samples[0], ctx.settings, 1)
    else:
        ctx.background["channel_voices"] = executor.submit(yielding_to_whisper, find_channel_voices, call.samples,
                                                           ctx.settings, 1)
    executor.shutdown(wait=False)  # the thread ends with its one task


# How much lower the background voice search runs than Whisper: a nice increment for its thread (10: about a tenth
# of a normal thread's share of a busy core under Linux's scheduler).
BACKGROUND_NICENESS = 10
MAX_NICENESS = 19


def yielding_to_whisper(search: Callable, *args):
    """`search(*args)` in this thread at a lower scheduling priority: Whisper, which the call waits for, keeps the
    cores it needs, and the voice search takes the cycles it leaves idle (its beam search has serial steps). On
    Linux a thread's niceness is its own; elsewhere, or where not permitted, the search runs as it is."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(MAX_NICENESS, os.getpriority(os.PRIO_PROCESS, thread) +
                                                   BACKGROUND_NICENESS))
    except (AttributeError, OSError):
        pass
    return search(*args)


def diarize_by_segmentation(call: Call, ctx: Context) -> list[SpeakerTurn]:
    """Speaker turns from the voices found in the audio (mono); sets each word's speaker."""
    voices = voices_searched(ctx, "voices", find_voices, call.samples[0])
    if voices is None:
        return diarize_by_voice(call, ctx)  # the model heard nobody: fall back on Whisper's words
    words = [w for s in call.segments for w in s.words]
    clusters = clusters_of_words(call.samples[0], words, voices, ctx)
    speaker_ids = _ids_by_first_appearance(np.array([t.cluster for t in voices.turns]))
    call.voiceprints = {speaker_ids[k]: voices.centres[k] for k in speaker_ids}
    return label_words_and_turns(words, clusters, voices, speaker_ids, channel=None)


def voices_searched(ctx: Context, key: str, search: Callable, samples: np.ndarray):
    """The voice search `start_finding_voices` began beside Whisper under `key`, or the same `search` on `samples`
    now: after transcription the cores are free, so with the call's whole thread budget, as Whisper's."""
    from leadscribe.speech.models import thread_budget

    pending = ctx.background.pop(key, None)
    if pending is not None:
        return pending.result()
    return search(samples, ctx.settings, thread_budget(ctx.settings.cpu_threads))


def clusters_of_words(samples: np.ndarray, words: list[Word], voices: VoiceMap, ctx: Context) -> list[Optional[int]]:
    """Each word's voice: the one most active under it, then checked chunk by chunk by its own voiceprint where
    there is more than one voice (`check_chunks_by_voice`, which may rebuild `voices`' turns)."""
    from leadscribe.speech.voice import encoder_for

    clusters = [_word_cluster(word, voices.active, voices.score, voices.frame_step, voices.frame_offset)
                for word in words]
    if len(voices.centres) > 1:
        clusters = check_chunks_by_voice(samples, words, clusters, voices, encoder_for(ctx.settings))
        if KEEP_PHRASES_WHOLE:
            clusters = keep_phrases_whole(words, clusters, voices)
            clusters = keep_sentence_starts(words, clusters, voices)
    return clusters


# A short run of words given to one voice between words of another is that other's when the other voice is heard
# under it too and it is no back-channel, if it runs on from the word before without a pause or falls where the
# first voice only lingers on from a turn that began before the other's. The segmentation model holds a voice on for
# a moment after its turn ends (Callytics Call01: the agent "active" 1.6 s into the customer's "Nope, that's
# everything", which gave the agent "everything."), and a run that short has no voiceprint of its own to check
# (VOICE_CHECK_MIN_S). A back-channel ("yeah") dropped into the other's turn, or a reply said over it, keeps its
# own voice.
KEEP_PHRASES_WHOLE = True
MAX_ENCLOSED_S = 1.0
RUN_ON_GAP_S = 0.1
ENCLOSED_PAUSE_S = 1.0
ENCLOSING_VOICE_SHARE = 0.5


def keep_phrases_whole(words: list[Word], clusters: list[Optional[int]], voices: VoiceMap) -> list[Optional[int]]:
    """`clusters` with each short run of words enclosed by another voice's words given to that voice, where that
    voice is heard under it and the run continues its phrase (see KEEP_PHRASES_WHOLE)."""
    from leadscribe.speech.utterances import is_backchannel

    placed = time_ordered(words, clusters)
    kept = list(clusters)
    runs = _runs_of_same(placed, clusters)
    for previous, middle, following in zip(runs, runs[1:], runs[2:]):
        voice, other = clusters[middle[0]], clusters[previous[0]]
        if clusters[following[0]] != other:
            continue
        run = [words[i] for i in middle]
        pause_before = run[0].start - words[previous[-1]].end
        if run[-1].end - run[0].start > MAX_ENCLOSED_S or is_backchannel(run) or pause_before > ENCLOSED_PAUSE_S or \
                words[following[0]].start - run[-1].end > ENCLOSED_PAUSE_S:
            continue
        first, last = _frames_of(run[0].start, run[-1].end, voices.frame_step, voices.frame_offset,
                                 voices.active.shape[1])
        if last > first and voices.active[other, first:last].mean() >= ENCLOSING_VOICE_SHARE and \
                (pause_before <= RUN_ON_GAP_S or lingers(voices.turns, voice, other, (run[0].start + run[-1].end) / 2)):
            for i in middle:
                kept[i] = other
    return kept


# Whisper lays a turn's first word back over the pause before it, to the end of the word before: Callytics Call02's
# "...causing the issue? Sure, my email is ..." has "Sure," start where "issue?" ends, and the customer's voice is
# heard from 0.3 s into it, so most of "Sure," fell in the agent's turn. A sentence's first word or two (at most
# MAX_ENCLOSED_S) that start right where the last sentence ended (within PULLED_BACK_S) and inside which the voice
# of the rest of the sentence begins its turn are that voice's. Only at the start of a sentence, and only so pulled
# back: a "Yeah," after a pause that Whisper ran into the next speaker's sentence was the last speaker's (a listener
# on the speakerphone call), and so was a sentence's last word on AMI meetings.
PULLED_BACK_S = 0.02
MAX_EDGE_WORDS = 2
SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


def keep_sentence_starts(words: list[Word], clusters: list[Optional[int]], voices: VoiceMap) -> list[Optional[int]]:
    """`clusters` with a sentence's first word or two, pulled back over the pause before the turn, given to the
    voice of the rest of the sentence (see PULLED_BACK_S)."""
    placed = time_ordered(words, clusters)
    kept = list(clusters)
    starts = [0] + [p + 1 for p, i in enumerate(placed[:-1]) if SENTENCE_END.search(words[i].word.strip())]
    for first, end in zip(starts, starts[1:] + [len(placed)]):
        runs = _runs_of_same(placed[first:end], clusters)
        if first == 0 or len(runs) != 2 or len(runs[0]) > MAX_EDGE_WORDS or len(runs[1]) <= len(runs[0]):
            continue
        edge = [words[i] for i in runs[0]]
        voice = clusters[runs[1][0]]
        if edge[0].start - words[placed[first - 1]].end > PULLED_BACK_S or \
                edge[-1].end - edge[0].start > MAX_ENCLOSED_S:
            continue
        if any(t.cluster == voice and edge[0].start < t.start < edge[-1].end for t in voices.turns):
            for i in runs[0]:
                kept[i] = voice
    return kept


def time_ordered(words: list[Word], clusters: list[Optional[int]]) -> list[int]:
    """The indices of the words that have a cluster, in the order they were said."""
    return sorted((i for i, cluster in enumerate(clusters) if cluster is not None), key=lambda i: words[i].start)


def _runs_of_same(indices: list[int], clusters: list[Optional[int]]) -> list[list[int]]:
    """`indices` cut into runs of one cluster."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and clusters[runs[-1][-1]] == clusters[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def lingers(turns: list[ClusterTurn], voice: int, other: int, at: float) -> bool:
    """Whether `voice` and `other` both have a turn at time `at`, and `voice`'s began first."""
    def turn_of(cluster: int) -> Optional[ClusterTurn]:
        return next((t for t in turns if t.cluster == cluster and t.start <= at <= t.end), None)

    own, theirs = turn_of(voice), turn_of(other)
    return own is not None and theirs is not None and own.start < theirs.start


def label_words_and_turns(words: list[Word], clusters: list[Optional[int]], voices: VoiceMap,
                          speaker_ids: dict[int, str], channel: Optional[int]) -> list[SpeakerTurn]:
    """The voices' turns as speaker turns, and each word's speaker: its cluster's, or where it has none (no frame
    under it was anyone's) the speaker of the turn it overlaps most."""
    for word, cluster in zip(words, clusters):
        word.speaker = speaker_ids.get(cluster)
    result = [SpeakerTurn(speaker=speaker_ids[t.cluster], start=t.start, end=t.end, channel=channel)
              for t in voices.turns]
    assign_speakers([w for w in words if w.speaker is None], result)
    return result


# Word chunks (between pauses of CHUNK_PAUSE_S) at least this long are checked against the voices found: a
# shorter chunk's voiceprint says too little. Each is embedded over its middle, in lengths of VOICE_CHECK_STEP_S
# up to MAX_CHUNK_S, so that CAM++ batches chunks of equal length.
VOICE_CHECK_MIN_S = 1.0
VOICE_CHECK_STEP_S = 0.25
# A chunk moves to another voice when its voiceprint is this much more like that voice than the one it was given.
# Chosen on the 25 mono synthetic calls of seeds 5, 7, 9, 10 and 11, where a first version put 97.2/97.2/96.9% of
# the words with the right speaker at 0.1/0.15/0.2 (90.1% unchecked); on 65 held-out calls of 13 other seeds this
# one takes 94.3% to 97.8%. Real recordings: the phone calls are unchanged, AMI goes from 85.3% to 86.4%.
VOICE_CHECK_MARGIN = 0.15


def chunks_of_one_voice(words: list[Word], clusters: list[Optional[int]]) -> list[Chunk]:
    """Time-ordered chunks of words, also cut where the words' cluster changes: a chunk across a change of
    speaker the model heard ("... can help you with? That's all, thanks again.") has no one voice to check.
    Words without a cluster are left out."""
    cluster_of = {id(word): cluster for word, cluster in zip(words, clusters) if cluster is not None}
    placed = sorted((word for word in words if id(word) in cluster_of), key=lambda word: word.start)
    return chunk_words(placed, label=lambda word: cluster_of[id(word)])


def check_chunks_by_voice(samples: np.ndarray, words: list[Word], clusters: list[Optional[int]],
                          voices: VoiceMap, encoder: "SpeakerEncoder") -> list[Optional[int]]:
    """Each word's cluster, after checking every chunk of words against the voices by its own voiceprint.

    The segmentation model can hear two like voices in one 10 s window as one local speaker: two men on a call
    (flite's kal and awb; AMI's MEE009 and MEE012), where the rep's short questions then took the voiceprint, and
    so the cluster, of the prospect who spoke most of the window (77-79% of the words right on clean synthetic
    calls with those two voices). A chunk whose voiceprint is clearly more like another voice than its words'
    cluster moves to that voice, in the words and in the frames where no one else was heard (overlap keeps the
    model's two voices); the turns are rebuilt."""
    index = {id(word): position for position, word in enumerate(words)}
    chunks = [chunk for chunk in chunks_of_one_voice(words, clusters) if chunk.duration >= VOICE_CHECK_MIN_S]
    if not chunks:
        return clusters
    spans = []
    for chunk in chunks:
        length = min(MAX_CHUNK_S, np.floor(chunk.duration / VOICE_CHECK_STEP_S) * VOICE_CHECK_STEP_S)
        middle = (chunk.start + chunk.end) / 2
        spans.append([(middle - length / 2, middle + length / 2)])
    features = voices.features if encoder.name == voices.encoder_name else None
    similarity = encoder.embed_span_groups(samples, spans, features) @ voices.centres.T
    checked = list(clusters)
    for chunk, row in zip(chunks, similarity):
        was = clusters[index[id(chunk.words[0])]]
        heard = int(row.argmax())
        if heard == was or row[heard] - row[was] < VOICE_CHECK_MARGIN:
            continue
        for word in chunk.words:
            checked[index[id(word)]] = heard
        first, last = _frames_of(chunk.start, chunk.end, voices.frame_step, voices.frame_offset,
                                 voices.active.shape[1])
        alone = voices.active[was, first:last] & (voices.active[:, first:last].sum(axis=0) == 1)
        voices.active[was, first:last] &= ~alone
        voices.active[heard, first:last] |= alone
    voices.turns = turns_from_activity(voices.active, voices.frame_step, len(samples) / SAMPLE_RATE)
    return checked


# A short local speaker less similar than this to every speaker found is a voice of its own
# (a meeting participant who only said "yes, agreed"), if such speakers add up to MIN_SPEAKER_S.
NEW_VOICE_SIMILARITY = 0.45


def add_quiet_voices(embeddings: np.ndarray, seconds: np.ndarray, reliable: np.ndarray, centres: np.ndarray,
                     max_speakers: Optional[int]) -> np.ndarray:
    """Centroids plus one per group of short, mutually similar local speakers unlike all of them."""
    short = np.flatnonzero(~reliable)
    if len(short) == 0:
        return centres
    unlike = short[(embeddings[short] @ centres.T).max(axis=1) < NEW_VOICE_SIMILARITY]
    if len(unlike) == 0:
        return centres
    groups = cluster_voices(embeddings[unlike], seconds[unlike])
    added = [centroids_of(embeddings[unlike], groups)[k] for k in range(groups.max() + 1)
             if seconds[unlike][groups == k].sum() >= MIN_SPEAKER_S]
    room = (max_speakers or len(centres) + len(added)) - len(centres)
    return np.vstack([centres, *added[:max(room, 0)]]) if added and room > 0 else centres


def assign_distinct_per_window(speakers: list[LocalSpeaker], similarity: np.ndarray) -> np.ndarray:
    """Cluster per local speaker, most similar first, never two local speakers of one window to
    the same cluster: the segmentation model heard them as two voices at once, so merging them
    would turn their overlap into missed speech (pyannote's constrained assignment)."""
    from scipy.optimize import linear_sum_assignment

    labels = similarity.argmax(axis=1)
    by_window: dict[int, list[int]] = {}
    for row, speaker in enumerate(speakers):
        by_window.setdefault(speaker.window, []).append(row)
    for rows in by_window.values():
        if len(rows) < 2 or len(rows) > similarity.shape[1]:
            continue
        chosen_rows, chosen_clusters = linear_sum_assignment(-similarity[rows])
        for row, cluster in zip(chosen_rows, chosen_clusters):
            labels[rows[row]] = cluster
    return labels


@dataclass
class ClusterTurn:
    cluster: int
    start: float
    end: float


def turns_from_activity(active: np.ndarray, frame_step: float, duration: float) -> list[ClusterTurn]:
    """Runs of active frames per cluster as time-ordered turns (pauses under TURN_GAP_S bridged)."""
    turns = []
    for cluster in range(active.shape[0]):
        for first, last in _runs(active[cluster]):
            start, end = first * frame_step, min(duration, last * frame_step)
            if turns and turns[-1].cluster == cluster and start - turns[-1].end < TURN_GAP_S:
                turns[-1].end = end
            elif end - start >= MIN_TURN_S:
                turns.append(ClusterTurn(cluster, start, end))
    return sorted(turns, key=lambda t: (t.start, t.end))


def _frames_of(start: float, end: float, frame_step: float, frame_offset: float, frames: int) -> tuple[int, int]:
    """[first, last) indices of the activity frames that the span start..end touches."""
    first = max(0, int(np.floor((start - frame_offset) / frame_step)))
    last = min(frames, int(np.ceil((end - frame_offset) / frame_step)) + 1)
    return first, last


def _word_cluster(word: Word, active: np.ndarray, score: np.ndarray, frame_step: float,
                  frame_offset: float) -> Optional[int]:
    """The cluster most active during the word (in overlap: the one with the higher score)."""
    first, last = _frames_of(word.start, word.end, frame_step, frame_offset, active.shape[1])
    if last <= first:
        return None
    evidence = (active[:, first:last] * (score[:, first:last] + 1e-3)).sum(axis=1)
    if evidence.max() <= 0:
        evidence = score[:, first:last].sum(axis=1)
    return int(evidence.argmax()) if evidence.max() > 0 else None


def _ids_by_first_appearance(labels: np.ndarray) -> dict[int, str]:
    ids: dict[int, str] = {}
    for label in labels:
        ids.setdefault(int(label), f"S{len(ids) + 1}")
    return ids


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
    """Stage: fill `call.diarization` and every word's speaker."""
    by_channel = len({s.channel for s in call.segments if s.channel is not None}) > 1 or (
        call.samples is not None and call.samples.shape[0] > 1)
    if by_channel:
        turns = diarize_by_channel(call, ctx)
        call.diarization = Diarization(method="channel", turns=turns)
    else:
        call.diarization = Diarization(method="voice", turns=diarize_mono(call, ctx))


def diarize_mono(call: Call, ctx: Context) -> list[SpeakerTurn]:
    """Segmentation-based voice diarization; Whisper's word chunks when that model is unavailable."""
    from leadscribe.errors import ModelError

    if call.samples is None or call.samples.shape[1] == 0:
        return []
    try:
        return diarize_by_segmentation(call, ctx)
    except (ImportError, ModelError) as exc:
        logger.warning("speaker segmentation unavailable (%s); diarizing Whisper's word chunks", exc)
        return diarize_by_voice(call, ctx)
