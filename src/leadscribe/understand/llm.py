"""Optional refinement of the signals by the user's own LLM (an OpenAI-compatible chat-completions endpoint:
Ollama, vLLM, a llama.cpp server).

Off unless `llm_base_url` is set. The model only sees the transcript and the rule-based signals, must answer
JSON that validates against `LlmSignals`, and may only cite utterances that exist; on any failure (down,
timeout, bad JSON, schema mismatch) the rule-based signals stay as they are and a note says why.
"""
from __future__ import annotations

import json
import logging
from typing import Optional

import httpx
from pydantic import BaseModel, Field, ValidationError

from leadscribe.schema import Call, Signal

logger = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(30.0, connect=3.0)


class LlmItem(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    utterance: int
    confidence: float = Field(ge=0.0, le=1.0)


class LlmSignals(BaseModel):
    pain_points: list[LlmItem] = Field(default_factory=list)
    objections: list[LlmItem] = Field(default_factory=list)
    next_steps: list[LlmItem] = Field(default_factory=list)
    decision_makers: list[LlmItem] = Field(default_factory=list)


PROMPT = """You read a sales call transcript and list the prospect's pain points, objections, decision makers
and the agreed next steps. Answer only JSON of this shape:
{"pain_points": [{"text": str, "utterance": int, "confidence": 0-1}], "objections": [...],
 "next_steps": [...], "decision_makers": [...]}
Quote the words used, and give the id of the utterance each item comes from. Rule-based findings so far:
"""


def transcript_for_prompt(call: Call) -> str:
    return "\n".join(f"[{u.id}] {u.role if u.role != 'unknown' else u.speaker}: {u.text}"
                     for u in call.transcription.utterances)


def ask_llm(call: Call, base_url: str, model: str, client: Optional[httpx.Client] = None) -> LlmSignals:
    """One chat-completions request; raises on transport errors, bad JSON or schema mismatch."""
    rules = call.signals.model_dump(include={"pain_points", "objections", "next_steps", "decision_makers"})
    body = {"model": model, "temperature": 0, "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": PROMPT + json.dumps(rules)},
                         {"role": "user", "content": transcript_for_prompt(call)}]}
    owned = client is None
    client = client or httpx.Client(timeout=TIMEOUT)
    try:
        response = client.post(base_url.rstrip("/") + "/chat/completions", json=body)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    finally:
        if owned:
            client.close()
    return LlmSignals.model_validate_json(strip_fences(content))


def strip_fences(content: str) -> str:
    content = content.strip()
    if content.startswith("```"):
        content = content.split("\n", 1)[1] if "\n" in content else ""
        content = content.rsplit("```", 1)[0]
    return content


def refine_signals(call: Call, ctx) -> bool:
    """Replace the free-text signals with the LLM's when it answers validly; True when it did."""
    settings = ctx.settings
    try:
        answer = ask_llm(call, settings.llm_base_url, settings.llm_model or "default")
    except (httpx.HTTPError, KeyError, IndexError, ValueError, ValidationError) as exc:
        ctx.notes.append(f"llm refinement skipped ({type(exc).__name__}: {str(exc)[:120]}); rule-based signals kept")
        return False
    utterances = {u.id: u for u in call.transcription.utterances}
    for name in ("pain_points", "objections", "next_steps", "decision_makers"):
        items = [item for item in getattr(answer, name) if item.utterance in utterances]
        if not items:
            continue
        setattr(call.signals, name, [
            Signal(text=item.text, utterance=item.utterance, speaker=utterances[item.utterance].speaker,
                   role=utterances[item.utterance].role, confidence=round(item.confidence, 4),
                   detail={"source": "llm"}) for item in items])
    return True
