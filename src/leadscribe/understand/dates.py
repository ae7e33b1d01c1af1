"""Dates said relative to the call: "next Tuesday", "end of Q3", "within six weeks", "by the end of March",
"mid-March".

Everything resolves against the call date, never against today, so a call processed a month late still gets
the close date the prospect meant. Explicit dates ("March 15th", "2025-04-01") go through dateutil.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Callable, NamedTuple, Optional

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta

from leadscribe.understand.numbers import parse_number

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [m.lower() for m in calendar.month_name if m]
UNITS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
         "year": "years", "years": "years", "quarter": "quarters", "quarters": "quarters"}
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
                 "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
                 "nineteenth": 19, "twentieth": 20, "thirtieth": 30}
# "the twenty first", "thirty-first": a tens word and an ordinal unit.
SPOKEN_DAY = (r"(?:(?:twenty|thirty)[\s-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
              + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + ")")
DAY = r"(\d{1,2}(?:st|nd|rd|th)?|" + SPOKEN_DAY + ")"
UNIT_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# Years as said: "twenty twenty six", "two thousand and twenty six", "2026".
YEAR = (r"(\d{4}|twenty[\s-](?:twenty|thirty)(?:[\s-](?:" + "|".join(UNIT_WORDS) + r"))?|"
        r"two\s+thousand\s+(?:and\s+)?(?:twenty|thirty)(?:[\s-](?:" + "|".join(UNIT_WORDS) + r"))?)")
NUM = r"(?:\d+|a\s+few|a\s+couple\s+of|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple of|few)"

# "Q1 next year", "Q3 of 2027": which year a quarter is in, when it is said.
WHICH_YEAR = r"(?:,?\s+(?:of\s+)?(?:(next)\s+year\b|(\d{4})\b))?"
# "in about 90 days": a span said as approximate names no day.
ROUGHLY = r"(?:(about|around|roughly|approximately|maybe)\s+)?"

# Order matters: the longest, most specific phrasing first.
PATTERNS = [
    ("end_of_quarter", re.compile(r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:q([1-4])|(first|second|third|fourth)\s+"
                                  r"quarter|(?:this\s+|the\s+|(next)\s+)?quarter)\b" + WHICH_YEAR, re.I)),
    ("quarter", re.compile(r"\b(?:in\s+)?q([1-4])\b" + WHICH_YEAR, re.I)),
    ("end_of_month", re.compile(r"\b(?:the\s+)?end\s+of\s+(?:the\s+month\b|(next)\s+month\b|(" + "|".join(MONTHS)
                                + r")\b)", re.I)),
    ("end_of_year", re.compile(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|(next)\s+)?year\b", re.I)),
    ("relative", re.compile(r"\b(?:within|in|next|over\s+the\s+next)\s+(?:the\s+next\s+)?" + ROUGHLY + r"(" + NUM
                            + r")\s+(days?|weeks?|months?|years?|quarters?)\b", re.I)),
    ("next_unit", re.compile(r"\bnext\s+(week|month|quarter|year)\b", re.I)),
    ("weekday", re.compile(r"\b(next\s+|this\s+|on\s+)?(" + "|".join(WEEKDAYS) + r")\b", re.I)),
    ("relative_day", re.compile(r"\b(today|tomorrow|day\s+after\s+tomorrow)\b", re.I)),
    ("explicit", re.compile(r"\b(?:(" + "|".join(MONTHS) + r")\s+(?:the\s+)?" + DAY + r"(?:,?\s+" + YEAR
                            + r")?|(\d{4}-\d{2}-\d{2}))\b", re.I)),
    ("day_of_month", re.compile(r"\b(?:the\s+)?" + DAY + r"\s+of\s+(" + "|".join(MONTHS) + r")(?:,?\s+" + YEAR
                                + r")?\b", re.I)),
    ("week_of_month", re.compile(r"\b(?:the\s+)?(first|second|third|fourth|last)\s+week\s+of\s+(" + "|".join(MONTHS)
                                 + r")\b", re.I)),
    ("mid_month", re.compile(r"\b(?:mid|the\s+middle\s+of|middle\s+of)[\s-]*(" + "|".join(MONTHS) + r")\b", re.I)),
    ("month", re.compile(r"\b(?:in|by|until|before)\s+(" + "|".join(MONTHS) + r")\b", re.I)),
]
ORDINAL_QUARTER = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# How sure a phrase's reading is, by kind: a calendar date ("March 20, 2026") names one day; a period's end ("end
# of Q3", "by March") is one day by our convention (its last), and so is a counted span from the call ("within six
# weeks"); "next Tuesday" and "next week" depend on the speaker's habits (this week's Tuesday or next week's?).
READING_CONFIDENCE = {"explicit": 0.95, "day_of_month": 0.95, "end_of_quarter": 0.9, "end_of_month": 0.9, "end_of_year": 0.9,
                      "relative_day": 0.9, "quarter": 0.85, "month": 0.85, "mid_month": 0.85,
                      "week_of_month": 0.85, "relative": 0.9, "relative_vague": 0.6, "next_unit": 0.8, "weekday": 0.8}


class DatePhrase(NamedTuple):
    date: date
    start: int
    end: int
    kind: str
    """Which PATTERNS entry read it; READING_CONFIDENCE[kind] says how unambiguous that reading is."""

    @property
    def reading_confidence(self) -> float:
        return READING_CONFIDENCE[self.kind]


def call_date(call) -> date:
    value = call.custom_metadata.get("call_date") if call.custom_metadata else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dateparser.isoparse(value).date()
        except ValueError:
            return dateparser.parse(value).date()
    return call.created_at.date()


def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def count_of(word: str) -> int:
    word = re.sub(r"^a\s+", "", " ".join(word.lower().split()))
    if word in {"a", "an"}:
        return 1
    if word == "couple of":
        return 2
    if word == "few":
        return 3
    value = parse_number(word)
    return int(value) if value else 1


def resolve_date(text: str, today: date) -> Optional[DatePhrase]:
    """The first date expression in `text` as (date, char start, char end, kind), relative to `today`."""
    for kind, pattern in PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        resolved = resolve_match(kind, match, today)
        if resolved is not None:
            if kind == "relative" and (match.group(1) or re.sub(r"^a\s+", "", " ".join(
                    match.group(2).lower().split())) in {"few", "couple of"}):
                kind = "relative_vague"  # "within a few weeks", "in about 90 days" name no day
            return DatePhrase(resolved, match.start(), match.end(), kind)
    return None


def resolve_match(kind: str, match: re.Match, today: date) -> Optional[date]:
    g = match.groups()
    if kind in {"end_of_quarter", "quarter"}:
        if kind == "quarter":
            g = (g[0], None, None, *g[1:])  # the same groups as end_of_quarter's: no ordinal word, no "next"
        said_quarter, ordinal, next_quarter, next_year, year_said = g
        if said_quarter:
            quarter = int(said_quarter)
        elif ordinal:
            quarter = ORDINAL_QUARTER[ordinal.lower()]
        else:
            quarter = (today.month - 1) // 3 + 1
        if next_quarter:  # "the end of next quarter"
            return quarter_end(today.year + quarter // 4, quarter % 4 + 1)
        if year_said:
            return quarter_end(int(year_said), quarter)
        if next_year:
            return quarter_end(today.year + 1, quarter)
        year = today.year if quarter_end(today.year, quarter) >= today else today.year + 1
        return quarter_end(year, quarter)
    if kind == "end_of_month":
        next_month, month_said = g
        if month_said:
            month = MONTHS.index(month_said.lower()) + 1
            year = today.year if month_end(today.year, month) >= today else today.year + 1
            return month_end(year, month)
        if next_month:
            following = today + relativedelta(months=1)
            return month_end(following.year, following.month)
        return month_end(today.year, today.month)
    if kind == "end_of_year":
        return date(today.year + (1 if g[0] else 0), 12, 31)
    if kind == "relative":
        unit = UNITS[g[2].lower()]
        n = count_of(g[1])
        if unit == "quarters":
            return today + relativedelta(months=3 * n)
        return today + relativedelta(**{unit: n})
    if kind == "next_unit":
        unit = g[0].lower()
        if unit == "week":
            return today + timedelta(days=7 - today.weekday())  # Monday of next week
        if unit == "month":
            return (today + relativedelta(months=1)).replace(day=1)
        if unit == "quarter":
            quarter = (today.month - 1) // 3 + 1
            return (quarter_end(today.year, quarter) + timedelta(days=1))
        return date(today.year + 1, 1, 1)
    if kind == "weekday":
        target = WEEKDAYS.index(g[1].lower())
        ahead = (target - today.weekday()) % 7
        if ahead == 0:
            ahead = 7
        # "next Tuesday" said on a Monday means tomorrow week for some people and tomorrow for others; we take
        # the common reading in sales calls (the coming one), and "next" only skips today.
        return today + timedelta(days=ahead)
    if kind == "relative_day":
        word = g[0].lower()
        return today + timedelta(days={"today": 0, "tomorrow": 1}.get(word, 2))
    if kind in {"explicit", "day_of_month"}:
        if kind == "explicit" and g[3]:
            return date.fromisoformat(g[3])
        month_word, day_said, year_said = (g[0], g[1], g[2]) if kind == "explicit" else (g[1], g[0], g[2])
        month = MONTHS.index(month_word.lower()) + 1
        year = year_value(year_said) if year_said else today.year
        day = day_value(day_said)
        try:
            candidate = date(year, month, day)
        except (ValueError, TypeError):
            return None
        if not year_said and candidate < today:
            if not calendar.isleap(year + 1) and (month, day) == (2, 29):
                return None  # "February 29th" said after this leap year's: next year has none, so no day is named
            candidate = candidate.replace(year=year + 1)
        return candidate
    if kind == "month":  # "by March": its last day, the next one to come
        month = MONTHS.index(g[0].lower()) + 1
        return next_to_come(today, lambda year: month_end(year, month))
    if kind == "week_of_month":  # "the first week of April": that week's last day (the 7th), the next one to come
        month, week = MONTHS.index(g[1].lower()) + 1, g[0].lower()
        return next_to_come(today, lambda year: week_end(year, month, week))
    if kind == "mid_month":  # "mid-March": the 15th, the next one to come
        month = MONTHS.index(g[0].lower()) + 1
        return next_to_come(today, lambda year: date(year, month, 15))
    return None


def next_to_come(today: date, in_year: Callable[[int], date]) -> date:
    """The day `in_year` names this year, or next year's once this year's is past: a month or part of one said
    without a year is the next one to come."""
    this_year = in_year(today.year)
    return this_year if this_year >= today else in_year(today.year + 1)


def week_end(year: int, month: int, week: str) -> date:
    """The last day of the first..fourth week of a month (the 7th..28th), or of the month for its last week."""
    return month_end(year, month) if week == "last" else date(year, month, 7 * ORDINAL_QUARTER[week])


def day_value(said: str) -> Optional[int]:
    """"15th" -> 15, "fifteenth" -> 15, "twenty first" -> 21."""
    said = said.lower()
    digits = re.match(r"\d+", said)
    if digits:
        return int(digits.group())
    words = re.split(r"[\s-]+", said)
    if len(words) == 2:
        return {"twenty": 20, "thirty": 30}[words[0]] + ORDINAL_WORDS[words[1]]
    return ORDINAL_WORDS.get(words[0])


def year_value(said: str) -> int:
    """"2026", "twenty twenty six", "two thousand and twenty six" -> 2026."""
    said = said.lower()
    if said.isdigit():
        return int(said)
    words = [w for w in re.split(r"[\s-]+", said) if w not in {"and"}]
    tens = {"twenty": 20, "thirty": 30}
    unit = UNIT_WORDS.index(words[-1]) + 1 if words[-1] in UNIT_WORDS else 0
    if words[:2] == ["two", "thousand"]:
        return 2000 + tens[words[2]] + unit
    return 100 * tens[words[0]] + tens[words[1]] + unit
