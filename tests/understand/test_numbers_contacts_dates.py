from datetime import date

import pytest

from leadscribe.understand.contacts import (apply_correction, digit_runs, find_emails, find_unread_addresses,
                                            find_websites, to_e164)
from leadscribe.understand.dates import resolve_date
from leadscribe.understand.numbers import find_numbers

MONDAY = date(2025, 2, 10)


@pytest.mark.parametrize("text, value, currency, low", [
    ("fifty k", 50_000, None, None),
    ("a quarter million", 250_000, None, None),
    ("one point two million euros", 1_200_000, "EUR", None),
    ("between eighty and a hundred thousand", 100_000, None, 80_000),
    ("our budget is around $80 ,000 for this year", 80_000, "USD", None),
    ("half a million dollars", 500_000, "USD", None),
    ("$1.2 million", 1_200_000, "USD", None),
    ("80 to 100k", 100_000, None, 80_000),
    # The upper bound's "hundred" scales the lower one too; the lower stays below the upper.
    ("five to seven hundred k", 700_000, None, 500_000),
    ("nine to ten thousand", 10_000, None, 9_000),
])
def test_spoken_amounts(text, value, currency, low):
    [number] = find_numbers(text)
    assert number.value == value and number.currency == currency and number.low == low


def test_whole_numbers_and_percent():
    assert [n.value for n in find_numbers("about two hundred and fifty seats")] == [250]
    [percent] = find_numbers("up 6.2% on last year")
    assert percent.percent and percent.value == 6.2


@pytest.mark.parametrize("text, expected", [
    ("sarah dot chen at meridian health dot com", "sarah.chen@meridianhealth.com"),
    ("David .Chen at Acme Logistics .com.", "david.chen@acmelogistics.com"),
    ("David.Chen at Acme Logistics.com. My phone is 415-555-0192", "david.chen@acmelogistics.com"),
    ("David. Chen at Acme Logistics.com.", "david.chen@acmelogistics.com"),
    ("write to Bunyamin@Gmail.com please", "bunyamin@gmail.com"),
    ("john underscore smith at acme dot io", "john_smith@acme.io"),
    # A country's second-level domain is part of the domain: not "j.smith@acme.co" and a place called "uk".
    ("It's j dot smith at acme dot co dot uk.", "j.smith@acme.co.uk"),
    ("tom at harbour freight dot com dot au", "tom@harbourfreight.com.au"),
])
def test_spoken_emails(text, expected):
    assert [f.value for f in find_emails(text)] == [expected]


@pytest.mark.parametrize("misheard", ["My email is Daniel Duck Johnson at Summit Freight.com",  # "daniel dot johnson"
                                      "You can email me at so if you have done Johnson at Lakeside Clinics.com"])
def test_an_address_read_after_a_word_no_address_follows_may_be_cut_and_is_less_sure(misheard):
    [cut] = find_emails(misheard)
    [whole] = find_emails("My email is johnson at summit freight dot com")
    assert cut.value.startswith("johnson@")
    assert cut.confidence < 0.5 * whole.confidence


def test_a_dot_run_into_the_name_after_it_is_read_as_a_dot_and_less_sure():
    # As Whisper wrote "daniel dot turner" and "david dot fisher" on synthetic calls.
    [turner] = find_emails("My email is Daniel Dottorner at Acme Logistics.com.")
    [fisher] = find_emails("It's David Dottfisher at Blue Harbor Foods.com.")
    [said] = find_emails("My email is daniel dot turner at acme logistics dot com.")
    assert (turner.value, fisher.value) == ("daniel.torner@acmelogistics.com", "david.fisher@blueharborfoods.com")
    assert turner.confidence < said.confidence
    # A name that starts with "dot", or a word an address follows before it, is left as heard.
    assert [f.value for f in find_emails("My email is Jane Dotson at acme dot com.")] == ["dotson@acme.com"]
    assert [f.value for f in find_emails("My email is Dottorner at acme dot com.")] == ["dottorner@acme.com"]
    # The dot written and said again in the next word (synthetic seed 17).
    [again] = find_emails("My email is Michael.dotwalker at orbitretail.com.")
    assert again.value == "michael.walker@orbitretail.com" and again.confidence < said.confidence
    assert [f.value for f in find_emails("My email is jane.dotson at acme dot com.")] == ["jane.dotson@acme.com"]


def test_a_lead_in_run_into_the_address_is_dropped_unless_it_starts_a_name():
    assert [f.value for f in find_emails("My email is justannu at pinecrestbank dot com.")] == [
        "annu@pinecrestbank.com"]
    assert [f.value for f in find_emails("It's justin at acme dot com.")] == ["justin@acme.com"]
    assert [f.value for f in find_emails("It's isabel dot ruiz at acme dot com.")] == ["isabel.ruiz@acme.com"]


@pytest.mark.parametrize("text, expected, said", [
    # Letters as Whisper writes them when a caller spells: hyphenated, spaced, with full stops.
    ("My email is J-U-L-I-A dot chen at acme.com.", "julia.chen@acme.com", "J-U-L-I-A dot chen at acme.com"),
    ("It is j u l i a dot c h e n at acme dot com.", "julia.chen@acme.com", "j u l i a dot c h e n at acme dot com"),
    ("My email is J. U. L. I. A. dot chen at A-C-M-E dot com.", "julia.chen@acme.com",
     "J. U. L. I. A. dot chen at A-C-M-E dot com"),
    ("J-U-L-I-A.chen@acme.com", "julia.chen@acme.com", "J-U-L-I-A.chen@acme.com"),
    # Said and then spelled: the spelling is the same word, not a word before the address.
    ("It's sarah, S-A-R-A-H, dot chen at meridianhealth.com", "sarah.chen@meridianhealth.com",
     "S-A-R-A-H, dot chen at meridianhealth.com"),
])
def test_an_address_spelled_letter_by_letter_is_read_as_words(text, expected, said):
    [found] = find_emails(text)
    [plain] = find_emails("My email is julia dot chen at acme dot com.")
    assert (found.value, text[found.start:found.end]) == (expected, said)
    assert found.confidence >= plain.confidence  # the letters are no guess (before: ".chen@acme.com", "n@acme.com")


def test_a_lone_letter_before_the_address_is_its_initial():
    [initial] = find_emails("It's J Chen at acme dot com.")
    [whole] = find_emails("It's jchen at acme dot com.")
    assert initial.value == "jchen@acme.com" and initial.confidence < whole.confidence  # the join is a guess
    # "a" and "I" are words; a letter said with "dot" is the address's own part.
    assert [f.value for f in find_emails("It's a chen at acme dot com.")] == ["chen@acme.com"]
    assert [f.value for f in find_emails("Email is J dot Chen at acme dot com.")] == ["j.chen@acme.com"]


def test_letters_that_spell_no_address_and_a_dot_after_no_word_give_no_address_but_flag_one():
    for text, heard in [("My e-mail is J-U-L-I-E-D-C-N-A-T-E-M-I-D-C-M", "J-U-L-I-E-D-C-N-A-T-E-M-I-D-C-M"),
                        ("My email is — dot chen at acme.com", "— dot chen at acme.com")]:
        assert find_emails(text) == []  # not ".chen@acme.com"
        assert [f.value for f in find_unread_addresses(text, [])] == [heard]
    assert find_emails("I a b at this point") == []


@pytest.mark.parametrize("text, expected", [
    ("Mi correo es juan punto perez arroba acme punto com.", "juan.perez@acme.com"),
    ("Meine E-Mail ist anna punkt schmidt at beispiel punkt de.", "anna.schmidt@beispiel.de"),
    ("mon adresse est marie point dupont arobase exemple point fr", "marie.dupont@exemple.fr"),
    ("la mia email è luca punto rossi chiocciola esempio punto it", "luca.rossi@esempio.it"),
    # The underscore: a dash "below", or "Unterstrich"; a dash alone stays a dash, and English "dash bas" is a name.
    ("Mi correo es juan guion bajo perez arroba acme punto es", "juan_perez@acme.es"),
    ("mon adresse est marie tiret bas dupont arobase exemple point fr", "marie_dupont@exemple.fr"),
    ("Meine E-Mail ist anna unterstrich schmidt at beispiel punkt de.", "anna_schmidt@beispiel.de"),
    ("Mi correo es juan guion perez arroba acme punto es", "juan-perez@acme.es"),
    ("It is john dash bas at acme dot com", "john-bas@acme.com"),
])
def test_addresses_dictated_in_other_languages(text, expected):
    [found] = find_emails(text)
    [english] = find_emails("My email is juan dot perez at acme dot com.")
    assert found.value == expected and found.confidence == english.confidence
    assert find_emails("en este punto at the meeting") == []


def test_a_linking_verb_before_at_is_no_local_part():
    # As Whisper wrote a German address it did not follow: not "is@www.punct.com", but an address to take from the call.
    text = "My email is at www.punct.com but I see a point there."
    assert find_emails(text) == []
    assert [f.value for f in find_unread_addresses(text, [])] == ["at www.punct.com but I see a point there"]
    assert [f.value for f in find_emails("You can reach us at contact at acme dot com.")] == ["contact@acme.com"]


def test_at_without_an_address_is_no_email():
    assert find_emails("we met at the conference at nine") == []
    assert find_emails("just go to mail.yahoo.com and log in") == []  # a mail provider's host, no address


@pytest.mark.parametrize("text", ["my phone is 415 -555 -0192", "four one five, five five five, zero one nine two.",
                                  "four one five five five five zero one nine two"])
def test_dictated_phone_numbers(text):
    [run] = digit_runs(text)
    assert to_e164(run.digits) == "+14155550192"


def test_phone_correction_and_international():
    assert apply_correction("4155550192", "sorry, that's a four not a five") == "4155540192"
    assert apply_correction("4155550192", "that's all, thanks") is None
    # A digit set against another is a digit, heard as the word it sounds like on a phone line ("free" for three).
    assert apply_correction("4157047479", "Sorry, that's a free, not a 7") == "4157047439"
    assert apply_correction("4157047479", "Sorry, that's a free trial, not a 7") is None
    assert to_e164("4930123456", plus=True) == "+4930123456"
    assert to_e164("555") is None


@pytest.mark.parametrize("text, expected", [
    ("let's meet next Tuesday", date(2025, 2, 11)),
    ("we need it by the end of Q3", date(2025, 9, 30)),
    ("live within six weeks", date(2025, 3, 24)),
    ("a decision by the end of March", date(2025, 3, 31)),
    ("a proposal by Friday", date(2025, 2, 14)),
    ("let's aim for mid-March", date(2025, 3, 15)),
    ("somewhere in the middle of January", date(2026, 1, 15)),  # January is over for this year's call
    ("we want to go live the first week of April", date(2025, 4, 7)),  # a week's end, as a period's end
    ("let's aim for the last week of June", date(2025, 6, 30)),
    ("the first week of February", date(2026, 2, 7)),  # already over on this call's date (10 February 2025)
])
def test_relative_dates(text, expected):
    assert resolve_date(text, MONDAY)[0] == expected


def test_a_leap_day_already_past_names_no_day_instead_of_failing():
    assert resolve_date("the contract starts February 29th", date(2028, 3, 1)) is None
    # With "by", the month is still read, as it is for a day no year has ("by February 30th").
    assert resolve_date("by February 29th", date(2028, 3, 1)) == resolve_date("by February 30th", date(2028, 3, 1))
    assert resolve_date("by February 29th", date(2028, 2, 1))[0] == date(2028, 2, 29)


def test_years_in_passing_are_not_dates_to_resolve():
    assert resolve_date("since our 2019 migration", MONDAY) is None


def test_whole_number_and_a_fraction_with_a_scale():
    from leadscribe.understand.numbers import find_numbers

    assert [n.value for n in find_numbers("about one and a half million dollars")] == [1_500_000]
    assert [n.value for n in find_numbers("two and a half years")] == [2.5]


LISTED = {"redwoodinsurance", "summitfreight", "blueharborfoods"}


def listed_score(label):
    return 1.0 if label in LISTED else 0.0


@pytest.mark.parametrize("text, domain, said", [
    # The address's "at" went unheard ("julia.walker@" became "julia.walker.com"): its domain is still the company's.
    ("My email is julia.walker.com Redwood Insurance.com My phone is 415", "redwoodinsurance.com",
     "Redwood Insurance.com"),
    ("It's at summit freight dot com.", "summitfreight.com", "summit freight dot com"),
    ("Check out blueharborfoods.com.", "blueharborfoods.com", "blueharborfoods.com"),
    # No company known by that name: a site only where words introduce one.
    ("our website is acme dot io and we", "acme.io", "acme dot io"),
    ("You can visit us at www.orbit-retail.co.uk today", "orbit-retail.co.uk", "www.orbit-retail.co.uk"),
])
def test_a_web_domain_said_on_its_own_is_found(text, domain, said):
    found = find_websites(text, listed_score)
    assert [(f.value, text[f.start:f.end]) for f in found] == [(domain, said)]


@pytest.mark.parametrize("text", [
    "We use ASP.NET and Node.js for the portal.",  # technologies, not sites
    "we sell on Amazon.com mostly",  # another company's site, named in passing
    "Sorry, Acme.com is ours",
    "My email is julia.walker.com",  # a host inside an address: not the site walker.com
])
def test_a_name_with_a_top_level_domain_is_no_website_without_evidence(text):
    assert find_websites(text, listed_score) == []


def test_a_domain_that_spells_a_listed_company_is_surer_than_one_joined_from_words():
    one_word = find_websites("Check out summitfreight.com.", listed_score)[0]
    joined = find_websites("Check out Summit Freight.com.", listed_score)[0]
    assert one_word.value == joined.value == "summitfreight.com"
    assert one_word.confidence > joined.confidence
