"""Text and value normalisation shared by the metrics, so that both sides are compared alike.

WER normalisation (applied to reference and hypothesis identically):
1. Unicode NFKC, typographic apostrophes to `'`, lower case.
2. Money and percent signs become words (`$80,000` -> `80000 dollars`, `12%` -> `12 percent`),
   thousands separators inside numbers are dropped.
3. English contractions are expanded (`I'm` -> `i am`, `won't` -> `will not`); the
   ambiguous `'s` and `'d` are left as they are on both sides.
4. Numbers written as words become digits (text2num `alpha2digit`, for en/es/fr/de/it/pt/nl),
   so "eighty thousand" and "80,000" both read `80000`; digit strings stay digits.
5. Punctuation is removed (apostrophes inside words are kept), whitespace collapsed.
For zh/ja/ko the error rate is a character error rate over the text without spaces.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, Optional

from text_to_num import alpha2digit

CHARACTER_LANGUAGES = {"zh", "ja", "ko"}
_TEXT2NUM_LANGUAGES = {"en", "es", "fr", "de", "it", "pt", "nl"}

_CONTRACTIONS = {
    "won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not", "ain't": "is not",
    "let's": "let us", "y'all": "you all", "gonna": "going to", "wanna": "want to", "gotta": "got to",
}
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'m", " am"))

_CURRENCY_WORDS = {"$": "dollars", "€": "euros", "£": "pounds"}
_SCALE = {"thousand": 1e3, "k": 1e3, "grand": 1e3, "million": 1e6, "mil": 1e6, "m": 1e6, "mm": 1e6,
          "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "hundred": 1e2}
_FRACTIONS = {"a quarter": 0.25, "quarter": 0.25, "a half": 0.5, "half": 0.5, "half a": 0.5}


def _expand_contractions(text: str) -> str:
    words = []
    for word in text.split():
        if word in _CONTRACTIONS:
            words.append(_CONTRACTIONS[word])
            continue
        for suffix, expansion in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)] + expansion
                break
        words.append(word)
    return " ".join(words)


def _money_and_percent_to_words(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"([$€£])\s?(\d+(?:\.\d+)?)(\s?(?:thousand|million|billion|k\b|m\b|bn\b))?",
                  lambda m: f"{m.group(2)}{m.group(3) or ''} {_CURRENCY_WORDS[m.group(1)]}", text)
    return re.sub(r"(\d)\s?%", r"\1 percent", text)


def normalise_text(text: str, language: str = "en") -> str:
    """The documented WER normalisation (module docstring); same function for both sides."""
    text = unicodedata.normalize("NFKC", text or "").replace("’", "'").replace("‘", "'").lower()
    text = _money_and_percent_to_words(text)
    lang = (language or "en").split("-")[0]
    # Hyphens join spelled numbers ("twenty-five") and compounds; a space keeps both readable.
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text)
    text = re.sub(r"[^\w\s'.]", " ", text)
    text = re.sub(r"(?<!\d)[.]|[.](?!\d)", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)
    if lang == "en":
        text = _expand_contractions(text)
    if lang in _TEXT2NUM_LANGUAGES:
        text = words_to_digits(text, lang)
    return " ".join(text.split())


def words_to_digits(text: str, language: str = "en") -> str:
    """Numbers in words to digits, with scales applied to decimals ("1.2 million" -> 1200000).

    threshold=0 converts even "one" and "two": both sides get the same treatment, which is
    what matters for WER, and "2 seats" then equals "two seats"."""
    text = _apply_scales(text)
    text = alpha2digit(text, language, threshold=0)
    return _apply_scales(text)


def _apply_scales(text: str) -> str:
    def scaled(match: re.Match) -> str:
        # Decimal, not float: 4.1 * 1e6 is 4099999.9999999995 in binary floating point.
        scale = _SCALE.get(match.group(2)) or float(match.group(2))
        value = Decimal(match.group(1)) * Decimal(int(scale))
        return format(value.normalize(), "f")
    return re.sub(r"\b(\d+(?:\.\d+)?)\s+(thousand|million|billion|trillion|1000|1000000|1000000000)\b", scaled, text)


def normalise_characters(text: str) -> str:
    """CER normalisation for languages written without spaces: NFKC, no punctuation, no spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def spoken_number(text: str) -> Optional[float]:
    """The numeric value of a money / quantity / cardinal / percent phrase, or None.

    Handles digits with scale words ("$1.2 million", "50k"), numbers in words ("eighty
    thousand", "one point two million"), and fractions of a scale ("a quarter million").
    """
    if text is None:
        return None
    lowered = unicodedata.normalize("NFKC", str(text)).lower().replace(",", "")
    lowered = re.sub(r"[$€£%]", " ", lowered)
    fractions = sorted(_FRACTIONS.items(), key=lambda kv: -len(kv[0]))
    for phrase, fraction in fractions:  # "one and a half million"
        match = re.search(rf"\b(\w+)\s+and\s+{phrase}\s+(thousand|million|billion)\b", lowered)
        if match and spoken_number(match.group(1)) is not None:
            return (spoken_number(match.group(1)) + fraction) * _SCALE[match.group(2)]
    for phrase, fraction in fractions:  # "a quarter million", "half a million"
        match = re.search(rf"\b{phrase}\s+(?:of\s+a\s+)?(thousand|million|billion)\b", lowered)
        if match:
            return fraction * _SCALE[match.group(1)]
    lowered = re.sub(r"(\d)(k|m|bn|b)\b", r"\1 \2", lowered)
    digits = words_to_digits(lowered, "en")
    match = re.search(r"(\d+(?:\.\d+)?)\s*(thousand|million|billion|trillion|k|m|mm|bn|b|grand)?\b", digits)
    if not match:
        return None
    value = float(match.group(1))
    if match.group(2):
        value *= _SCALE[match.group(2)]
    return value


def normalise_phone(text: Any) -> str:
    """Digits only, without a leading US country code, so `+14155550192` equals `415 555 0192`."""
    digits = re.sub(r"\D", "", str(text or ""))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def normalise_value(value: Any, kind: str = "") -> Any:
    """A comparable form of an entity or CRM value: numbers by value, strings case-folded,
    lists as sets, `{amount, currency}` / `{value, unit}` as tuples."""
    kind = (kind or "").upper()
    if value is None:
        return None
    if isinstance(value, dict):
        if "amount" in value:
            return ("money", _as_number(value.get("amount")), str(value.get("currency") or "").casefold() or None)
        if "value" in value:
            return ("quantity", _as_number(value.get("value")), str(value.get("unit") or "").casefold() or None)
        return tuple(sorted((str(k), normalise_value(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set)):
        return frozenset(normalise_value(v) for v in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    text = " ".join(str(value).split())
    if kind in {"PHONE"}:
        return normalise_phone(text)
    if kind in {"MONEY", "QUANTITY", "CARDINAL", "PERCENT", "NUMBER"}:
        number = spoken_number(text)
        return float(number) if number is not None else text.casefold()
    number = _as_number(text)
    return number if number is not None else text.casefold().strip(" .,'\"")


def _as_number(value: Any) -> Optional[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


def values_equal(expected: Any, proposed: Any, kind: str = "") -> bool:
    """Equality after normalisation; money/quantity dicts compare the number, and the unit or
    currency only when both sides give one."""
    a, b = normalise_value(expected, kind), normalise_value(proposed, kind)
    if isinstance(a, tuple) and isinstance(b, tuple) and a and b and a[0] == b[0] and a[0] in ("money", "quantity"):
        same_number = a[1] is not None and b[1] is not None and abs(a[1] - b[1]) < 1e-6 * max(1.0, abs(a[1]))
        return same_number and (a[2] is None or b[2] is None or a[2] == b[2])
    if isinstance(a, tuple) and a and a[0] in ("money", "quantity") and isinstance(b, float):
        return a[1] is not None and abs(a[1] - b) < 1e-6 * max(1.0, abs(b))
    if isinstance(b, tuple) and b and b[0] in ("money", "quantity") and isinstance(a, float):
        return b[1] is not None and abs(b[1] - a) < 1e-6 * max(1.0, abs(a))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-6 * max(1.0, abs(a))
    return a == b
