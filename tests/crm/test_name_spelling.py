"""A name's spelling is only as sure as the sound allows: sound-alike spellings go to review unless spelled out."""
from leadscribe.understand.name_spelling import rival_spellings, sound_key, spelled_out, spelling_confirmed

from tests.crm.test_policy import fields_of

VOCABULARY = {"companies": ["Lakeside Clinics", "Northwind Analytics"]}


def test_sound_alike_spellings_share_a_key_and_other_names_do_not():
    assert sound_key("Sophia") == sound_key("Sofia")
    assert sound_key("Fischer") == sound_key("Fisher")
    assert sound_key("Schmidt") == sound_key("Schmitt")
    assert sound_key("John") == sound_key("Jon") and sound_key("Sarah") == sound_key("Sara")
    assert sound_key("Chen") != sound_key("Chan") and sound_key("Maria") != sound_key("Mary")


def test_rival_spellings_come_from_the_census_lists():
    assert rival_spellings("Sophia", "first") == ["Sofia"]
    assert "Fisher" in rival_spellings("Fischer", "last")
    # Only spellings common enough to doubt: "Micheal" is rare beside "Michael".
    assert rival_spellings("Michael", "first") == [] and rival_spellings("David", "first") == []
    assert rival_spellings("Walker", "last") == []
    assert rival_spellings("Priya", "first") == []  # not on the lists: nothing says it has a rival


def test_letters_said_one_by_one_spell_a_word():
    assert spelled_out(["That's Sofia, S-O-F-I-A.", "it is s o f i a dot brown"]) == ["sofia", "sofia"]
    assert spelled_out(["The IT team and the Q and A"]) == []
    assert spelling_confirmed("Sophia", ["Sofia, that's S O F I A."]) == "Sofia"
    assert spelling_confirmed("Sophia", ["My name is Sophia."]) is None


def test_a_sound_alike_name_goes_to_review():
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Sophia Fisher, and I work as the head of operations at Lakeside Clinics."),
    ], vocabulary=VOCABULARY)
    assert fields["firstname"].value == "Sophia" and fields["firstname"].decision == "review"
    assert "Sofia" in fields["firstname"].reason
    assert fields["lastname"].value == "Fisher" and fields["lastname"].decision == "review"
    assert "Fischer" in fields["lastname"].reason


def test_a_name_spelled_out_goes_auto_with_the_spelled_letters():
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Sophia Fisher, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "That's S-O-F-I-A, and Fischer with a C, F-I-S-C-H-E-R."),
    ], vocabulary=VOCABULARY)
    assert (fields["firstname"].value, fields["firstname"].decision) == ("Sofia", "auto")
    assert (fields["lastname"].value, fields["lastname"].decision) == ("Fischer", "auto")


def test_an_email_said_as_words_does_not_confirm_a_sound_alike_name():
    # "sophia dot fisher at ..." is a second hearing of the same sound, not a spelling.
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Sophia Fisher, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "My email is sophia dot fisher at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    assert fields["firstname"].decision == "review" and fields["lastname"].decision == "review"


def test_a_name_with_one_common_spelling_is_not_held_back():
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is David Walker, and I work as the head of operations at Lakeside Clinics."),
    ], vocabulary=VOCABULARY)
    assert (fields["firstname"].value, fields["firstname"].decision) == ("David", "auto")
    assert (fields["lastname"].value, fields["lastname"].decision) == ("Walker", "auto")
