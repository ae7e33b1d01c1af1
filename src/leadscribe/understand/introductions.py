"""Self-introductions: a speaker naming themself, and the company they name with it.

"My name is Julia Walker", "this is Maya calling from Northwind Analytics", "I'm David Chen", "David Chen here",
"Emily speaking", "it's Dana at Acme", "Julia Chen, head of operations". One reading serves three stages: `roles`
names the speakers, `entities` adds the names as PERSON entities, and the CRM policy learns the rep's own name and
company, which are never proposed as the prospect's.

The cue words are matched in any case ("My name is" opens a sentence); the name is the capitalised words after
them, whatever a statistical tagger makes of them. A question is no introduction: "Is this David Chen?" names the
person the speaker hopes to reach.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Optional

from spacy.lang.en.stop_words import STOP_WORDS

from leadscribe.understand.name_spelling import is_common_name, is_known_name
from leadscribe.understand.text import sentence_around

OF_WHAT = (r"\s+(?:of|for)\s+[a-z]+(?:\s+(?!at\b|in\b|for\b|with\b|from\b|and\b|over\b|here\b|there\b|now\b|"
           r"today\b|right\b)[a-z]+)?")
# The head word of a job title, with what it may be "of" ("head of operations", "director of finance").
TITLE_WORDS = (r"(?:chief\s+\w+\s+officer|head" + OF_WHAT + r"|(?:senior\s+|junior\s+|associate\s+)?"
               r"(?:vp|vice\s+president|director|manager|lead|engineer|analyst|administrator|coordinator|"
               r"specialist|consultant|executive|architect|representative|controller)(?:" + OF_WHAT + r")?|"
               r"ceo|cto|cfo|coo|cio|cmo|founder|"
               r"co-founder|owner|president)")

# One or two capitalised words: a capital may follow an apostrophe or "Mc" (O'Brien, McDonald), and a hyphen may join
# two names (Smith-Jones, Yang-Singur, Jean-luc); a word never ends in the hyphen ("Yang-" of "Yang-Singur").
NAME_WORD = r"(?-i:(?:[A-Z]['’]|Mc|Mac)?[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?)"
NAME = r"(?P<name>" + NAME_WORD + r"(?:\s+" + NAME_WORD + r")?)"
# The company said with the name: "calling from Northwind Analytics", "here at Acme", "with Blue Harbor Foods".
AFFILIATION = (r"(?:\s*,?\s+(?:calling\s+)?(?:from|with|at|here\s+at)\s+"
               r"(?P<company>(?-i:[A-Z][\w&'-]*)(?:\s+(?-i:[A-Z][\w&'-]*)){0,3}))?")
PATTERNS = [re.compile(r"\b(?:my name is|my name'?s|i'?m|im|i am|this is)\s+" + NAME + AFFILIATION, re.I),
            # "It's" also opens "It's Salesforce we use": only with the company or "here" after the name.
            re.compile(r"\bit'?s\s+" + NAME + r"(?=\s*,?\s+(?:calling\s+)?(?:from|with|at|here)\b)" + AFFILIATION,
                       re.I),
            # "Maya from Northwind Analytics here": the company sits between the name and "here" (`opens_phrase`).
            re.compile(NAME + AFFILIATION + r"\s+(?:here|speaking)\b", re.I),
            re.compile(r"(?:^|[.?!,]\s+)" + NAME + r"\s*,\s+(?:the\s+)?(?=" + TITLE_WORDS + r"\b)", re.I)]
# Where a speaker names the company they work for: after their title or team ("VP of Finance at Contoso", "I lead the
# data team at Kestrel Bio"), "I work at/for", "here at", "over at" and "a company called". spaCy misses unfamiliar
# names there or reads them as people or places ("Zentrix", "Kestrel Bio", "Fabrikam"). Titles take "at" or "with"
# only: "director for North America" names a region.
EMPLOYER_CUE = (r"(?:\b(?:" + TITLE_WORDS + r"|team|department)\s*,?\s+(?:at|with)|"
                r"\bwork(?:s|ing|ed)?\s+(?:at|for|with)|\b(?:here|over)\s+at|\bcompany\s+called|"
                # "I head up procurement at Contoso", "I run the data team for Acme"
                r"\bi\s+(?:head\s+up|run|lead|manage|oversee)\s+(?:the\s+|our\s+)?(?:[a-z]+\s+){1,3}?(?:at|for))"
                r"\s+(?:the\s+)?")
EMPLOYER = re.compile(EMPLOYER_CUE + r"(?P<company>(?-i:[A-Z][\w&'-]*)(?:\s+(?:&\s+)?(?-i:[A-Z][\w&'-]*)){0,3})", re.I)
# Capitalised words that follow "I'm" / "this is" without being a name ("I'm Chief Financial Officer", "this is
# Great", "I'm Calling about"): title words and the common words Whisper capitalises (spaCy's stop words too).
NOT_NAME_WORDS = {"chief", "head", "director", "manager", "vice", "president", "officer", "lead", "senior", "junior",
                  "sales", "operations", "finance", "marketing", "engineer", "founder", "owner", "it", "vp", "ceo",
                  "cfo", "cto", "coo", "sure", "great", "glad", "happy", "sorry", "fine", "good", "calling", "just",
                  "really", "looking", "not", "interested", "afraid", "hi", "hello", "yes", "yeah", "okay", "ok",
                  "thanks", "speaking", "here", "from", "with", "support", "team", "going", "trying", "actually", "im",
                  *(m.lower() for m in calendar.month_name if m), *(d.lower() for d in calendar.day_name)}


# Parts of a year that follow "for" like a company would ("I manage our budget for Q3"): no company.
PERIOD_NAME = re.compile(r"(?:Q[1-4]|H[12]|FY\d{2,4})[.,]?", re.I)
# Whisper sometimes writes "I'm Julia" as one word: "Sure, Imjulia Brown, head of operations".
GLUED_CUE = re.compile(r"I'?m([a-z]{2,})$")


@dataclass
class Introduction:
    name: str
    start: int
    """Where the name starts in the text."""
    company: Optional[str] = None
    """The company named with it, when the name was said whole before it ("Maya from Northwind")."""


def is_name_word(word: str) -> bool:
    """Whether `word` may be part of a name: not a title or common word, nor a contraction of one ("We're here"
    is no one named We're; O'Brien and D'Angelo stay names)."""
    lowered = word.lower()
    head = lowered.split("'")[0]
    return lowered not in NOT_NAME_WORDS and lowered not in STOP_WORDS and not ("'" in lowered and head in STOP_WORDS)


def opens_phrase(text: str, start: int) -> bool:
    """Whether a name found at `start` is the start of what was said, not the tail of a company or of a longer
    name ("calling from Northwind Analytics here" holds no one named Analytics)."""
    before = text[:start].split()
    if not before:
        return True
    previous = before[-1]
    if previous.lower() in {"from", "with", "at"}:
        return False
    return not (previous[:1].isupper() and previous[-1].isalpha() and is_name_word(previous))


def introductions(text: str) -> list[Introduction]:
    """Every self-introduction in `text`, in order of where the name starts (one per name position)."""
    found: dict[int, Introduction] = {}
    for pattern in PATTERNS:
        for match in pattern.finditer(text):
            said = match.group("name").split()
            words = list(said)
            while words and not is_name_word(words[-1]):
                words.pop()
            if not words or not all(is_name_word(w) for w in words):
                continue
            start = match.start("name")
            if not opens_phrase(text, start):
                continue
            cue = GLUED_CUE.match(words[0])
            if cue and is_common_name(cue.group(1), "first") and not is_known_name(words[0]):
                words[0], start = cue.group(1).capitalize(), start + cue.start(1)
            _, sentence_end = sentence_around(text, start, match.end("name"))
            if text.startswith("?", sentence_end):
                continue
            company = match.groupdict().get("company") if words == said else None
            found.setdefault(start, Introduction(" ".join(words), start, company))
    return [found[start] for start in sorted(found)]


def employers(text: str) -> list[tuple[int, str]]:
    """(start, company) for each company a speaker says they work for (EMPLOYER), or name with themself in an
    introduction ("Sam from Orchard Health"). Trailing capitalised common words are no part of the name ("at Acme
    I think")."""
    found: dict[int, str] = {}
    named = [(match.start("company"), match.group("company")) for match in EMPLOYER.finditer(text)]
    for introduction in introductions(text):
        if introduction.company:
            named.append((text.find(introduction.company, introduction.start), introduction.company))
    for start, company in named:
        words = company.split()
        while words and (words[-1].lower() in STOP_WORDS or words[-1].lower() in NOT_NAME_WORDS or
                         PERIOD_NAME.fullmatch(words[-1])):
            words.pop()
        if start >= 0 and words and not all(w.lower() in STOP_WORDS for w in words):
            found.setdefault(start, " ".join(words))
    return sorted(found.items())
