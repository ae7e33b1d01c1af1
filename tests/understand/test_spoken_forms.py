"""The spoken forms of the issue, as Whisper writes them, through the entities stage (and the CRM policy where the
form decides auto or review). Calls are built from text: no audio, no Whisper."""
import pytest

from leadscribe.crm.mapping import crm
from leadscribe.understand.entities import entities
from leadscribe.understand.signals import signals
from leadscribe.understand.summary import summary

from tests.understand.helpers import make_call, make_context

CALL_DATE = "2026-01-12"  # a Monday


def analysed(turns, stages=(entities,), **settings):
    call = make_call(turns, call_date=CALL_DATE, vocabulary=settings.pop("vocabulary", None))
    ctx = make_context(**settings)
    for stage in stages:
        stage(call, ctx)
    return call


def of_type(call, kind):
    return [e for e in call.entities if e.type == kind]


def field(call, name):
    return next((f for f in call.crm.fields if f.field == name), None)


PROSPECT = "S2"


def said(*texts):
    return [(PROSPECT, "prospect", t) for t in texts]


# --- e-mails -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("You can email me at david dot chen at acme logistics dot com.", "david.chen@acmelogistics.com"),
    ("It's julia underscore walker at redwoodinsurance dot com.", "julia_walker@redwoodinsurance.com"),
    ("Just emma at pinecrestbank dot com.", "emma@pinecrestbank.com"),
    ("My email is sarah dot chen at meridian health dot com", "sarah.chen@meridianhealth.com"),
    ("It's j dot smith at acme dot co dot uk.", "j.smith@acme.co.uk"),
])
def test_emails_said_aloud(text, expected):
    call = analysed(said(text))
    assert [e.value for e in of_type(call, "EMAIL")] == [expected]
    assert of_type(call, "LOCATION") == []  # "uk" of "dot co dot uk" is the address's, no place


# --- phone numbers -------------------------------------------------------------------------------------------------

def test_phone_in_groups_and_digit_by_digit():
    groups = analysed(said("My phone is four one five, six one nine, four eight nine two."))
    digits = analysed(said("My cell is four one five two five eight seven eight four zero."))
    assert [e.value for e in of_type(groups, "PHONE")] == ["+14156194892"]
    assert [e.value for e in of_type(digits, "PHONE")] == ["+14152587840"]


@pytest.mark.parametrize("text", ["Call me at 555 0134, area code 415.", "Area code 415, then 555 0134."])
def test_an_area_code_said_after_the_number_still_dials_first(text):
    assert [e.value for e in of_type(analysed(said(text)), "PHONE")] == ["+14155550134"]


def test_phone_finished_after_the_rep_says_go_on():
    call = analysed([(PROSPECT, "prospect", "And my phone is four one five, six eight eight,"),
                     ("S1", "rep", "Okay, go on."),
                     (PROSPECT, "prospect", "five four two one.")], stages=(entities, crm))
    [phone] = of_type(call, "PHONE")
    assert phone.value == "+14156885421" and "…" in phone.text
    assert field(call, "phone").decision == "auto"  # the first part ended its turn, the rest opened the next


@pytest.mark.parametrize("text, expected", [
    ("My phone is four one five, six one nine, four seven nine two. Sorry, that's an eight, not a seven.",
     "+14156194892"),
    ("My cell is 415 234 5678. I mean a three instead of a four.", "+14152335678"),
    ("My cell is 415 234 5678. Sorry, not a four, a three.", "+14152335678"),
    ("My cell is 415 234 5678. Sorry, not a four but a three.", "+14152335678"),
])
def test_phone_corrected_in_the_same_turn(text, expected):
    assert [e.value for e in of_type(analysed(said(text)), "PHONE")] == [expected]


def test_a_correction_that_names_one_digit_is_surer_than_an_ambiguous_one():
    clear = of_type(analysed(said("My phone is 415 619 4792. Sorry, that's an eight, not a seven.")), "PHONE")[0]
    ambiguous = of_type(analysed(said("My phone is 415 867 6236. Sorry, that's a two, not a six.")), "PHONE")[0]
    assert clear.value == "+14156194892" and ambiguous.value == "+14158676232"
    assert ambiguous.confidence < clear.confidence - 0.1


def test_a_correction_not_heard_well_enough_sends_the_phone_to_review():
    # Its wrong digit heard ("not a seven") but not the right one: the number as heard is known to be wrong, so no
    # value is proposed; a person takes it from the recording, shown what was heard.
    call = analysed(said("My phone is 415-619-4792. Sorry, that's in it. Not a seven."), stages=(entities, crm))
    assert of_type(call, "PHONE") == []
    phone = field(call, "phone")
    assert phone.value is None and phone.decision == "review"
    assert "heard as '415-619-4792', then 'Sorry, that's in it. Not a seven'" in phone.reason
    # A correction that names no digit of the number leaves the number, for review.
    call = analysed(said("My phone is 415-619-4792. Sorry, that's Dynamics, not Desires."), stages=(entities, crm))
    assert field(call, "phone").value == "+14156194792" and field(call, "phone").decision == "review"
    # A digit named wrong that the number does not hold is no correction of it.
    call = analysed(said("My phone is 415-619-4792. Sorry, that's in it. Not a three."), stages=(entities, crm))
    assert field(call, "phone").value == "+14156194792" and field(call, "phone").decision == "review"
    # Nor is a number said after "not a".
    call = analysed(said("My phone is 415-619-4792. Sorry, it's not a one eight hundred number."),
                    stages=(entities, crm))
    assert field(call, "phone").value == "+14156194792"


# --- amounts -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, amount, currency", [
    ("Our budget is fifty k for this year.", 50_000, None),
    ("We have a quarter million dollars approved for this project.", 250_000, "USD"),
    ("Finance set aside one point two million euros for it.", 1_200_000, "EUR"),
    ("Realistically we can spend seventy five thousand euros annually.", 75_000, "EUR"),
    ("The budget we got signed off is one hundred and twenty thousand pounds.", 120_000, "GBP"),
    ("We have 1.2 mil set aside.", 1_200_000, None),
])
def test_spoken_budgets(text, amount, currency):
    [money] = of_type(analysed(said(text)), "MONEY")
    assert money.value == {"amount": amount, "currency": currency}


def test_a_budget_without_currency_is_as_sure_an_amount_as_one_with_it():
    bare = of_type(analysed(said("Our budget is two hundred k.")), "MONEY")[0]
    dollars = of_type(analysed(said("Our budget is two hundred thousand dollars.")), "MONEY")[0]
    vague = of_type(analysed(said("The deal could be two hundred k.")), "MONEY")[0]
    assert bare.confidence == dollars.confidence > vague.confidence


def test_a_scaled_number_answering_a_budget_question_is_the_budget():
    # "set aside" misheard as "at a side": the answer keeps no money word, the question names the budget.
    call = analysed([("S1", "rep", "Great. Do you have a budget in mind?"),
                     ("S2", "prospect", "Commence at a side 50k for it. We start in May.")], stages=(entities, crm))
    [money] = of_type(call, "MONEY")
    assert money.value == {"amount": 50_000, "currency": None}
    assert field(call, "amount").value == 50_000 and field(call, "amount").decision == "auto"


@pytest.mark.parametrize("turns", [
    # Not a question about money.
    [("S1", "rep", "How many people work there?"), ("S2", "prospect", "About 5k in total.")],
    # Not a question: the rep talks about money without asking.
    [("S1", "rep", "Our budget for the pilot is fixed."), ("S2", "prospect", "We have 5k tickets open.")],
    # The same speaker goes on: no one asked.
    [("S2", "prospect", "Do you have a budget in mind? That is what my boss asks."),
     ("S2", "prospect", "We have 5k tickets open.")],
    # The number is not in the answer's first sentence.
    [("S1", "rep", "Do you have a budget in mind?"), ("S2", "prospect", "Not yet. We have 5k tickets open.")],
    # A small number answers nothing about money.
    [("S1", "rep", "What would you spend it on?"), ("S2", "prospect", "Three outages a month.")],
])
def test_a_number_is_no_budget_unless_it_answers_a_question_about_money(turns):
    assert not of_type(analysed(turns), "MONEY")


def test_one_point_to_million_is_one_point_two_million():
    # Whisper's "to" for "two" between "point" and a scale word; "point to" elsewhere stays words.
    [money] = of_type(analysed(said("We have set aside one point to million euros for it.")), "MONEY")
    assert money.value == {"amount": 1_200_000, "currency": "EUR"}
    assert not of_type(analysed(said("Our budget is one point to the dashboard team.")), "MONEY")


def test_a_budget_range_goes_to_review_with_both_ends():
    call = analysed(said("We have between eighty and a hundred thousand dollars approved for this project."),
                    stages=(entities, crm))
    [money] = of_type(call, "MONEY")
    assert money.value == {"amount": 100_000, "currency": "USD", "min": 80_000}
    amount = field(call, "amount")
    assert amount.decision == "review" and "range" in amount.reason


def test_a_seat_range_goes_to_review_with_both_ends():
    # Auto-writing the upper end of "seventy five to a hundred licences" would put 100 in the CRM as if it were said.
    call = analysed(said("We would need seventy five to a hundred licenses to start."), stages=(entities, crm))
    [seats] = of_type(call, "QUANTITY")
    assert seats.value == {"value": 100, "unit": "licences", "min": 75}
    proposal = field(call, "leadscribe_seats")
    assert proposal.value == 100 and proposal.decision == "review" and "75–100" in proposal.reason


def test_a_seat_count_said_once_is_not_a_range():
    call = analysed(said("We would need a hundred licenses to start."), stages=(entities, crm))
    [seats] = of_type(call, "QUANTITY")
    assert seats.value == {"value": 100, "unit": "licences"}
    assert "range" not in field(call, "leadscribe_seats").reason


# --- quantities with units -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit", [
    ("We would need two hundred and fifty seats.", 250, "seats"),
    ("I'd say forty users would need access.", 40, "users"),
    ("So maybe sixty licenses to start.", 60, "licences"),
    ("We have about twelve hundred employees.", 1200, "employees"),
    ("About eight hundred and fifty staff.", 850, "employees"),
    ("We're roughly three hundred people in total.", 300, "employees"),
    ("We run twelve offices.", 12, "locations"),
    ("Across four regions.", 4, "regions"),
    # A company's size said as its kind, and a head count named before the number.
    ("We're a fifty-person company.", 50, "employees"),
    ("We're a 1,200 employee business.", 1200, "employees"),
    ("Our headcount is about 450 right now.", 450, "employees"),
])
def test_quantities_with_units(text, value, unit):
    assert [e.value for e in of_type(analysed(said(text)), "QUANTITY")] == [{"value": value, "unit": unit}]


# --- numbers that are neither a budget nor a size ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "We had three outages last month alone.",
    "Since our twenty nineteen migration nothing talks to each other.",
    "Since our 2019 migration nothing talks to each other.",
    "Our two hundred open tickets keep piling up.",
    "We tried two other tools in the last three years.",
    "Onboarding a new analyst takes us almost two months.",
    "We have a few 30-person teams that would try it.",  # a team's size is no company's
])
def test_distractor_numbers_are_no_budget_size_or_close_date(text):
    call = analysed(said(text), stages=(entities, signals, summary, crm))
    assert not of_type(call, "MONEY") and not of_type(call, "QUANTITY")
    assert {f.field for f in call.crm.fields} & {"amount", "leadscribe_seats", "numberofemployees",
                                                  "closedate"} == set()


# --- dates relative to the call ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("We want to sign by August thirtieth, twenty twenty six.", "2026-08-30"),
    ("A decision by the fifteenth of March.", "2026-03-15"),
    ("by February twenty eighth, two thousand and twenty six", "2026-02-28"),
    ("We need this in place by the end of the third quarter.", "2026-09-30"),
    ("We need this in place by the end of Q3.", "2026-09-30"),
    ("We would like to decide within six weeks.", "2026-02-23"),
    ("The decision has to be made by the end of March.", "2026-03-31"),
    ("Let's talk next Tuesday.", "2026-01-13"),
    ("We'd like to go live by mid-March.", "2026-03-15"),
    ("We need a decision before the end of next month.", "2026-02-28"),  # not the first of next month
    ("We're aiming for Q1 next year.", "2027-03-31"),  # not this year's Q1, and no second date for "next year"
    ("Realistically by the end of next quarter.", "2026-06-30"),
    ("Budget opens in Q2 of 2027.", "2027-06-30"),
    ("By the end of next year at the latest.", "2027-12-31"),
    ("We want to go live the first week of April.", "2026-04-07"),
])
def test_dates_relative_to_the_call_date(text, expected):
    assert [e.value for e in of_type(analysed(said(text)), "DATE")] == [expected]


def test_a_vague_span_reads_less_surely_than_a_counted_one():
    counted = of_type(analysed(said("We would like to decide within six weeks.")), "DATE")[0]
    vague = of_type(analysed(said("We would like to decide within a few weeks.")), "DATE")[0]
    about = of_type(analysed(said("We would like to decide in about 90 days.")), "DATE")[0]
    assert vague.confidence < counted.confidence and about.confidence < counted.confidence
    assert about.value == "2026-04-12"


def test_a_deadline_sentence_is_the_timeline_and_gives_the_close_date():
    call = analysed(said("We want to sign by August thirtieth, twenty twenty six."),
                    stages=(entities, signals, summary, crm))
    assert call.signals.timeline.detail["date"] == "2026-08-30"
    assert (field(call, "closedate").value, field(call, "closedate").decision) == ("2026-08-30", "auto")


# --- names and titles ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, name, title", [
    ("Yes, my name is Julia Walker, and I work as the head of operations at Redwood Insurance.", "Julia Walker",
     "head of operations"),
    ("Hi Maya, David Chen here. I'm the IT director at Acme Logistics.", "David Chen", "IT director"),
    ("Thanks for calling. Laura Brown, Director of Finance over at Redwood Insurance.", "Laura Brown",
     "director of finance"),
    ("Sure, in David Novak Procurement Manager at Summit Freight.", "David Novak", "procurement manager"),
    ("Sure, in David Walker Vice President of Sales at Summit Freight.", "David Walker", "vice president of sales"),
    # "IT" written as the word "It" that starts a sentence: it is the title's first word, not the end of a name.
    ("Thanks for calling, Maria Miller. It director over at Pinecrest Bank.", "Maria Miller", "IT director"),
    ("Thanks for calling, Maria Miller, it manager at Pinecrest Bank.", "Maria Miller", "IT manager"),
])
def test_self_introductions(text, name, title):
    call = analysed(said(text))
    assert name in [e.value for e in of_type(call, "PERSON")]
    assert name not in [e.value for e in of_type(call, "ORGANIZATION")]
    assert [e.value for e in of_type(call, "JOB_TITLE")] == [title]


@pytest.mark.parametrize("text, company", [
    # Names no one listed, which spaCy missed or read as a person or a place.
    ("Yes, Priya Nair, VP of Finance at Contoso.", "Contoso"),
    ("I run revenue operations here at Fabrikam.", "Fabrikam"),
    ("Hi, I'm Tom, I lead the data team at Kestrel Bio.", "Kestrel Bio"),
    ("I work at Zentrix as an IT director.", "Zentrix"),
    ("I'm Sam from Orchard Health, I manage our sales ops.", "Orchard Health"),
    ("I'm the operations lead at a company called Tidewater Freight.", "Tidewater Freight"),
])
def test_the_company_a_prospect_works_for_is_an_organisation(text, company):
    call = analysed(said(text), stages=(entities, signals, summary, crm))
    assert company in [e.value for e in of_type(call, "ORGANIZATION")]
    assert not [e for e in call.entities if e.type in {"PERSON", "LOCATION"} and company in str(e.value)]
    # One hearing of a name nobody listed: a person checks its spelling.
    assert (field(call, "name").value, field(call, "name").decision) == (company, "review")


def test_a_region_after_a_title_is_no_employer():
    call = analysed(said("I'm the sales director for North America."))
    assert "North America" not in [e.value for e in of_type(call, "ORGANIZATION")]


def test_an_unlisted_employer_the_email_domain_spells_is_written():
    call = analysed(said("Yes, Priya Nair, VP of Finance at Contoso.", "It's priya dot nair at contoso dot com."),
                    stages=(entities, signals, summary, crm))
    assert (field(call, "name").value, field(call, "name").decision) == ("Contoso", "auto")


def test_a_name_found_once_is_found_where_it_is_said_again():
    call = analysed([("S1", "rep", "Hello and welcome to Callytics. My name is Emily."),
                     (PROSPECT, "prospect", "Nope, that's everything. Have a good day Emily.")])
    assert [(e.value, e.utterance) for e in of_type(call, "PERSON")] == [("Emily", 0), ("Emily", 1)]


def test_a_department_word_spacy_reads_into_the_name_stays_in_the_title():
    call = analysed(said("Sure, I'm Thomas Schmidt Procurement Manager at Orbit Retail."))
    assert [e.value for e in of_type(call, "JOB_TITLE")] == ["procurement manager"]


def test_phone_numbers_without_country_code_follow_the_phone_region_setting():
    turns = [("S2", "prospect", "Sure, call me on 020 7946,"), ("S1", "rep", "Okay, go on."),
             ("S2", "prospect", "0958. Or my US cell, 415-555-0192.")]
    london = make_call(turns)
    entities(london, make_context(phone_region="GB"))
    assert [(e.value, e.text) for e in of_type(london, "PHONE")] == [("+442079460958", "020 7946 … 0958")]
    us = make_call(turns)
    entities(us, make_context())
    assert [e.value for e in of_type(us, "PHONE")] == ["+14155550192"]


@pytest.mark.parametrize("text, expected", [
    ("We had a renewal on January 5th.", "2026-01-05"),  # told of the past: the last one gone
    ("We renewed in March.", "2025-03-31"),
    ("The last contract was signed on the fifteenth of March.", "2025-03-15"),
    ("Our contract renews on January 5th.", "2027-01-05"),  # ahead: the next one to come
    ("We signed in March and renew on March 31st.", "2026-03-31"),  # the past is another clause's
    ("The go-live was moved to March 15th.", "2026-03-15"),  # a plan told in the past is ahead
    ("It was scheduled for June 3rd.", "2026-06-03"),
    ("It went live on June 3rd, 2025.", "2025-06-03"),  # a year said stands
])
def test_a_date_said_without_its_year_follows_the_tense_of_its_clause(text, expected):
    call = make_call([("S2", "prospect", text)], call_date="2026-01-12")
    entities(call, make_context())
    assert [e.value for e in of_type(call, "DATE")] == [expected]


@pytest.mark.parametrize("text, title", [
    ("I'm an account executive at Acme.", "account executive"),
    ("I'm a solutions architect.", "solutions architect"),
    ("I'm the financial controller.", "financial controller"),
    ("My role is head of RevOps.", "head of RevOps"),  # a word with a capital inside is kept as said
    ("I'm the cfo.", "CFO"),
])
def test_job_titles(text, title):
    assert [e.value for e in of_type(analysed(said(text)), "JOB_TITLE")] == [title]


@pytest.mark.parametrize("text, number", [
    ("My phone is 415-555-0192, extension 23.", "+14155550192 ext. 23"),
    ("My phone is 415-555-0192 ext. two three.", "+14155550192 ext. 23"),
    ("Call 415-555-0192 x104 anytime.", "+14155550192 ext. 104"),
    ("My phone is 415-555-0192. Excellent, thanks.", "+14155550192"),  # no extension in "Excellent"
])
def test_an_extension_said_after_the_number_is_kept(text, number):
    assert [e.value for e in of_type(analysed(said(text)), "PHONE")] == [number]
