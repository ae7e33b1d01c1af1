"""E-mail addresses and phone numbers as people say them and Whisper writes them.

"sarah dot chen at meridian health dot com", "David .Chen at Acme Logistics .com", "bunyamin@gmail.com";
"415 -555 -0192", "four one five, five five five, zero one nine two", a number finished in the speaker's next
turn, and corrections ("sorry, that's a four not a five"). Also the forms Whisper writes on phone audio:
"beniamin at gmail com" (no "dot"), "www.buniaminatgmail.com" ("at" glued on), and user names / account IDs
("my user name is user 101" -> user101); and web domains said on their own ("you'll find us at acme dot io",
"Redwood Insurance.com" where the address before it went unheard); parts spelled letter by letter ("J-U-L-I-A dot
chen at acme dot com", "sarah, S-A-R-A-H, dot chen at ...").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

import phonenumbers

from leadscribe.understand.name_spelling import SPELLED_OUT, is_known_name, letters_of
from leadscribe.understand.numbers import tokenize

TLDS = {"com", "org", "net", "io", "co", "ai", "de", "fr", "uk", "us", "eu", "info", "biz", "app", "dev", "tech",
        "nl", "es", "it", "ca", "au", "in", "me", "tr"}
WRITTEN_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# People name the separators; Whisper writes some of them as characters (".Chen", "Logistics.com").
# Callers in Spanish, Portuguese, Italian, French and German name them in their language ("juan punto perez arroba
# acme punto com", "anna punkt schmidt at beispiel punkt de"), and Whisper writes those words as heard.
SPOKEN_DOT = {"dot", "period", "point", "punto", "punkt", "ponto"}
SPOKEN_SEPARATORS = {**{word: "." for word in SPOKEN_DOT}, "underscore": "_", "dash": "-", "hyphen": "-",
                     "guion": "-", "guión": "-", "tiret": "-", "trattino": "-", "bindestrich": "-", "unterstrich": "_"}
SPOKEN_AT = {"at", "@", "arroba", "arobase", "chiocciola"}
# The underscore is a dash "below" in those languages ("guion bajo", "tiret bas", "trattino basso"), or "Unterstrich".
LOW_LINE = {"bajo": "guion", "bas": "tiret", "basso": "trattino"}
DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
               "six": "6", "seven": "7", "eight": "8", "nine": "9"}
REPEATS = {"double": 2, "triple": 3}
# Countries whose companies sit one level down: "acme.co.uk", "harbourfreight.com.au".
SECOND_LEVEL_COUNTRIES = {"uk", "au", "nz", "za", "jp", "br", "in", "il", "kr", "sg", "tr", "mx", "ar"}
SECOND_LEVEL_LABELS = {"co", "com", "org", "net", "ac", "gov"}
# Mail providers whose name, heard after a glued "at" ("bunyaminatgmail.com"), marks where the domain starts;
# also the free-mail domains that are no company's domain.
FREE_MAIL = {"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com",
             "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com"}
MAIL_PROVIDERS = sorted({domain.split(".")[0] for domain in FREE_MAIL}, key=len, reverse=True)
GLUED_AT_EMAIL = re.compile(r"(?<![\w@.])(?:www\.)?(?P<local>[a-z0-9][a-z0-9._-]*?)at(?P<domain>(?:"
                            + "|".join(MAIL_PROVIDERS) + r")\.[a-z]{2,4})\b", re.I)
# The same with any domain: "prea.turneratorbitretail.com" for "priya dot turner at orbit retail dot com". Where
# the "at" is can only be told by what follows it (a company the team lists), so the caller judges the split.
# Whisper also writes a glued "at" as "ad" ("Peter.brownadredwoodinsurance.com").
GLUED_ADDRESS = re.compile(r"(?<![\w@.])(?:www\.)?(?P<body>[a-z0-9][a-z0-9._-]*a[td][a-z0-9-]+)\.(?P<tld>[a-z]{2,4})\b",
                           re.I)
GLUED_AT_SOUNDS = ("at", "ad")
# "bonyamin.gmail.com" (Callytics Call01, for "bunyamin@gmail.com"): Whisper wrote the "at" as a dot. A mail
# provider's domain holds no one's site or subdomain, so a name before it can only be the address's local part;
# it is read only after a word an address follows ("the associated email is ..."), and never for a host name.
DOTTED_FREE_MAIL = re.compile(r"(?<![\w@.])(?P<local>[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*?)\.(?P<domain>"
                              + "|".join(re.escape(domain) for domain in sorted(FREE_MAIL, key=len, reverse=True))
                              + r")\b", re.I)
# And a company's: "Laura.chain.redwoodinsurance.com" for "laura dot chen at redwood insurance dot com", read only
# where the domain is a company the caller knows (a listed one, or one named in the call) and after an address cue.
DOTTED_COMPANY_MAIL = re.compile(r"(?<![\w@.])(?P<local>[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*?)\.(?P<label>[a-z0-9-]+)"
                                 r"\.(?P<tld>[a-z]{2,4})\b", re.I)
HOST_NAMES = {"www", "mail", "login", "accounts", "support", "smtp", "imap", "pop", "webmail"}
# Words Whisper runs into the front of a glued address: "just laura at ..." -> "justlauraat...".
GLUED_LEAD_INS = ("just", "its", "is")
# A separator said as a word inside a glued local part: "preadotfisher" -> "prea.fisher".
GLUED_SEPARATOR = re.compile(r"(?<=[a-z]{2})(dot|underscore)(?=[a-z]{2})")
# A lower confidence for an address Whisper ran together: the local part is what it heard of a spelled name.
GLUED_CONFIDENCE = 0.6
# "email me at ...": an object pronoun after a verb of contact is whom to write to, not the address's local part.
CONTACT_VERBS = {"email", "e-mail", "mail", "reach", "contact", "write", "message", "ping"}
OBJECT_PRONOUNS = {"me", "us", "him", "her", "them"}
# The words an address said aloud follows ("my email is ...", "email me at ...", "it's just ...", "write to ...").
# After any other word the local part read may be only its end: Whisper heard "anna dot schmidt" as "handed on to
# Schmidt", "daniel dot johnson" as "Daniel Duck Johnson", and "schmidt@" or "johnson@" is not the address. On 84
# synthetic calls (seeds 0-11, 20, 21) every spoken address after another word was wrong (12 of 12), and every right
# one (19) followed one of these. "to" stays one for "write to john at acme dot com", though it lets two wrong ones
# through ("handed on to Schmidt at ...").
ADDRESS_LEAD_INS = {"is", "it's", "its", "at", "just", "to", "me", "us", "email", "e-mail", "mail", "address", "was",
                    "be", "namely", "under", "contact", "reach",
                    # ... and in the languages whose separators are read ("mi correo es ...", "meine E-Mail ist ...")
                    "es", "ist", "lautet", "est", "è", "é", "correo", "adresse"}
# Lead-ins that are no local part ("my email is at acme dot com"); "contact", "mail" and "just" may be one.
LINKING_VERBS = {"is", "it's", "its", "was", "be", "es", "ist", "lautet", "est", "è", "é"}
# A local part that starts with a "dot" Whisper ran into the name said after it ("Daniel Dottorner at ...").
DOT_RUN_INTO_NAME = re.compile(r"dot(?P<name>[a-z]{3,})")
# How much less sure an address is whose local part may have begun before the word read as its start.
CUT_LOCAL_PART_FACTOR = 0.4
USERNAME = re.compile(r"\b(?:user\s*name|login|account\s+(?:id|number|name)|user\s+id|customer\s+(?:id|number))"
                      r"(?:\s+is|\s*:|\s+was|\s*,?\s+it'?s)\s+(?P<value>[a-z0-9][\w.-]*(?:\s+[a-z0-9][\w-]*){0,3})",
                      re.I)
CORRECTION = re.compile(r"\b(?:it'?s|that'?s|is|i\s+mean|should\s+be|make\s+that)\s+(?:an?\s+)?(?P<new>\w+)"
                        r"\s*,?\s+(?:not|instead\s+of)\s+(?:an?\s+)?(?P<old>\w+)", re.I)
# The same said wrong digit first: "sorry, not a five, a four", "not a five but a four".
CORRECTION_WRONG_FIRST = re.compile(r"\bnot\s+(?:an?\s+)?(?P<old>\w+)\s*,?\s+(?:but\s+|it'?s\s+)?an?\s+(?P<new>\w+)",
                                    re.I)
DIGIT_SAID = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d)"
# A correction begun after a number, read or not ("Sorry, that's in it. Not a seven.").
CORRECTION_ATTEMPT = re.compile(r"\b(?:sorry|i mean|correction|not an?\s+" + DIGIT_SAID + r"\b)", re.I)
# The digit a correction says was wrong ("not a seven", "instead of a 7"); one digit, not the start of a number
# ("not a one eight hundred number").
DIGIT_SAID_WRONG = re.compile(r"\b(?:not|instead\s+of)\s+an?\s+(?P<digit>" + DIGIT_SAID + r")\b"
                              r"(?![\s-]*(?:\d|(?:" + DIGIT_SAID + r"|hundred|thousand)\b))", re.I)


# A web domain said on its own: written ("redwoodinsurance.com", "www.acme.io"), run on from the company's words
# ("Redwood Insurance.com", "summit freight.com") or said ("acme dot io"). Not inside a longer host or an address:
# "julia.walker.com" is an address whose "at" went unheard, not the site walker.com.
DOMAIN_ENDING = re.compile(r"(?<![\w@.-])(?:https?://)?(?:www\.)?(?P<host>[a-z0-9][a-z0-9-]*)(?:\.|\s+dot\s+)"
                           r"(?P<tld>[a-z]{2,4})(?:(?:\.|\s+dot\s+)(?P<country>"
                           + "|".join(sorted(SECOND_LEVEL_COUNTRIES)) + r")\b)?(?![\w@-]|\.\w)", re.I)
# A domain read as the company's own without naming it: after words that introduce a site.
WEBSITE_CUE = re.compile(r"\b(?:web\s*site|site|web\s+address|url|domain|home\s*page|visit|check\s+out|go\s+to|"
                         r"find\s+us)\W*(?:us\W+)?(?:is\W+|at\W+|on\W+)?$", re.I)
# How many of the words before the domain's last word may be its name run together ("Blue Harbor Foods.com").
DOMAIN_NAME_WORDS = 3
CUED_WEBSITE_CONFIDENCE = 0.7


@dataclass
class Found:
    start: int
    end: int
    value: str
    confidence: float
    """The extractor's own certainty, before the recogniser's word confidences are combined in."""


DomainScore = Callable[[str], float]


def find_websites(text: str, company_domain: DomainScore) -> list[Found]:
    """Web domains: the words before ".com" (or "dot com") that spell a company the caller knows (`company_domain`
    of the run-together words, 0-1; joining words is a guess, so it costs confidence), or a one-word name after
    words that introduce a site ("our website is acme dot io"). Any other "name.com" is left alone: "ASP.NET"."""
    found = []
    for match in DOMAIN_ENDING.finditer(text):
        tld = match.group("tld").lower()
        if tld not in TLDS or not re.search(r"[a-z]", match.group("host"), re.I):
            continue
        suffix = "." + tld + ("." + match.group("country").lower() if match.group("country") else "")
        before = re.findall(r"([A-Za-z0-9][\w-]*)(\s+)", text[max(0, match.start() - 80):match.start()])
        names = [(match.group("host").lower(), match.start())]
        offset = match.start()
        for word, space in reversed(before[-(DOMAIN_NAME_WORDS - 1):] if DOMAIN_NAME_WORDS > 1 else []):
            if not text[:offset].endswith(word + space):
                break  # punctuation between: "Sorry, Acme.com" does not join "Sorry"
            offset -= len(word) + len(space)
            names.append((word.lower() + names[-1][0], offset))
        scored = [(company_domain(label), -i, label, start) for i, (label, start) in enumerate(names)]
        score, fewer_words, label, start = max(scored)
        if score > 0:
            confidence = (0.85 if fewer_words == 0 else 0.75) * score
        elif WEBSITE_CUE.search(text[max(0, match.start() - 40):match.start()]):
            label, start, confidence = names[0][0], match.start(), CUED_WEBSITE_CONFIDENCE
        else:
            continue
        found.append(Found(start, match.end(), label.lower() + suffix, confidence))
    return found


def find_emails(text: str, company_domain: Optional[DomainScore] = None) -> list[Found]:
    """Addresses written, said word by word, or run together. `company_domain(label)` (0-1) says how well a domain
    name ("orbitretail") matches a company the caller knows; without it only mail providers' glued domains count."""
    spelled = spelled_words(text)
    text = with_spelled_words_joined(text, spelled)
    found = [Found(m.start(), m.end(), m.group().lower().rstrip("."), 0.95) for m in WRITTEN_EMAIL.finditer(text)]
    # A glued address first: "email me at justlauraatorbitretail.com" is not "me@justlauraatorbitretail.com".
    candidates = find_glued_emails(text, company_domain) + find_dotted_mail(text, company_domain) + \
        find_spoken_emails(text)
    for candidate in candidates:
        if not overlaps(candidate.start, candidate.end, found):
            found.append(candidate)
    for address in found:  # an address that begins with a spelled word begins where its first letter was said
        address.start = next((start for start, end, _ in spelled if start <= address.start < end), address.start)
    return sorted(found, key=lambda f: f.start)


# What was heard where an address or a number was given, up to the sentence's end: an address is at most eight
# words ("www.buniamin.com", "jay at", "so if you've got a brown Foods.com" for sofia dot brown at ...), a number may
# be dictated in groups with commas ("four one five, two zero three").
ADDRESS_HEARD = (r"(?P<heard>[^\s,;!?]+(?:\s+[^\s,;!?]+){0,7}?)"
                 r"(?=\s*(?:[,;!?]|\.(?:\s|$)|$)|\s+(?:and\s+)?my\s+(?:phone|cell|mobile|number)\b)")
NUMBER_HEARD = r"(?P<heard>[^;!?]+?)(?=\s*(?:[;!?]|\.(?:\s|$)|$))"
# "my email is ...", "the associated email address is ...", "email me at ...".
ADDRESS_GIVEN = re.compile(r"\b(?:e-?mail(?:\s+address)?\s+(?:is|was|would\s+be)|e-?mail\s+(?:me|us)\s+at)\s+"
                           + ADDRESS_HEARD, re.I)
# "my phone is ...", "my cell number is ...", "you can reach me at ...".
NUMBER_GIVEN = re.compile(r"\b(?:(?:my|our)\s+(?:phone|cell|mobile|direct\s+line|number)(?:\s+number)?\s+(?:is|was)|"
                          r"(?:reach|call)\s+me\s+(?:at|on))\s+" + NUMBER_HEARD, re.I)
# "Sure, it's ..." opening the answer to the other side's question for it ("What is the best email for you?").
ANSWER_OPENING = r"^\W*(?:(?:sure|yes|yeah|ok(?:ay)?|of\s+course)\W+)*(?:it'?s|it\s+is)\s+"
ADDRESS_ANSWERED = re.compile(ANSWER_OPENING + ADDRESS_HEARD, re.I)
NUMBER_ANSWERED = re.compile(ANSWER_OPENING + NUMBER_HEARD, re.I)
# The questions those answers answer.
ADDRESS_ASKED = re.compile(r"\be-?mail\b[^?]*\?", re.I)
NUMBER_ASKED = re.compile(r"\b(?:phone|number|cell|mobile)\b[^?]*\?", re.I)
# An address Whisper could not follow still looks like one: a dotted name ("www.buniamin.com") or a spoken "at" or
# "dot". "My email is the same as before" gives none.
SPOKEN_SEPARATOR_WORDS = "|".join(sorted((SPOKEN_AT | SPOKEN_DOT) - {"@"}))
ADDRESS_TRACE = re.compile(r"\w\.\w|\b(?:" + SPOKEN_SEPARATOR_WORDS + r")\b|" + SPELLED_OUT.pattern, re.I)
# The first digit of a number said: a figure or a digit word ("oh" and "o" only count inside a number).
FIRST_DIGIT = re.compile(r"\d|\b(?:" + "|".join(w for w in DIGIT_WORDS if w not in {"o", "oh"}) + r")\b", re.I)


def heard_where_given(text: str, cues: list[re.Pattern], read: list[Found],
                      detail_at: Callable[[str], Optional[int]]) -> list[Found]:
    """The words heard after each cue that overlap nothing `read`, from where `detail_at(heard)` says the detail
    begins in them; words it finds none in (None) are left out."""
    unread: list[Found] = []
    for cue in cues:
        for match in cue.finditer(text):
            start = match.start("heard")
            heard = match.group("heard").rstrip(".")
            first = detail_at(heard)
            if first is not None and not overlaps(start, start + len(heard), read + unread):
                unread.append(Found(start + first, start + len(heard), heard[first:], 1.0))
    return unread


def find_unread_addresses(text: str, read: list[Found], asked: bool = False) -> list[Found]:
    """What was given as an e-mail address where none could be read from it ("the associated email is
    www.buniamin.com": the provider lost). `read` are the addresses found in `text`; with `asked` (the other side
    asked for it) an answer that opens "it's ..." gives one too. The value is the words heard, for a person to take
    the address from the recording."""
    cues = [ADDRESS_GIVEN, ADDRESS_ANSWERED] if asked else [ADDRESS_GIVEN]
    return heard_where_given(text, cues, read, lambda heard: 0 if ADDRESS_TRACE.search(heard) else None)


def find_unread_numbers(text: str, read: list[Found], asked: bool = False) -> list[Found]:
    """What was given as a phone number, holding three or more dictated digits, where no number could be read from
    it ("my phone is 415-19-5457": a digit lost). `read` and `asked` as for `find_unread_addresses`. The value
    starts at the first digits: "It's david at summit freight dot com and my phone 5 4 9 0 3" shows "5 4 9 0 3"."""
    cues = [NUMBER_GIVEN, NUMBER_ANSWERED] if asked else [NUMBER_GIVEN]

    def first_digits(heard: str) -> Optional[int]:
        # A number needs a run of three digits or more; shown from the first digit said, which may stand in no run
        # ("415.,678, 2, 3, 5, 6": the first two groups are no run, and are what a person must hear again).
        if not digit_runs(heard):
            return None
        return FIRST_DIGIT.search(heard).start()

    return heard_where_given(text, cues, read, first_digits)


def overlaps(start: int, end: int, found: list[Found]) -> bool:
    """Whether text[start:end] overlaps anything already found (an address, a number)."""
    return any(f.start < end and start < f.end for f in found)


def find_glued_emails(text: str, company_domain: Optional[DomainScore] = None) -> list[Found]:
    """"www.buniaminatgmail.com" -> buniamin@gmail.com: an "at" run into a known mail provider's domain; and, with
    `company_domain`, into a company's ("justlauraatorbitretail.com" -> laura@orbitretail.com), split at the "at"
    whose remainder best matches a company."""
    found = []
    for match in GLUED_AT_EMAIL.finditer(text):
        local = match.group("local").strip("._-")
        if local:
            found.append(Found(match.start(), match.end(), f"{local}@{match.group('domain')}".lower(),
                               GLUED_CONFIDENCE))
    if company_domain is None:
        return found
    for match in GLUED_ADDRESS.finditer(text):
        if match.group("tld").lower() not in TLDS or overlaps(match.start(), match.end(), found):
            continue
        body = match.group("body").lower()
        splits = [(body[:i], body[i + 2:]) for i in range(1, len(body) - 2) if body.startswith(GLUED_AT_SOUNDS, i)]
        scored = [(company_domain(label), local, label) for local, label in splits if "." not in label]
        score, local, label = max(scored, default=(0.0, "", ""))
        local = glued_local_part(local)
        if score > 0 and local:
            found.append(Found(match.start(), match.end(), f"{local}@{label}.{match.group('tld').lower()}",
                               GLUED_CONFIDENCE))
    return found


def find_dotted_mail(text: str, company_domain: Optional[DomainScore] = None) -> list[Found]:
    """"the associated email is bonyamin.gmail.com" -> bonyamin@gmail.com (DOTTED_FREE_MAIL), and with
    `company_domain` "my email is laura.chain.redwoodinsurance.com" -> laura.chain@redwoodinsurance.com for a
    company the caller knows (DOTTED_COMPANY_MAIL)."""
    found = []

    def add(match: re.Match, domain: str) -> None:
        before = re.findall(r"[\w'-]+", text[:match.start()].lower())
        local = match.group("local").lower()
        if before and before[-1] in ADDRESS_LEAD_INS and local not in HOST_NAMES and \
                not overlaps(match.start(), match.end(), found):
            found.append(Found(match.start(), match.end(), f"{local}@{domain}", GLUED_CONFIDENCE))

    for match in DOTTED_FREE_MAIL.finditer(text):
        add(match, match.group("domain").lower())
    for match in DOTTED_COMPANY_MAIL.finditer(text) if company_domain is not None else ():
        label, tld = match.group("label").lower(), match.group("tld").lower()
        if tld in TLDS and company_domain(label) >= 1.0:
            add(match, f"{label}.{tld}")
    return found


def glued_local_part(local: str) -> str:
    """"justlaura" -> "laura", "preadotfisher" -> "prea.fisher": the lead-in word and spoken separators of a local
    part Whisper ran together."""
    local = without_lead_in(local.strip("._-"))
    return GLUED_SEPARATOR.sub(lambda m: SPOKEN_SEPARATORS[m.group(1)], local).strip("._-")


def without_lead_in(local: str) -> str:
    """"justannu" -> "annu": a word an address follows ("just", "it's") that Whisper ran into the local part. A
    name that starts the same way ("justin", "isabel") keeps it."""
    first_word = re.split(r"[._-]", local)[0]
    for lead_in in GLUED_LEAD_INS:
        if first_word.startswith(lead_in) and len(first_word) > len(lead_in) + 1 and not is_known_name(first_word):
            return local[len(lead_in):]
    return local


def find_usernames(text: str) -> list[Found]:
    """"my user name is user 101" -> user101: the words after the cue, up to a pause or "and", run together.

    Spoken digits become digits ("user one oh one"); joining words is a guess, so it costs confidence.
    """
    found = []
    for match in USERNAME.finditer(text):
        words = []
        for word in match.group("value").split():
            if word.lower() in {"and", "or", "but", "so", "the", "is"}:
                break
            core = word.rstrip(",.;:?!")
            words.append(spoken_digit(core) if len(words) else core)
            if core != word:
                break
        if not words or not any(ch.isalnum() for ch in "".join(words)):
            continue
        value = "".join(words).lower()
        start = match.start("value")
        end = start + len(" ".join(match.group("value").split()[:len(words)]).rstrip(",.;:?!"))
        found.append(Found(start, end, value, 0.85 if len(words) == 1 else 0.7))
    return found


def spelled_words(text: str) -> list[tuple[int, int, str]]:
    """Each word spelled letter by letter in `text`: (start, end, the word in lower case). Letters written with full
    stops ("J. U. L. I. A.") take the last stop with them: it marks the letter, not a spoken "dot"."""
    found = []
    for match in SPELLED_OUT.finditer(text):
        start, end = match.span()
        if re.fullmatch(r"(?:[A-Za-z]\.\s*)+[A-Za-z]", match.group()) and text[end:end + 1] == ".":
            end += 1
        found.append((start, end, letters_of(match.group())))
    return found


def with_spelled_words_joined(text: str, spelled: list[tuple[int, int, str]]) -> str:
    """`text` with each of its `spelled` words written as the word, right-aligned in the letters' place so that all
    else keeps its place and what was written against the last letter stays against the word: "J-U-L-I-A.chen@" ->
    "    julia.chen@"."""
    for start, end, word in spelled:
        text = text[:start] + word.rjust(end - start) + text[end:]
    return text


def split_dots(raw: str) -> list[str]:
    """"Logistics.com." -> ["logistics", ".", "com"]; ".Chen" -> [".", "chen"]."""
    parts: list[str] = []
    for piece in re.split(r"(\.)", raw.strip(",;:!?\"'").lower()):
        if piece:
            parts.append(piece)
    while parts and parts[-1] == ".":
        parts.pop()
    return parts


def find_spoken_emails(text: str) -> list[Found]:
    tokens = tokenize(text)
    pieces: list[tuple[str, int, int]] = []  # (piece, char start, char end)
    for index, tok in enumerate(tokens):
        for piece in split_dots(tok.raw):
            if piece in LOW_LINE and index and tokens[index - 1].text == LOW_LINE[piece] and pieces:
                pieces[-1] = ("_", pieces[-1][1], tok.end)  # "guion bajo", "tiret bas": the low line, not a dash
                continue
            pieces.append((SPOKEN_SEPARATORS.get(piece, piece), tok.start, tok.end))
        # Whisper sometimes writes a spoken "dot" as a full stop ("David. Chen at ..."): keep it as a dot.
        if tok.raw.endswith(".") and not tok.raw.endswith(".."):
            pieces.append((".", tok.end, tok.end))
    found: list[Found] = []
    for at in [i for i, p in enumerate(pieces) if p[0] in SPOKEN_AT]:
        local = read_local_part(pieces, at)
        domain = read_domain(pieces, at)
        if not local or not domain:
            continue
        local_text, local_start = dot_run_into_name(pieces, *local)
        local_text = without_dot_said_twice(local_text)
        local_text, local_start = with_initial(pieces, local_text, local_start)
        split = local_text != local[0]
        local_text = without_lead_in(local_text)
        if local_text in OBJECT_PRONOUNS and at >= 2 and pieces[at - 2][0] in CONTACT_VERBS:
            continue
        if local_text in LINKING_VERBS:
            continue  # "my email is at www.punct.com": the words before "at" lead to an address not heard whole
        domain_text, domain_end, domain_words = domain
        # Joining the words of the domain is a guess ("acme logistics" -> acmelogistics); say so in the confidence.
        confidence = 0.85 if domain_words <= 1 else 0.75
        if local_part_may_be_cut(pieces, local_start):
            confidence *= CUT_LOCAL_PART_FACTOR
        if split:  # where the name begins inside a run-together word is a guess, as in a glued address
            confidence = min(confidence, GLUED_CONFIDENCE)
        found.append(Found(local_start, domain_end, f"{local_text}@{domain_text}", confidence))
    return found


def pieces_before(pieces, local_start: int) -> list[tuple[str, int]]:
    """(piece, char start) of the pieces said before the local part, which starts at character `local_start`."""
    return [(piece, start) for piece, start, _ in pieces if start < local_start]


def dot_run_into_name(pieces, local: str, local_start: int) -> tuple[str, int]:
    """"Daniel Dottorner at ..." -> ("daniel.torner", where "Daniel" starts): a spoken "dot" Whisper ran into the
    name after it, with the name before it the local part's first word. A name that starts so ("Dotson") and a
    word an address follows ("is Dottorner") are left as heard."""
    glued = DOT_RUN_INTO_NAME.fullmatch(local)
    before = pieces_before(pieces, local_start)
    if not glued or is_known_name(local) or not before or not before[-1][0].isalpha() or \
            before[-1][0] in ADDRESS_LEAD_INS:
        return local, local_start
    first, first_start = before[-1]
    return f"{first}.{name_after_dot(glued.group('name'))}", first_start


def with_initial(pieces, local: str, local_start: int) -> tuple[str, int]:
    """"J Chen at acme dot com" -> ("jchen", where "J" starts): a lone letter said right before the local part is
    the initial it begins with. "A" and "I" are words before they are initials."""
    before = pieces_before(pieces, local_start)
    if before and re.fullmatch(r"[b-hj-z]", before[-1][0]):
        return before[-1][0] + local, before[-1][1]
    return local, local_start


def name_after_dot(glued: str) -> str:
    """The name in what followed "dot" in a run-together word: "dot fisher" is written "Dottfisher", the t of "dot"
    doubled before a consonant no English word starts with."""
    return glued[1:] if glued.startswith("t") and glued[1] not in "aeiouyrhw" else glued


def without_dot_said_twice(local: str) -> str:
    """"michael.dotwalker" -> "michael.walker": a spoken "dot" Whisper wrote as the dot and again in the next word."""
    words = re.split(r"([._-])", local)
    for index in range(2, len(words), 2):
        glued = DOT_RUN_INTO_NAME.fullmatch(words[index])
        if words[index - 1] == "." and glued and not is_known_name(words[index]):
            words[index] = name_after_dot(glued.group("name"))
    return "".join(words)


def local_part_may_be_cut(pieces, local_start: int) -> bool:
    """Whether the word just before the local part (which starts at character `local_start`) is a word an address
    does not follow: what was heard there may be the address's beginning, misheard."""
    before = [piece for piece, _ in pieces_before(pieces, local_start)]
    first_word = next((piece for piece, start, _ in pieces if start >= local_start), "")
    # "sarah, S-A-R-A-H, dot chen at ...": the first word said and then spelled (or said twice) cuts nothing.
    return bool(before) and re.fullmatch(r"[\w'-]+", before[-1]) is not None and \
        before[-1] not in ADDRESS_LEAD_INS and before[-1] != first_word


def read_local_part(pieces, at: int) -> Optional[tuple[str, int]]:
    parts: list[str] = []
    i = at - 1
    start = None
    while i >= 0:
        piece = pieces[i][0]
        if not re.fullmatch(r"[a-z0-9]+", piece):
            # "— dot chen at ...": what came before the dot was no word; an address does not begin with a dot.
            return None if not parts or parts[-1] in {".", "_", "-"} else ("".join(reversed(parts)), start)
        parts.append(piece)
        start = pieces[i][1]
        if i >= 1 and pieces[i - 1][0] in {".", "_", "-"}:
            parts.append(pieces[i - 1][0])
            i -= 2
            continue
        break
    if not parts or parts[-1] in {".", "_", "-"}:
        return None
    return "".join(reversed(parts)), start


def read_domain(pieces, at: int) -> Optional[tuple[str, int, int]]:
    labels: list[str] = []
    current: list[str] = []
    words = 0
    i = at + 1
    while i < len(pieces) and len(current) <= 3:
        piece, _, end = pieces[i]
        if piece in SPOKEN_AT:
            return None  # "email me at david dot chen at acme dot com": the address starts after a later "at"
        if piece == ".":
            if not current:
                return None
            labels.append("".join(current))
            current = []
        elif re.fullmatch(r"[a-z0-9-]+", piece):
            if labels and piece in TLDS and not current:
                labels.append(piece)
                if piece in SECOND_LEVEL_LABELS and i + 2 < len(pieces) and pieces[i + 1][0] == "." and \
                        pieces[i + 2][0] in SECOND_LEVEL_COUNTRIES:
                    labels.append(pieces[i + 2][0])  # "acme dot co dot uk"
                    end = pieces[i + 2][2]
                return ".".join(labels), end, words
            if not labels and len(current) == 1 and piece in TLDS and current[0] in MAIL_PROVIDERS:
                return f"{current[0]}.{piece}", end, words + 1  # "at gmail com": the "dot" went unsaid
            current.append(piece)
            words += 1
        else:
            return None
        i += 1
    return None


@dataclass
class DigitRun:
    start: int
    end: int
    digits: str
    plus: bool = False
    guessed: bool = False
    """A word that only sounds like a digit ("for") was read as one."""


# Words Whisper writes for a digit said in a dictated number ("415 for 1.8" for "four one five, four one eight";
# "For 095." for "four zero nine five"). Only read as digits on request (`digit_runs(..., homophones=True)`), inside
# a run or right before a digit, where reading them so completes a number that cannot be dialled otherwise.
DIGIT_HOMOPHONES = {"for": "4", "to": "2", "too": "2", "ate": "8"}
# In a correction ("sorry, that's a free, not a seven") the words set against a digit are digits: those homophones,
# and "free" or "tree" for "three" (a telephone line cuts the sound that tells "th" from "f").
CORRECTED_DIGIT_SOUNDS = {**DIGIT_HOMOPHONES, "free": "3", "tree": "3"}


def digits_of(word: str, raw: str) -> Optional[str]:
    """The digits one token says when it is written in figures: a group, a whole number Whisper wrote without
    separators ("4156870596"), or groups joined by hyphens or dots ("415-555-0192", "41577-88701", "1.8")."""
    if re.fullmatch(r"\d{1,4}", word) or (re.fullmatch(r"\d{5,15}", word) and "," not in raw):
        return word
    if re.fullmatch(r"\d{1,5}(?:[-.]\d{1,7})+", word):
        return re.sub(r"\D", "", word)
    return None


def says_a_digit(token) -> bool:
    """Whether a token is a digit group or a digit word."""
    return digits_of(token.text.strip("-()+"), token.raw) is not None or token.text in DIGIT_WORDS


def digit_runs(text: str, homophones: bool = False) -> list[DigitRun]:
    """Maximal runs of dictated digits: "415 -555 -0192", "four one five five five five", "double five"; with
    `homophones`, "for", "to" and "ate" inside a run or before a digit count as the digits they sound like."""
    runs: list[DigitRun] = []
    current: Optional[DigitRun] = None
    repeat = 1
    tokens = tokenize(text)
    for position, tok in enumerate(tokens):
        word = tok.text.strip("-()+")
        digits, guessed = digits_of(word, tok.raw), False
        if digits is None:
            if word in DIGIT_WORDS and (word not in {"o", "oh"} or current is not None):
                digits = DIGIT_WORDS[word]
            elif homophones and word in DIGIT_HOMOPHONES and (current is not None or (
                    position + 1 < len(tokens) and says_a_digit(tokens[position + 1]))):
                digits, guessed = DIGIT_HOMOPHONES[word], True
            elif word in REPEATS:
                repeat = REPEATS[word]
                continue
            elif word == "plus" and current is None:
                current = DigitRun(tok.start, tok.end, "", plus=True)
                continue
        if digits is None:
            if current is not None and current.digits:
                runs.append(current)
            current, repeat = None, 1
            continue
        if current is None:
            current = DigitRun(tok.start, tok.end, "", plus=tok.raw.startswith("+"))
        current.digits += digits * repeat
        current.guessed |= guessed
        current.end = tok.end
        repeat = 1
        if tok.trailing in {".", "?", "!"}:
            runs.append(current)
            current = None
    if current is not None and current.digits:
        runs.append(current)
    return [r for r in runs if len(r.digits) >= 3]


# An extension said right after a number: "415-555-0192, extension 23", "ext. two three", "x 104".
EXTENSION = re.compile(r"[\s,;-]*(?:extension|ext\.?|x)\s*(?P<ext>\d{1,6}|" + DIGIT_SAID +
                       r"(?:[\s,-]+" + DIGIT_SAID + r"){0,5})\b", re.I)


def extension_digits(said: str) -> str:
    """"two three" -> "23", "104" -> "104"."""
    return "".join(spoken_digit(word) for word in re.findall(r"[a-z]+|\d", said.lower()))


def spoken_digit(word: str) -> str:
    """The digit a digit word says ("seven", "oh" -> "7", "0"); any other word as it is."""
    return DIGIT_WORDS.get(word.lower(), word)


def apply_correction(digits: str, text: str) -> Optional[str]:
    """"sorry, that's a four not a five" (or "not a five, a four"): the last 5 becomes a 4. None when `text` holds
    no digit correction."""
    match = CORRECTION.search(text) or CORRECTION_WRONG_FIRST.search(text)
    if not match:
        return None
    new, old = (CORRECTED_DIGIT_SOUNDS.get(word.lower(), spoken_digit(word)) for word in match.group("new", "old"))
    if not (new.isdigit() and old.isdigit() and len(new) == len(old) == 1) or old not in digits:
        return None
    index = digits.rfind(old)
    return digits[:index] + new + digits[index + 1:]


def digit_said_wrong(digits: str, text: str) -> Optional[str]:
    """The digit of `digits` that a correction in `text` says was wrong, when what it should be went unheard
    ("Sorry, that's in it. Not a seven." after 415-619-4792: the 7): the number as heard is known to be wrong.
    None when `text` names no digit the number holds."""
    named = DIGIT_SAID_WRONG.search(text)
    if named is None:
        return None
    digit = spoken_digit(named.group("digit"))
    return digit if digit in digits else None


def to_e164(digits: str, plus: bool = False, region: str = "US") -> Optional[str]:
    """E.164 from dictated digits; without a country prefix the number is read as a national number of `region`
    (ISO 3166 code, US by default). None where the digits are no whole number yet: the caller then looks for the
    rest ("020 7946" is no London number; "020 7946 0958" is)."""
    if plus or digits.startswith("00"):
        digits = digits[2:] if digits.startswith("00") else digits
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    if phonenumbers.country_code_for_region(region) == 1:
        if len(digits) == 10 and digits[0] not in "01":
            return f"+1{digits}"
        if len(digits) == 11 and digits.startswith("1"):
            return f"+{digits}"
        return None
    # Elsewhere national numbers differ in length and form by region: libphonenumber's metadata says which are whole.
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else None
