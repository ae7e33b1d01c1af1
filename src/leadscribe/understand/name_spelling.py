"""Whether the spelling of a heard name can be trusted.

Speech carries a name's sound, not its letters: "Sofia" and "Sophia", "Fischer" and "Fisher", "Ana" and "Anna"
sound the same, and Whisper writes whichever spelling it saw more often, as sure of it as of any word. A name
whose sound several common spellings share is therefore unverified until the caller spells it out.

The spellings and how common they are come from the US Census name lists (1990: 5,494 first names, 88,799
surnames, with their share of the population), shipped in the `names` package. A name not on the lists is not
judged here: nothing says it has a rival spelling.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

import jellyfish

CENSUS_FILES = {"first": ("dist.male.first", "dist.female.first"), "last": ("dist.all.last",)}
# A rival spelling counts when it is at least this common relative to the heard one: "Sophia" (0.032%) beside
# "Sofia" (0.013%) is a real doubt; "Micheal" (0.12%) beside "Michael" (2.6%) is not.
RIVAL_SHARE = 0.1
# A name at least this common (percent of the population) is a known name: "Rossi" (0.008), "Chen" (0.016) are;
# "Water" as a surname (under 0.0005) is not.
COMMON_SHARE = 0.005
# Letters said one by one ("S-O-F-I-A", "s o f i a", "S.O.F.I.A."): at least three single letters in a row.
SPELLED_OUT = re.compile(r"(?<![\w'])([A-Za-z])(?:(?:\s*[-.,]\s*|\s+)([A-Za-z])(?![\w'])){2,}")


def sound_key(name: str) -> str:
    """A rough pronunciation of an English-written name, the same for spellings that sound alike: "Sophia" and
    "Sofia" -> "sofia", "Fischer" and "Fisher" -> "fisher", "Anna" and "Ana" -> "ana", "Jon" and "John" -> "jon".

    Unlike Metaphone it keeps vowels ("Chen" is not "Chan", "Maria" is not "Mary") and it reads "sch" as "sh"."""
    s = re.sub(r"[^a-z]", "", name.lower())
    for old, new in (("sch", "sh"), ("ph", "f"), ("ck", "k"), ("dt", "t"), ("th", "t"), ("q", "k"), ("x", "ks"),
                     ("wr", "r"), ("au", "o")):
        s = s.replace(old, new)
    s = re.sub(r"c(?=[eiy])", "s", s)
    s = re.sub(r"c(?!h)", "k", s)
    s = s[:1] + s[1:].replace("y", "i").replace("z", "s").replace("v", "f")
    s = re.sub(r"(?<=[bdfgjklmnpqrv])h", "", s)  # "John" -> "jon"; "ch", "sh", "th", "gh", "wh" stay
    s = re.sub(r"(?<=[aeiou])h(?![aeiou])", "", s)  # "Sarah" -> "sara", "Johnson" -> "jonson"
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=2)
def census(part: str) -> dict[str, float]:
    """Name (lower-case) -> share of the population in percent, for `part` "first" or "last"."""
    shares: dict[str, float] = {}
    folder = resources.files("names")
    for filename in CENSUS_FILES[part]:
        for line in folder.joinpath(filename).read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 2:
                # First names are listed per sex; a name on both lists is as common as both shares together.
                shares[fields[0].lower()] = shares.get(fields[0].lower(), 0.0) + float(fields[1])
    return shares


@lru_cache(maxsize=2)
def by_sound(part: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name in census(part):
        groups.setdefault(sound_key(name), []).append(name)
    return groups


def rival_spellings(name: str, part: str) -> list[str]:
    """Other common spellings of the sound of `name` ("first" or "last" name), most common first, capitalised as
    names are; empty when the spelling is the only common one, or when the name is not on the census lists."""
    heard = name.strip().lower()
    shares = census(part)
    if heard not in shares:
        return []
    floor = max(shares[heard], 0.001) * RIVAL_SHARE  # the lists round rare names to 0.000
    rivals = [n for n in by_sound(part).get(sound_key(heard), []) if n != heard and shares[n] >= floor]
    return [n.capitalize() for n in sorted(rivals, key=lambda n: -shares[n])]


def is_common_name(name: str, part: str) -> bool:
    """Whether `name` is on the census list of `part` ("first" or "last") at COMMON_SHARE or more."""
    return census(part).get(name.strip().lower(), 0.0) >= COMMON_SHARE


def is_known_name(word: str) -> bool:
    """Whether `word` is a common first or last name ("Julie", "Chen"; not "potel", "junson", "chain")."""
    return is_common_name(word, "first") or is_common_name(word, "last")


# How far a misheard spelling may be from the name it stands for: "potel"/"Patel", "junson"/"Johnson", "an"/"Anna".
MAX_MISSPELLING_EDITS = 2
# ... and from a name whose person the rest of the address already names ("preo" beside "johnson", Priya Johnson).
PAIRED_MISSPELLING_EDITS = 3


def consonant_sound(word: str) -> str:
    """Metaphone without the glides y, w and h, which Whisper drops or adds as it spells a name it heard inside a
    dictated address ("prea" for Priya, "julya" for Julia)."""
    return re.sub(r"[YWH]", "", jellyfish.metaphone(word))


def misspelled_name(word: str, names: Iterable[str], max_edits: int = MAX_MISSPELLING_EDITS) -> Optional[str]:
    """The name of `names` that `word` is a misspelling of, or None: the same consonant sound (Metaphone, glides
    aside), the same first letter, at most MAX_MISSPELLING_EDITS letters apart, and `word` no common name.
    Whisper writes a name it hears inside dictated pieces ("laura dot patel at ...") worse than the same name in a
    sentence ("my name is Laura Patel"): "potel" is no one's name, so it stands for "Patel"; "prea" stands for
    "Priya", a name the 1990 census lists do not hold but the caller said in a sentence. Two common names ("julie"
    and "Julia", "fisher" and "Fischer") are rival spellings, and neither is taken for the other."""
    heard = word.lower()
    if len(heard) < 2 or not heard.isalpha() or is_known_name(heard):
        return None
    for name in names:
        known = name.lower()
        if (known != heard and len(known) >= 2 and known.isalpha() and known[0] == heard[0]
                and consonant_sound(known) == consonant_sound(heard)
                and jellyfish.levenshtein_distance(known, heard) <= max_edits):
            return name
    return None


def name_part(word: str) -> str:
    """"first" or "last": the census list on which `word` is the more common name ("laura" a first name)."""
    return "first" if census("first").get(word.lower(), 0.0) >= census("last").get(word.lower(), 0.0) else "last"


def letters_of(spelled: str) -> str:
    """The word a SPELLED_OUT run spells, lower-case: "S-O-F-I-A" -> "sofia"."""
    return "".join(re.findall(r"[A-Za-z]", spelled)).lower()


def spelled_out(texts: Iterable[str]) -> list[str]:
    """Words spelled letter by letter in `texts`, lower-case: "that's S-O-F-I-A" -> ["sofia"]."""
    return [letters_of(match.group()) for text in texts for match in SPELLED_OUT.finditer(text)]


def spelling_confirmed(name: str, texts: Iterable[str], part: Optional[str] = None) -> Optional[str]:
    """The spelling of `name`'s sound that the caller gave in `texts`, or None: spelled out letter by letter
    ("S-O-F-I-A"), or told by a letter it has or lacks ("Sofia with an F"; see `hinted_spelling`). `part` is the
    census list the name is on ("first" or "last"; by default the one it is more common on)."""
    texts = list(texts)
    key = sound_key(name)
    for letters in spelled_out(texts):
        # A spelled run may take in a letter said before it ("with a C, F-I-S-C-H-E-R" reads "acfischer"), so
        # any stretch of it that spells the sound counts.
        for word in (letters[i:j] for i in range(len(letters)) for j in range(len(letters), i + 2, -1)):
            if sound_key(word) == key:
                return word.capitalize()
    return hinted_spelling(name, texts, part or name_part(name))


# The names of the letters as Whisper writes them when a letter is said alone ("with a C" -> "with a sea").
LETTER_NAMES = {
    "ay": "a", "bee": "b", "be": "b", "see": "c", "sea": "c", "cee": "c", "dee": "d", "ee": "e", "eff": "f",
    "ef": "f", "gee": "g", "aitch": "h", "eye": "i", "jay": "j", "kay": "k", "el": "l", "ell": "l", "em": "m",
    "en": "n", "oh": "o", "pee": "p", "pea": "p", "queue": "q", "cue": "q", "are": "r", "ar": "r", "ess": "s",
    "tee": "t", "tea": "t", "you": "u", "vee": "v", "ex": "x", "why": "y", "zee": "z", "zed": "z",
}
# What may stand between the name and its letters: "Sofia, with an F", "Fischer - that's with a C".
HINT_START = re.compile(r"^[\s,.\-]*(?:that's\s+|that is\s+|it's\s+|spelled\s+)?(with(?:out)?)\s+", re.IGNORECASE)
# A hint needs this word; a turn without it is not searched.
HINT_WORD = re.compile(r"\bwith", re.IGNORECASE)
# Words said before the letter. An article asks only that the spelling has it; a number asks for that many.
HINT_ARTICLES = {"a", "an", "the"}
HINT_COUNTS = {"one": 1, "1": 1, "single": 1, "two": 2, "2": 2, "double": 2}
# A letter token: one letter ("F", "f.", "N's"), two run together ("DT"), dotted ("D.T."), or its name ("sea");
# a count said before it may be run in ("2NS").
LETTER_TOKEN = re.compile(r"^(?P<count>[12])?(?P<letters>[A-Z]{1,2}|[a-z]|(?:[A-Za-z]\.){1,3})(?:'?s)?[.,?!]?$")
# "with an F" as Whisper often writes it: "with NF".
ARTICLE_RUN_IN = re.compile(r"^N(?P<letter>[A-Z])[.,?!]?$")


def _hinted_letters(text: str) -> Optional[tuple[bool, list[tuple[str, Optional[int]]]]]:
    """(whether the letters are ones the name lacks, [(letter, how many times or None for any)]) from the words
    after a name: "with an F" -> (False, [("f", None)]), "with two Ns" -> (False, [("n", 2)]), "with no C" /
    "without a C" -> (True, [("c", None)]); None when no letter follows "with". The letter must follow an article,
    a count or "no": "Sofia with HP" is where she works, not how she spells it."""
    start = HINT_START.match(text)
    if start is None:
        return None
    lacks = start.group(1).lower() == "without"
    tokens = text[start.end():].split()[:4]
    if tokens and (run_in := ARTICLE_RUN_IN.match(tokens[0])) is not None:
        return lacks, [(run_in.group("letter").lower(), None)]
    count: Optional[int] = None
    introduced, letters = False, []
    for token in tokens:
        bare = token.strip(",.?!").lower()
        if bare == "no" or bare in HINT_ARTICLES or bare in HINT_COUNTS:
            lacks = lacks or bare == "no"
            count = HINT_COUNTS.get(bare, count)
            introduced = True
            continue
        match = LETTER_TOKEN.match(token)
        if not introduced and (match is None or not match.group("count")):  # "2NS": the count run in
            break
        if bare in LETTER_NAMES:
            letters.append((LETTER_NAMES[bare], count))
        elif match is not None:
            said = re.sub(r"[^a-z]", "", match.group("letters").lower())
            count = int(match.group("count")) if match.group("count") else count
            # "2 NS" is two Ns, not an N and an S: a plural after a count of two.
            if count == 2 and len(said) == 2 and said.endswith("s") and not token.endswith("."):
                said = said[0]
            letters.extend((letter, count) for letter in said)
        else:
            break
        if token.endswith((",", ".", "?", "!")):
            break
    return (lacks, letters) if letters else None


def _fits(spelling: str, letter: str, count: Optional[int], lacks: bool) -> bool:
    """Whether `spelling` has `letter` (`count` times, or any number when None), or lacks it when `lacks`."""
    has = letter in spelling if count is None else spelling.count(letter) == count
    return not has if lacks else has


def hinted_spelling(name: str, texts: Iterable[str], part: str) -> Optional[str]:
    """The spelling of `name`'s sound that a letter said after it singles out among the sound's common
    spellings, or None: "Sofia with an F" -> Sofia (not Sophia), "Fisher, with a C" -> Fischer, "Anna with two
    Ns" -> Anna (not Ana), "Novak with no C" -> Novak (not Novack). Callers say this of names whose spelling they
    know is often got wrong, and the letter is heard at least as well as the name.

    A letter that every spelling has, or none has ("Sophia with an S", the N of "Sophia with NF" read as two
    letters), says nothing and is passed over; the hint counts only when the letters that do tell the spellings
    apart leave one."""
    key = sound_key(name)
    spellings = [name.lower(), *(rival.lower() for rival in rival_spellings(name, part))]
    if len(spellings) < 2:
        return None
    for text in texts:
        if not HINT_WORD.search(text):
            continue
        for heard in re.finditer(r"[A-Za-z']+", text):
            if sound_key(heard.group()) != key:
                continue
            hint = _hinted_letters(text[heard.end():])
            if hint is None:
                continue
            lacks, letters = hint
            telling = [(letter, count) for letter, count in letters
                       if len({_fits(spelling, letter, count, lacks) for spelling in spellings}) == 2]
            left = [spelling for spelling in spellings
                    if telling and all(_fits(spelling, letter, count, lacks) for letter, count in telling)]
            if len(left) == 1:
                return left[0].capitalize()
    return None


# A caller's answer to a spelling question: the words it may start with before saying the letters, and the ones
# that say "as you said".
ANSWER_LEAD = re.compile(r"^\W*(?:(?:yes|yeah|yep|no|nope|correct|right|exactly|sorry|that's|it's)\W+)*",
                         re.IGNORECASE)
AGREES = re.compile(r"^\W*(?:yes|yeah|yep|yup|correct|exactly|that's right|that is right|that's correct)\b",
                    re.IGNORECASE)
DENIES = re.compile(r"^\W*(?:no|nope|not quite)\b", re.IGNORECASE)


def answered_spellings(question: str, answer: str) -> list[str]:
    """What the caller confirmed or said in answer to the rep's spelling question, as texts that say the name
    with its letters: "Is that Sofia with an F?" / "Yes, that's right." -> the question; "Sofia with an F or a
    P H?" / "With a P H." -> "Sofia with a P H." (the answer after each capitalised word of the question, since
    only the name's sound will match); "Is that Fischer with a C?" / "No." -> "Is that Fischer without a C?"; an
    answer of yes or no to a choice ("... or a P H?") says nothing."""
    letters = ANSWER_LEAD.sub("", answer)
    if _hinted_letters(" " + letters) is not None:
        return [f"{word} {letters}" for word in re.findall(r"\b[A-Z][a-z']+", question)]
    hint = next((word for word in re.finditer(r"[A-Za-z']+", question)
                 if _hinted_letters(question[word.end():]) is not None), None)
    asks_a_choice = hint is not None and re.search(r"\bor\b", question[hint.end():]) is not None
    if AGREES.match(answer) and not asks_a_choice and (hint is not None or spelled_out([question])):
        return [question]
    if DENIES.match(answer) and not asks_a_choice and hint is not None:
        # "Is that Fischer with a C?" / "No.": the name lacks the letter (and has the one it was asked without).
        flipped = re.sub(r"^(\W*)(with(?:out)?)", lambda m: m.group(1) + FLIPPED[m.group(2).lower()],
                         question[hint.end():], flags=re.IGNORECASE)
        return [question[:hint.end()] + flipped]
    return []


FLIPPED = {"with": "without", "without": "with"}

