"""A name's spelling is only as sure as the sound allows: sound-alike spellings go to review unless spelled out."""
from leadscribe.crm.mapping import load_mapping, propose_fields
from leadscribe.understand.entities import entities
from leadscribe.understand.name_spelling import (hinted_spelling, rival_spellings, sound_key, spelled_out,
                                                 spelling_confirmed)

from tests.crm.test_policy import fields_of
from tests.understand.helpers import make_call, make_context

VOCABULARY = {"companies": ["Lakeside Clinics", "Northwind Analytics"]}


def proposed_from_entities(turns, low_confidence_words=()):
    """The fields proposed from the entities alone, words listed in `low_confidence_words` heard unsurely."""
    call = make_call(turns, vocabulary=VOCABULARY, low_confidence_words=low_confidence_words)
    entities(call, make_context())
    return {f.field: f for f in propose_fields(call, load_mapping())}


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


def test_a_letter_said_after_a_name_tells_its_spellings_apart():
    # As Whisper writes the hint: "an F" run together, a letter as its name ("sea"), dotted, a count run in.
    introduction = "Sure, I'm Sophia Miller, Sophia with NF, head of operations."
    assert hinted_spelling("Sophia", [introduction], "first") == "Sofia"
    assert hinted_spelling("Sophia", ["Sophia with an F."], "first") == "Sofia"
    assert hinted_spelling("Sofia", ["That's Sofia with a P H."], "first") == "Sophia"
    assert hinted_spelling("Fisher", ["Peter Fisher, that's Fisher with a sea, IT director."], "last") == "Fischer"
    assert hinted_spelling("Schmitt", ["Julia Schmitt, Schmitt with a D.D. and I work"], "last") == "Schmidt"
    assert hinted_spelling("Novack", ["Novak with no C."], "last") == "Novak"
    assert hinted_spelling("Novack", ["Novak, without a C."], "last") == "Novak"
    assert hinted_spelling("Ana", ["Anna with 2NS."], "first") == "Anna"
    assert hinted_spelling("Anna", ["Ana with one N."], "first") == "Ana"
    assert spelling_confirmed("Sophia", ["Sophia with an F."]) == "Sofia"  # the census list found by itself


def test_words_after_a_name_that_tell_no_spelling_apart_are_no_hint():
    # Where she works, who he is with, a letter both spellings have or neither has, a letter misheard as a word.
    assert hinted_spelling("Sofia", ["I'm Sofia with HP."], "first") is None
    assert hinted_spelling("Fisher", ["I'm Mark Fisher with you today."], "last") is None
    assert hinted_spelling("Sophia", ["Sophia with the team at Acme."], "first") is None
    assert hinted_spelling("Sophia", ["Sophia with an S."], "first") is None
    assert hinted_spelling("Schmitt", ["Schmidt with a key, and I work"], "last") is None
    assert hinted_spelling("Fisher", ["Fisher with the CHIT Director."], "last") is None
    # A name with one common spelling needs no hint; a hint after another name is not this name's.
    assert hinted_spelling("Walker", ["Walker with a W."], "last") is None
    assert hinted_spelling("Sophia", ["Sophia Miller. Miller with two Ls."], "first") is None


def test_a_name_told_by_a_letter_goes_auto_and_respells_the_address():
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Sophia Fisher, Sophia with an F, and I work as the head of operations at "
                           "Lakeside Clinics."),
        ("S2", "prospect", "My email is sophia dot fisher at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    assert (fields["firstname"].value, fields["firstname"].decision) == ("Sofia", "auto")
    # The last name was not spelled: it stays for review, and so does the address, respelled from what was said.
    assert fields["lastname"].value == "Fisher" and fields["lastname"].decision == "review"
    assert (fields["email"].value, fields["email"].decision) == ("sofia.fisher@lakesideclinics.com", "review")
    assert "respelled as the caller spelled the name" in fields["email"].reason


def test_a_spelling_question_answered_by_the_caller_tells_the_spelling():
    from leadscribe.understand.name_spelling import answered_spellings
    assert spelling_confirmed("Sophia", answered_spellings("Is that Sofia with an F?", "Yes, that's right.")) == "Sofia"
    assert spelling_confirmed("Sophia", answered_spellings("Sofia with an F or a P H?", "With a P H.")) == "Sophia"
    assert spelling_confirmed("Sofia", answered_spellings("Is that Sofia with an F?", "Nope, with a P H.")) == "Sophia"
    assert spelling_confirmed("Fischer", answered_spellings("Is that Fischer with a C?", "No."), "last") == "Fisher"
    assert spelling_confirmed("Fisher", answered_spellings("Fisher without a C?", "No."), "last") == "Fischer"
    assert spelling_confirmed("Sophia", answered_spellings("So that's S-O-F-I-A?", "Yep.")) == "Sofia"
    # A yes or no to a choice, and a yes to a question that is about no letter, tell nothing.
    assert answered_spellings("Is that Sofia with an F or a P H?", "Yes.") == []
    assert answered_spellings("Do you work with Anna?", "Yes.") == []
    assert answered_spellings("What are you using today?", "Yes, with our team we use Excel.") == []
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Sophia Walker, and I work as the head of operations at Lakeside Clinics."),
        ("S1", "rep", "Thanks. And is that Sofia with an F?"),
        ("S2", "prospect", "Yes, it is."),
    ], vocabulary=VOCABULARY)
    assert (fields["firstname"].value, fields["firstname"].decision) == ("Sofia", "auto")
    # The rep's own guess, unanswered, is no spelling.
    fields = fields_of([
        ("S2", "prospect", "Yes, my name is Sophia Walker, and I work as the head of operations at Lakeside Clinics."),
        ("S1", "rep", "Thanks, Sofia with an F, I'll note that down."),
    ], vocabulary=VOCABULARY)
    assert (fields["firstname"].value, fields["firstname"].decision) == ("Sophia", "review")


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


def test_an_email_that_spells_the_whole_name_confirms_name_and_email():
    # Heard at two moments of the call, the name and the address agree: both go auto even where the recogniser
    # was unsure of each hearing. The same e-mail without the name said stays for review.
    turns = [("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
             ("S2", "prospect", "Yes, my name is Julia Walker, and I work as the head of operations at Lakeside Clinics."),
             ("S2", "prospect", "My email is julia dot walker at lakesideclinics dot com.")]
    unsure = ("Julia", "Walker", "julia", "walker", "lakesideclinics")
    fields = proposed_from_entities(turns, unsure)
    assert (fields["email"].value, fields["email"].decision) == ("julia.walker@lakesideclinics.com", "auto")
    assert fields["firstname"].decision == "auto" and fields["lastname"].decision == "auto"
    assert proposed_from_entities([turns[0], turns[2]], unsure)["email"].decision == "review"


def test_an_email_holding_part_of_the_name_or_another_spelling_is_not_confirmed():
    from leadscribe.crm.mapping import email_spells_name
    assert email_spells_name("julia.walker@acme.com", "Julia Walker")
    assert not email_spells_name("miller@acme.com", "Emma Miller")  # "emma underscore" may have been lost
    assert not email_spells_name("laura.petel@acme.com", "Laura Patel")
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is David Schmitt, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "My email is david dot schmitt at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    assert fields["email"].decision == "review" and "'schmitt' in the address sounds like 'schmidt'" in \
        fields["email"].reason


def test_a_heard_word_that_is_no_common_name_gets_no_name_evidence():
    from leadscribe.understand.name_spelling import is_common_name
    assert is_common_name("Rossi", "last") and is_common_name("Maria", "first")
    assert not is_common_name("Water", "last") and not is_common_name("Optimus", "first")


def test_an_address_that_agrees_with_no_name_heard_loses_confidence():
    from leadscribe.crm.mapping import email_contradicts_name
    assert email_contradicts_name("anew@pinecrestbank.com", "Anna Brown")
    assert email_contradicts_name("dottfisher@acme.com", "David Fischer")
    for email in ("anna@acme.com", "abrown@acme.com", "annab@acme.com", "brown.anna@acme.com", "sales@acme.com",
                  "ana.brown@acme.com", "user101@acme.com"):
        assert not email_contradicts_name(email, "Anna Brown"), email
    turns = [("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
             ("S2", "prospect", "Thanks for calling. Anna Brown, procurement manager over at Lakeside Clinics.")]
    agreeing = fields_of(turns + [("S2", "prospect", "My email is just anna at lakesideclinics dot com.")],
                         vocabulary=VOCABULARY)
    # Another person's name is no misspelling of hers: the address keeps what was heard, at half the confidence.
    misheard = fields_of(turns + [("S2", "prospect", "My email is just robert at lakesideclinics dot com.")],
                         vocabulary=VOCABULARY)
    assert misheard["email"].value == "robert@lakesideclinics.com"
    assert misheard["email"].confidence < agreeing["email"].confidence / 1.9
    assert misheard["email"].decision in {"review", "skip"}


def test_a_misspelled_name_in_an_address_is_respelled_as_the_name():
    from leadscribe.understand.name_spelling import misspelled_name
    assert misspelled_name("potel", ["Laura", "Patel"]) == "Patel"
    assert misspelled_name("junson", ["Julia", "Johnson"]) == "Johnson"
    assert misspelled_name("an", ["Anna", "Brown"]) == "Anna"
    # A glide dropped or added ("prea", "julya"), and a name said in a sentence that the census lists lack.
    assert misspelled_name("prea", ["Priya", "Turner"]) == "Priya"
    assert misspelled_name("julya", ["Julia", "Johnson"]) == "Julia"
    assert misspelled_name("preview", ["Priya"]) is None and misspelled_name("prio", ["Pablo"]) is None
    # Two common names are rival spellings, not a misspelling; nor is a word that sounds otherwise.
    assert misspelled_name("julie", ["Julia"]) is None and misspelled_name("fisher", ["Fischer"]) is None
    assert misspelled_name("call", ["Kelly"]) is None and misspelled_name("sales", ["Laura", "Patel"]) is None
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Laura Patel, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "You can email me at laura dot potel at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    # "potel" is no one's name, so it casts no doubt on the name heard in a sentence; that name is written, and
    # so is the address that spells it.
    assert (fields["lastname"].value, fields["lastname"].decision) == ("Patel", "auto")
    assert (fields["email"].value, fields["email"].decision) == ("laura.patel@lakesideclinics.com", "auto")
    assert "heard as 'laura.potel@lakesideclinics.com'" in fields["email"].reason
    assert "Laura, Patel written as the contact's name" in fields["email"].reason


def test_a_word_of_the_address_beside_the_persons_other_name_may_be_further_misspelled():
    # "preo" is three letters from Priya: too far on its own, but the address's other word is her last name.
    said = [("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
            ("S2", "prospect", "Yes, my name is Priya Johnson, director of finance at Lakeside Clinics."),
            ("S2", "prospect", "My email is preo dot johnson at lakesideclinics dot com.")]
    from leadscribe.understand.name_spelling import misspelled_name
    assert misspelled_name("preo", ["Priya", "Johnson"]) is None
    fields = fields_of(said, vocabulary=VOCABULARY)
    assert fields["email"].value == "priya.johnson@lakesideclinics.com"
    assert "heard as 'preo.johnson@lakesideclinics.com'" in fields["email"].reason
    # Beside another person's name, or a word that sounds otherwise ("preview"), it stays as heard.
    other = fields_of([*said[:2], ("S2", "prospect", "My email is preo dot walker at lakesideclinics dot com.")],
                      vocabulary=VOCABULARY)
    assert other["email"].value == "preo.walker@lakesideclinics.com"
    unlike = fields_of([*said[:2], ("S2", "prospect", "My email is preview dot johnson at lakesideclinics dot com.")],
                       vocabulary=VOCABULARY)
    assert unlike["email"].value == "preview.johnson@lakesideclinics.com"


def test_a_respelled_address_waits_for_a_name_a_person_checks():
    # The name heard unsurely in the introduction: the last name goes to review, and the address respelled as it too.
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Laura Patel, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "You can email me at laura dot potel at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY, low_confidence_words=("Laura", "Patel"))
    assert fields["lastname"].decision == "review"
    assert (fields["email"].value, fields["email"].decision) == ("laura.patel@lakesideclinics.com", "review")
    # A word kept as heard that is no known name ("Walker" heard as "Water" in the name and in the address) is one
    # mishearing written twice: the address waits, and so does the name, an everyday word that is no common name.
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Priya Water, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "You can email me at prea dot water at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    assert fields["lastname"].decision == "review" and "everyday word" in fields["lastname"].reason
    assert (fields["email"].value, fields["email"].decision) == ("priya.water@lakesideclinics.com", "review")
    # An address under its own auto threshold waits however its name was heard.
    from leadscribe.crm.mapping import write_addresses_spelled_as_written_names
    from leadscribe.crm.policy import find_seller
    call = make_call([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Yes, my name is Laura Patel, and I work as the head of operations at Lakeside Clinics."),
        ("S2", "prospect", "You can email me at laura dot potel at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    entities(call, make_context())
    proposed = propose_fields(call, load_mapping())
    email = next(f for f in proposed if f.field == "email")
    assert email.decision == "auto"
    email.decision, email.reason = "review", email.reason.split("; ")[0]
    write_addresses_spelled_as_written_names(call, proposed, {("contact", "email"): email.confidence + 0.01},
                                             find_seller(call, None))
    assert email.decision == "review"


def test_an_address_agreeing_with_a_name_that_is_no_known_name_does_not_raise_it():
    # "Walker" heard as "Water" in the name and in the address: one recogniser's one mishearing, twice.
    turns = [("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
             ("S2", "prospect", "Yes, my name is Thomas Water, and I work as the head of operations at Lakeside Clinics.")]
    email = ("S2", "prospect", "My email is thomas dot water at lakesideclinics dot com.")
    alone = proposed_from_entities(turns, ("Water",))["lastname"].confidence
    assert proposed_from_entities(turns + [email], ("Water",))["lastname"].confidence == alone


def test_a_heard_word_that_is_no_name_yields_to_the_name_the_address_spells():
    # "Thomas Walker" heard as "Thomas Water" in the introduction, and the address heard right.
    fields = fields_of([
        ("S1", "rep", "Hi, this is Maya from Northwind Analytics."),
        ("S2", "prospect", "Thanks for calling, Thomas Water, IT director over at Lakeside Clinics."),
        ("S2", "prospect", "You can email me at thomas dot walker at lakesideclinics dot com."),
    ], vocabulary=VOCABULARY)
    assert (fields["lastname"].value, fields["lastname"].decision) == ("Walker", "review")
    assert "'Water' was heard" in fields["lastname"].reason and "'walker'" in fields["lastname"].reason
    # The address of someone else (another first name) says nothing about this name; nor does an address when the
    # heard name is itself a common name (two names: which is theirs is not for us to pick).
    for heard, address in (("Thomas Water", "julia dot walker"), ("Thomas Miller", "thomas dot walker")):
        fields = fields_of([
            ("S2", "prospect", f"Thanks for calling, {heard}, IT director over at Lakeside Clinics."),
            ("S2", "prospect", f"You can email me at {address} at lakesideclinics dot com."),
        ], vocabulary=VOCABULARY)
        assert fields["lastname"].value == heard.split()[1], (heard, address)


def test_one_name_heard_that_is_only_a_last_name_is_the_last_name():
    # "Hi Maya, Anna Miller here" heard as "Hi Maya, I'm a Miller here": Miller is no common first name.
    fields = fields_of([("S2", "prospect", "Hi Maya, I'm a Miller here in the Director of Finance at Lakeside Clinics.")],
                       vocabulary=VOCABULARY)
    assert fields["lastname"].value == "Miller" and "firstname" not in fields
    # A name that is a first name as often as a last name ("Thomas") stays the first name.
    fields = fields_of([("S2", "prospect", "Hi Maya, Thomas here, the Director of Finance at Lakeside Clinics.")],
                       vocabulary=VOCABULARY)
    assert fields["firstname"].value == "Thomas" and "lastname" not in fields
