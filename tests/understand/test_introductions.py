"""Self-introductions, read once for roles (speaker names), entities (PERSON) and the CRM policy (the seller)."""
from leadscribe.crm.policy import find_seller
from leadscribe.understand.introductions import Introduction, introductions

from tests.understand.helpers import make_call


def names(text):
    return [(i.name, i.company) for i in introductions(text)]


def test_the_ways_people_name_themselves():
    assert names("Hello and welcome to Callytics. My name is Emily. How may I help?") == [("Emily", None)]
    assert names("Hi, this is Maya Lopez calling from Northwind Analytics.") == [("Maya Lopez", "Northwind Analytics")]
    assert names("It's Dana at Acme.") == [("Dana", "Acme")]
    assert names("You've reached support, Emily speaking.") == [("Emily", None)]
    assert names("David Chen here.") == [("David Chen", None)]
    assert names("My name's Adam. We're here because of the reorganisation.") == [("Adam", None)]
    assert names("Sean O'Brien here.") == [("Sean O'Brien", None)]
    # A hyphen joins two names and never ends one (SpokenWOZ MUL1011: "Yang-Singur" was read as "Yang-").
    assert names("Of course, my name is Yang-Singur.") == [("Yang-Singur", None)]
    assert names("Hi, this is Amal Al-Sayed from Acme.") == [("Amal Al-Sayed", "Acme")]
    assert names("My name is Sean McDonald.") == [("Sean McDonald", None)]
    assert names("Hi David, Maya from Northwind Analytics here.") == [("Maya", "Northwind Analytics")]
    assert names("Yes, calling from Northwind Analytics here.") == []
    assert names("Hi David Chen here.") == [("David Chen", None)]
    assert names("Sure, Im James Fisher, Chief Financial Officer at Blue Harbor Foods.") == [("James Fisher", None)]
    # "I'm Julia" written as one word (held-out synthetic seed 28 had auto-written the first name "Imjulia").
    assert introductions("Sure, Imjulia Brown, Head of Operations.") == [Introduction("Julia Brown", 8, None)]
    assert names("Imogen Brown here.") == [("Imogen Brown", None)]
    assert names("Sure. Julia Walker, head of operations at Redwood Insurance.") == [("Julia Walker", None)]
    assert introductions("I'm David Chen, IT director.") == [Introduction("David Chen", 4, None)]


def test_words_after_the_cue_that_are_no_name():
    assert names("This is great, thanks.") == []
    assert names("I'm Sorry, I missed that.") == []
    assert names("It's Salesforce we use today.") == []
    assert names("I'm Going to check.") == []
    # A title word after the name is cut off, and the company then belongs to the title, not the name.
    assert names("I'm Julia Head of operations at Acme.") == [("Julia", None)]


def test_a_question_is_no_introduction():
    # The rep asking for the prospect names the prospect, not themself.
    assert names("Hi, this is Maya from Northwind Analytics. Is this David Chen?") == [("Maya", "Northwind Analytics")]
    assert names("Hello, this is Laura Patel, right?") == []


def test_the_rep_asking_for_the_prospect_by_name_does_not_make_it_the_sellers_name():
    call = make_call([("S1", "rep", "Hello, this is David Chen, right? Great, this is Maya from Northwind Analytics."),
                      ("S2", "prospect", "Yes, this is David Chen.")])
    seller = find_seller(call, "Northwind Analytics")
    assert seller.names == {"maya"} and "northwind analytics" in seller.companies


def test_the_company_a_speaker_heads_a_team_at_is_their_employer():
    from leadscribe.understand.introductions import employers
    assert [c for _, c in employers("This is Jennifer Alvarez, I head up procurement at Contoso.")] == ["Contoso"]
    assert [c for _, c in employers("I run the data team for Acme Logistics.")] == ["Acme Logistics"]
    # A part of the year, or something that is no company, after "for" or "at".
    assert employers("I manage our budget for Q3 at the moment.") == []
    assert employers("I run a tight ship at home.") == []
