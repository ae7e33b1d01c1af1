"""Spoken and written numbers to values: "fifty k", "a quarter million", "$80 ,000", "between eighty and a
hundred thousand", "about 250 seats".

Whisper writes most amounts as digits but not all of them, and splits "$80,000" into "$80" + ",000"; this module
reads both. Whole-number word runs go to text2num (`text_to_num`); this module adds what text2num refuses: "a"
as one, fractions of a scale ("a quarter million"), decimals ("one point two"), the "k" suffix and ranges.
damga's inverse normaliser was measured and left aside here: it rewrites "eighty thousand dollars" well but keeps
"a quarter million", "fifty k" and digit-by-digit dictation as words, and its output loses the character offsets
the entities need.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from text_to_num import text2num

UNITS_WORDS = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
               "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
TENS_WORDS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
SCALES = {"hundred": 100, "thousand": 1_000, "k": 1_000, "grand": 1_000, "million": 1_000_000, "mil": 1_000_000,
          "m": 1_000_000, "mm": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
          "thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000, "trillion": 1_000_000_000_000}
# "k", "m", "b" only count as scales right after a number ("fifty k"), never on their own.
LETTER_SCALES = {"k", "m", "mm", "b", "bn", "grand", "mil"}
# Between "point" and a scale word ("one point to million"), a word that sounds like "two" is the digit.
TWO_HOMOPHONES = {"to", "too"}
BIG_SCALES = {"thousand", "million", "billion", "k", "m", "mil", "bn"}
FRACTIONS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR",
                  "eur": "EUR", "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "sterling": "GBP"}
DIGITS = re.compile(r"^[$€£]?\d[\d,]*(?:\.\d+)?(?:%|k|m|mm|bn|x)?$")
TOKEN = re.compile(r"\S+")
EDGE_PUNCT = "\"'()[]{}!?;:,."


@dataclass
class Token:
    text: str
    """The token stripped of surrounding punctuation, lower-case."""
    start: int
    end: int
    raw: str
    trailing: str = ""
    """Punctuation that followed the token ("," "." "?"): a number run does not cross a full stop."""


@dataclass
class NumberMention:
    start: int
    end: int
    value: float
    currency: Optional[str] = None
    scale_word: bool = False
    """Whether the number carries a scale (thousand, k, million): "fifty k" is an amount, "fifty" alone may not be."""
    low: Optional[float] = None
    """For a range ("between 80 and 100 thousand") the lower bound; `value` is then the upper bound."""
    percent: bool = False
    words: list[str] = field(default_factory=list)


def tokenize(text: str) -> list[Token]:
    """Whitespace tokens with offsets; a leading comma-group (",000" written after "$80") is glued back on."""
    tokens: list[Token] = []
    for match in TOKEN.finditer(text):
        raw = match.group()
        if tokens and re.fullmatch(r",\d{3}[.,?!]?", raw) and re.search(r"\d$", tokens[-1].raw):
            previous = tokens[-1]
            merged = make_token(previous.raw + raw, previous.start, match.end())
            merged.end = match.end() - len(merged.trailing)
            tokens[-1] = merged
            continue
        tokens.append(make_token(raw, match.start(), match.end()))
    return tokens


def make_token(raw: str, start: int, end: int) -> Token:
    stripped = raw.rstrip(EDGE_PUNCT)
    trailing = raw[len(stripped):]
    lead = len(stripped) - len(stripped.lstrip("\"'([{"))
    core = stripped[lead:]
    return Token(text=core.lower(), start=start + lead, end=start + lead + len(core), raw=raw, trailing=trailing)


def is_number_word(word: str) -> bool:
    parts = word.split("-")
    return all(p in UNITS_WORDS or p in TENS_WORDS for p in parts) and word not in {"oh"}


def words_to_int(words: list[str]) -> Optional[int]:
    """Whole number from words ("two hundred and fifty"); "a" counts as one before a scale."""
    words = ["one" if w == "a" else w for w in words]
    while words and words[-1] == "and":
        words = words[:-1]
    if not words:
        return None
    try:
        return int(text2num(" ".join(words), "en"))
    except ValueError:
        return None


def read_number(tokens: list[Token], i: int) -> Optional[tuple[float, int, bool]]:
    """Read one number starting at tokens[i]: (value, tokens consumed, has scale word) or None."""
    tok = tokens[i].text
    if DIGITS.match(tok):
        return read_digits(tokens, i)
    if tok in FRACTIONS or is_number_word(tok) or (tok == "a" and i + 1 < len(tokens)
                                                   and tokens[i + 1].text in {"hundred", "thousand", "million",
                                                                              "billion", "quarter", "half"}):
        return read_words(tokens, i)
    return None


def read_digits(tokens: list[Token], i: int) -> tuple[float, int, bool]:
    tok = tokens[i].text.lstrip("$€£").rstrip("%").replace(",", "")
    suffix = re.search(r"[a-z]+$", tok)
    multiplier = SCALES.get(suffix.group(), 1) if suffix else 1  # "2x" is a factor, not a scale
    value = float(tok[:suffix.start()] if suffix else tok) * multiplier
    used, scaled = 1, multiplier > 1
    if not tokens[i].trailing.strip() and i + 1 < len(tokens) and tokens[i + 1].text in SCALES \
            and tokens[i + 1].text != "hundred":
        value *= SCALES[tokens[i + 1].text]
        used, scaled = 2, True
    return value, used, scaled or "," in tokens[i].text


def read_words(tokens: list[Token], i: int) -> Optional[tuple[float, int, bool]]:
    words: list[str] = []
    j = i
    fraction: Optional[float] = None
    extra = 0.0
    """A fraction added to a whole number ("one and a half")."""
    decimals = ""
    while j < len(tokens):
        w = tokens[j].text
        if w in FRACTIONS and (not words or words == ["a"]):
            fraction, words = FRACTIONS[w], []
            if j + 2 < len(tokens) and tokens[j + 1].text in {"a", "of"} and tokens[j + 2].text in set(SCALES) | {"a"}:  # "half a million", "a quarter of a million"
                j += 1
                if j + 1 < len(tokens) and tokens[j].text == "of" and tokens[j + 1].text == "a":
                    j += 1
        elif is_number_word(w) or w in {"hundred", "thousand", "million", "billion"} or \
                (w == "a" and not words) or (w == "and" and words and j + 1 < len(tokens)
                                             and is_number_word(tokens[j + 1].text)):
            if w in {"thousand", "million", "billion"} and fraction is not None:
                words.append(w)
                j += 1
                break
            words.append(w)
        elif w == "and" and words and j + 2 < len(tokens) and tokens[j + 1].text == "a" \
                and tokens[j + 2].text in FRACTIONS:  # "one and a half million"
            extra = FRACTIONS[tokens[j + 2].text]
            j += 3
            break
        elif w == "point" and words and j + 2 < len(tokens) and tokens[j + 1].text in TWO_HOMOPHONES \
                and tokens[j + 2].text in BIG_SCALES:
            decimals = "2"  # "one point to million": Whisper's "to" for "two"; before a scale word it can be no other
            j += 2
            break
        elif w == "point" and words and j + 1 < len(tokens) and is_number_word(tokens[j + 1].text):
            j += 1
            while j < len(tokens) and tokens[j].text in UNITS_WORDS and tokens[j].text not in {"ten", "eleven"} \
                    and len(tokens[j].text) <= 5:
                decimals += str(words_to_int([tokens[j].text]) or 0)
                j += 1
            break
        else:
            break
        if tokens[j].trailing.strip(",") and tokens[j].trailing not in {","}:
            j += 1
            break
        j += 1
    # A trailing letter scale ("fifty k") or a scale word after a decimal ("one point two million").
    scale = 1
    if j < len(tokens) and tokens[j].text in SCALES and tokens[j].text != "hundred" and (
            tokens[j].text not in LETTER_SCALES or tokens[j].text in {"k", "grand", "m", "mil", "bn"}):
        scale = SCALES[tokens[j].text]
        j += 1
    if fraction is not None:
        if not words:
            return round(fraction, 6), j - i, False  # "about half", "a third"
        base = SCALES.get(words[-1], 1)
        return fraction * base * scale, j - i, True
    trailing_scale = 1
    while words and words[-1] in {"thousand", "million", "billion"} and decimals:
        trailing_scale *= SCALES[words.pop()]
    number = words_to_int(words)
    if number is None:
        return None
    value = (float(f"{number}.{decimals}") if decimals else float(number)) + extra
    scaled = scale > 1 or any(w in {"thousand", "million", "billion"} for w in words) or trailing_scale > 1
    return value * scale * trailing_scale, j - i, scaled


def currency_near(tokens: list[Token], start: int, end: int) -> Optional[str]:
    if tokens[start].text[:1] in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[tokens[start].text[:1]]
    if start > 0 and tokens[start - 1].text in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[tokens[start - 1].text]
    if end < len(tokens) and tokens[end].text in CURRENCY_WORDS:
        return CURRENCY_WORDS[tokens[end].text]
    return None


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in `text`, spoken or written, with its currency when one is said or written next to it."""
    tokens = tokenize(text)
    mentions: list[NumberMention] = []
    i = 0
    while i < len(tokens):
        read = read_number(tokens, i)
        if read is None:
            i += 1
            continue
        value, used, scaled = read
        end_index = i + used
        currency = currency_near(tokens, i, end_index)
        if currency and end_index < len(tokens) and tokens[end_index].text in CURRENCY_WORDS:
            end_index += 1
        percent = tokens[i + used - 1].text.endswith("%") or (
            end_index < len(tokens) and tokens[end_index].text in {"percent", "%", "per-cent"})
        if percent and not tokens[i + used - 1].text.endswith("%"):
            end_index += 1
        words = [t.text for t in tokens[i:end_index]]
        mentions.append(NumberMention(start=tokens[i].start, end=tokens[end_index - 1].end, value=value,
                                      currency=currency, scale_word=scaled, percent=percent, words=words))
        i = end_index
    return join_ranges(text, tokens, mentions)


def join_ranges(text: str, tokens: list[Token], mentions: list[NumberMention]) -> list[NumberMention]:
    """"between 80 and 100 thousand" / "80 to 100k": one mention, the lower bound borrowing the upper's scale."""
    joined: list[NumberMention] = []
    for mention in mentions:
        if joined:
            previous = joined[-1]
            between = text[previous.end:mention.start].strip(" ,").lower()
            compound = spoken_compound(text, previous, mention, between)
            if compound is not None:
                # "800 and 50 employees", "100 and 20 thousand pounds": Whisper wrote "eight hundred and fifty",
                # "one hundred and twenty thousand", as two numbers.
                joined[-1] = NumberMention(start=previous.start, end=mention.end, value=compound,
                                           currency=mention.currency or previous.currency,
                                           scale_word=previous.scale_word or mention.scale_word,
                                           words=previous.words + [between] + mention.words)
                continue
            if between in {"and", "to", "-", "or"} and not previous.percent and not mention.percent:
                before = text[:previous.start].rstrip().lower()
                if between != "and" or before.endswith("between"):
                    low = previous.value
                    if not previous.scale_word and mention.scale_word and low < mention.value:
                        low = scale_like(low, mention.value)
                    joined[-1] = NumberMention(start=previous.start, end=mention.end, value=mention.value,
                                               currency=mention.currency or previous.currency,
                                               scale_word=mention.scale_word or previous.scale_word, low=low,
                                               words=previous.words + [between] + mention.words)
                    continue
        joined.append(mention)
    return joined


def spoken_compound(text: str, previous: NumberMention, mention: NumberMention, between: str) -> Optional[float]:
    """The value of two numbers Whisper wrote for one spoken number, else None: whole hundreds, "and", then a
    number below a hundred, both in digits: "800 and 50" for "eight hundred and fifty" (850), and with a scale
    on the second, which English applies to the whole: "100 and 20 thousand" or "100 and 20,000" for "one
    hundred and twenty thousand" (120,000). Not after "between" (a range), and not when only the second part
    is written with a currency sign ("800 and $50": two amounts; "pounds" after the whole is the whole's)."""
    if between != "and" or previous.percent or mention.percent or previous.low is not None or previous.scale_word:
        return None
    if not (previous.value >= 100 and previous.value == int(previous.value) and previous.value % 100 == 0):
        return None
    if not all(re.fullmatch(r"[$€£]?[\d,]+", w) for w in (previous.words[-1], mention.words[0])):
        return None  # spoken words are read whole by text2num already ("eight hundred and fifty")
    second_has_symbol, first_has_symbol = (w[:1] in CURRENCY_SYMBOLS for w in (mention.words[0], previous.words[0]))
    if (second_has_symbol and not first_has_symbol) or text[:previous.start].rstrip().lower().endswith("between"):
        return None
    scale = next((s for s in (1_000_000, 1_000) if mention.scale_word and mention.value % s == 0
                  and 0 < mention.value / s < 100), 1)
    if scale > 1 and previous.value >= 1000:
        return None  # "one thousand two hundred and twenty thousand" is no number anyone says
    below_hundred = mention.value / scale
    if not (0 < below_hundred < 100 and below_hundred == int(below_hundred)) or (mention.scale_word and scale == 1):
        return None
    return (previous.value + below_hundred) * scale


def scale_like(low: float, high: float) -> float:
    """Give an unscaled lower bound the largest scale that keeps it below the upper one: (80, 100000) -> 80000,
    and (5, 700000) -> 500000 for "five to seven hundred k", whose "hundred" scales the five too."""
    for scale in (10 ** power for power in range(9, 2, -1)):
        if high >= scale and low * scale <= high * 1.0 and low < 1000:
            return low * scale
    return low


def parse_number(text: str) -> Optional[float]:
    """The value of a text that is one number ("1.2 million", "two hundred and fifty", "$80,000"), else None."""
    found = find_numbers(text)
    return found[0].value if len(found) == 1 else None
