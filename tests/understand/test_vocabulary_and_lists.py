"""Custom vocabulary: the seller's own name corrected where a support line greets with it, refused elsewhere; and
lists of products or competitors that may have lost an item to a mishearing go to review."""
from leadscribe.crm.mapping import crm
from leadscribe.understand.entities import entities
from leadscribe.understand.signals import signals
from leadscribe.understand.summary import summary

from tests.understand.helpers import make_call, make_context


def analysed(turns, vocabulary=None, low_confidence_words=(), **settings):
    call = make_call(turns, vocabulary=vocabulary, low_confidence_words=low_confidence_words)
    ctx = make_context(**settings)
    for stage in (entities, signals, summary, crm):
        stage(call, ctx)
    return call


def organisations(call):
    return [e.value for e in call.entities if e.type == "ORGANIZATION"]


def test_the_seller_company_heard_wrong_in_a_greeting_is_corrected():
    greeting = [("S1", "rep", "Hello and welcome to Colisex. My name is Emily. How may I help you?")]
    assert organisations(analysed(greeting, seller_company="Callytics")) == ["Callytics"]
    # Without the setting nothing says what the company is called.
    assert "Callytics" not in organisations(analysed(greeting))


def test_a_greeting_does_not_make_a_different_sounding_word_the_seller():
    far = [("S1", "rep", "Thanks for reaching out to Politics and have a wonderful day.")]
    assert "Callytics" not in organisations(analysed(far, seller_company="Callytics"))


def test_outside_a_greeting_a_clearly_heard_unlisted_name_is_left_alone():
    call = analysed([("S2", "prospect", "We moved from Colisex to a new vendor last year.")],
                    seller_company="Callytics")
    assert "Callytics" not in organisations(call)


def test_listed_names_heard_exactly_are_sure_even_when_whisper_was_not():
    call = analysed([("S2", "prospect", "We are also evaluating Gong and Zendesk.")],
                    vocabulary={"competitors": ["Gong", "Zendesk"]}, low_confidence_words=("Gong", "Zendesk"))
    competitors = next(f for f in call.crm.fields if f.field == "leadscribe_competitors")
    assert (competitors.value, competitors.decision) == (["Gong", "Zendesk"], "auto")


def stack_field(text):
    call = analysed([("S2", "prospect", text)], vocabulary={"products": ["Oracle", "Jira", "Excel", "Snowflake"]})
    return next(f for f in call.crm.fields if f.field == "leadscribe_tech_stack")


def test_a_capitalised_word_glued_to_a_listed_name_may_be_a_misheard_item():
    for text in ("Our stack is Oracle Posagira, the problem is the reporting.",
                 "We run on Excel Engine but we lose track of follow ups."):
        stack = stack_field(text)
        assert stack.decision == "review" and "not recognised" in stack.reason


def test_a_closed_list_followed_by_another_clause_is_complete():
    stack = stack_field("Today everything is in Jira and Excel, and onboarding a new analyst takes us two months.")
    assert stack.value == ["Excel", "Jira"] and stack.decision == "auto"
    assert stack_field("Our stack is Snowflake plus Oracle.").value == ["Oracle", "Snowflake"]


def test_an_email_domain_near_a_listed_company_is_spelled_as_listed_for_review():
    call = analysed([("S2", "prospect", "It's maria dot rossi at blueharbourfoods dot com.")],
                    vocabulary={"companies": ["Blue Harbor Foods"]})
    [email] = [e for e in call.entities if e.type == "EMAIL"]
    assert (email.value, email.source) == ("maria.rossi@blueharborfoods.com", "vocabulary")
    fields = {f.field: f for f in call.crm.fields}
    assert fields["email"].decision == "review" and "heard as" in fields["email"].reason
    assert (fields["domain"].value, fields["domain"].decision) == ("blueharborfoods.com", "review")


def test_an_unsure_email_domain_needs_less_resemblance_to_a_listed_company():
    # As heard on a synthetic call: "pinecrestbank" as "pinecrestbent" (similarity 84.6), the address at 0.3.
    said = [("S2", "prospect", "My email is just anna at pinecrestbent dot com.")]
    companies = {"companies": ["Pinecrest Bank"]}
    unsure = analysed(said, vocabulary=companies, low_confidence_words=("anna", "at", "pinecrestbent"))
    assert [e.value for e in unsure.entities if e.type == "EMAIL"] == ["anna@pinecrestbank.com"]
    # Heard clearly, the same resemblance is not enough: it may be another company's address.
    sure = analysed(said, vocabulary=companies)
    assert [e.value for e in sure.entities if e.type == "EMAIL"] == ["anna@pinecrestbent.com"]


def test_an_email_domain_unlike_any_listed_company_is_left_as_heard():
    call = analysed([("S2", "prospect", "It's maria dot rossi at tempestplan dot com.")],
                    vocabulary={"companies": ["Blue Harbor Foods", "Pinecrest Bank"]})
    assert [e.value for e in call.entities if e.type == "EMAIL"] == ["maria.rossi@tempestplan.com"]


def test_a_domain_with_a_word_of_a_listed_company_said_twice_is_that_company():
    # As heard on a synthetic call: Whisper repeated a word of the company ("Redwood Insurance Insurance.com").
    companies = {"companies": ["Redwood Insurance", "Pinecrest Bank"]}
    call = analysed([("S2", "prospect", "My email is anna.schmidt at Redwood Insurance Insurance.com.")],
                    vocabulary=companies)
    assert [e.value for e in call.entities if e.type == "EMAIL"] == ["anna.schmidt@redwoodinsurance.com"]
    # A longer name that only starts like the company is not it: "Redwood Insurance Brokers" is another firm.
    other = analysed([("S2", "prospect", "My email is anna.schmidt at Redwood Insurance Brokers.com.")],
                     vocabulary=companies)
    assert [e.value for e in other.entities if e.type == "EMAIL"] == ["anna.schmidt@redwoodinsurancebrokers.com"]


def test_tools_named_in_answer_to_what_is_used_are_the_stack():
    # The answer carries no "use"/"run" of its own; the rep's question says what the names are.
    call = analysed([("S1", "rep", "Great, what are you using today, and what is not working"),
                     ("S2", "prospect", "Worst act is Slack plus Oracle, the problem is that our forecasts are late.")],
                    vocabulary={"products": ["Oracle", "Slack"]})
    stack = next(f for f in call.crm.fields if f.field == "leadscribe_tech_stack")
    assert stack.value == ["Oracle", "Slack"]


def test_tools_named_after_another_question_are_not_the_stack():
    call = analysed([("S1", "rep", "Who else should join the next call?"),
                     ("S2", "prospect", "Maybe someone who knows Oracle.")],
                    vocabulary={"products": ["Oracle"]})
    assert not any(f.field == "leadscribe_tech_stack" for f in call.crm.fields)


def competitors_field(text, vocabulary=None):
    call = analysed([("S1", "rep", "Are you looking at anyone else?"), ("S2", "prospect", text)],
                    vocabulary=vocabulary or {"competitors": ["Gong", "HubSpot", "Looker", "Salesforce", "Zendesk"]})
    return next(f for f in call.crm.fields if f.field == "leadscribe_competitors")


def test_a_list_may_miss_an_item_after_or():
    field = competitors_field("We'll put in Zendesk or our on-hour shortlist too.")
    assert field.decision == "review" and "'our' next to Zendesk" in field.reason


def test_a_noun_right_before_a_listed_name_may_be_a_misheard_item():
    field = competitors_field("We've had the most from one hand HubSpot as well.")
    assert field.decision == "review" and "'hand' next to HubSpot" in field.reason


def test_a_phrase_like_a_listed_name_may_be_that_name():
    field = competitors_field("We are also evaluating sales for Zendesk.")
    # Proposed with the list, for the person who reviews it to confirm: it is not what was heard.
    assert field.value == ["Zendesk", "Salesforce"] and field.decision == "review"
    assert "'sales for' may be Salesforce" in field.reason
    # A listed product is no competitor: it is named in the reason only.
    field = competitors_field("We are also evaluating sales for Zendesk.",
                              vocabulary={"competitors": ["Zendesk"], "products": ["Salesforce"]})
    assert field.value == ["Zendesk"] and "'sales for' may be Salesforce" in field.reason


def test_a_complete_list_of_competitors_stays_auto():
    for text in ("We are also evaluating Looker and Gong.", "We've had demos from Gong and HubSpot as well.",
                 "Gong and Salesforce are on our shortlist too."):
        field = competitors_field(text)
        assert field.decision == "auto", (text, field.reason)


def test_a_listed_name_heard_with_a_lower_case_later_word_is_an_exact_hearing():
    unsure = ("Lakeside", "clinics", "Clinics")
    lower = analysed([("S2", "prospect", "I'm the head of operations at Lakeside clinics.")],
                     vocabulary={"companies": ["Lakeside Clinics"]}, low_confidence_words=unsure)
    same = analysed([("S2", "prospect", "I'm the head of operations at Lakeside Clinics.")],
                    vocabulary={"companies": ["Lakeside Clinics"]}, low_confidence_words=unsure)
    [a] = [e for e in lower.entities if e.type == "ORGANIZATION"]
    [b] = [e for e in same.entities if e.type == "ORGANIZATION"]
    assert a.value == b.value == "Lakeside Clinics" and a.confidence == b.confidence
    # A one-word listed name heard lower-case may be the ordinary word: no lean on the listing.
    word = analysed([("S2", "prospect", "We use slack every day.")], vocabulary={"products": ["Slack"]},
                    low_confidence_words=("slack",))
    listed = analysed([("S2", "prospect", "We use Slack every day.")], vocabulary={"products": ["Slack"]},
                      low_confidence_words=("slack",))
    assert [e.confidence for e in word.entities if e.type == "PRODUCT"] < \
        [e.confidence for e in listed.entities if e.type == "PRODUCT"]


def products(call):
    return [e.value for e in call.entities if e.type == "PRODUCT"]


def test_an_ordinary_lower_case_word_is_not_taken_for_a_catalogue_product():
    """Heard on the real calls: "I looked it up" became Looker, "a double room" Tableau (same consonants).
    The team did not list them; only an exact hearing or a capitalised near-miss finds a catalogue product."""
    call = analysed([("S2", "prospect", "I looked it up and we booked a double room for Saturday.")],
                    low_confidence_words=("looked", "double"))
    assert products(call) == []
    assert products(analysed([("S2", "prospect", "Our dashboards are in Looker and Tableau.")])) == ["Looker", "Tableau"]
    # The same near-miss, heard unsure, of a name the team listed is still corrected; of the catalogue it is not.
    heard = [("S2", "prospect", "Our dashboards are all in looked now.")]
    assert products(analysed(heard, low_confidence_words=("looked",))) == []
    listed = analysed(heard, vocabulary={"products": ["Looker"]}, low_confidence_words=("looked",))
    assert products(listed) == ["Looker"]


def test_a_corrected_domain_of_the_company_the_prospect_named_is_confirmed_by_it():
    # "Blue Harbor Foods" said as listed, then its domain heard "blueharbourfoods": two hearings of the listed name.
    call = analysed([("S2", "prospect", "Yes, I'm Maria Rossi, head of operations at Blue Harbor Foods."),
                     ("S2", "prospect", "It's maria dot rossi at blueharbourfoods dot com.")],
                    vocabulary={"companies": ["Blue Harbor Foods"]})
    fields = {f.field: f for f in call.crm.fields}
    assert (fields["domain"].value, fields["domain"].decision) == ("blueharborfoods.com", "auto")
    assert (fields["email"].value, fields["email"].decision) == ("maria.rossi@blueharborfoods.com", "auto")


def test_an_address_run_together_is_split_at_the_listed_company():
    from leadscribe.understand.contacts import find_emails
    call = analysed([("S2", "prospect", "You can email me at justlauraatorbitretail.com."),
                     ("S2", "prospect", "Or email me at prea.turneratorbiterdale.com, my phone is 415.")],
                    vocabulary={"companies": ["Orbit Retail"]})
    assert [e.value for e in call.entities if e.type == "EMAIL"] == ["laura@orbitretail.com",
                                                                     "prea.turner@orbitretail.com"]
    # Without a company to split at, the address is not guessed, and "email me at" never makes "me" a local part.
    assert find_emails("You can email me at justlauraatorbitretail.com.") == []
    assert [f.value for f in find_emails("email me at preadotfisheratgranitehealth.com",
                                         lambda label: float(label == "granitehealth"))] == ["prea.fisher@granitehealth.com"]
    # The glued "at" written "ad"; an "ad" inside a name ("adams") is no split where the rest names no company.
    redwood = lambda label: float(label == "redwoodinsurance")  # noqa: E731
    assert [f.value for f in find_emails("My email is Peter.brownadredwoodinsurance.com", redwood)] == \
        ["peter.brown@redwoodinsurance.com"]
    assert [f.value for f in find_emails("My email is david.adamsatredwoodinsurance.com", redwood)] == \
        ["david.adams@redwoodinsurance.com"]
    assert find_emails("My email is david.adamsatsummitfreight.com", redwood) == []
    # The "at" written as a dot before a company the caller knows, after an address cue; a host is no local part.
    assert [f.value for f in find_emails("My email is Laura.chain.redwoodinsurance.com and my phone", redwood)] == \
        ["laura.chain@redwoodinsurance.com"]
    assert find_emails("Our portal is support.redwoodinsurance.com", redwood) == []
    assert find_emails("My email is laura.chain.summitfreight.com", redwood) == []


def test_a_person_or_place_joined_to_a_tool_leaves_the_list_for_review():
    stack = stack_field("Today everything is in Snowflake and Waterville, and nobody trusts the numbers.")
    assert stack.decision == "review" and "'Waterville' next to Snowflake was not recognised" in stack.reason
    call = analysed([("S2", "prospect", "The Whitaker and Salesforce are on our short list too.")],
                    vocabulary={"competitors": ["Looker", "Salesforce"]})
    competitors = next(f for f in call.crm.fields if f.field == "leadscribe_competitors")
    assert competitors.decision == "review" and "'Whitaker' next to Salesforce" in competitors.reason


def test_a_name_whisper_repeated_is_no_unknown_word_beside_itself():
    # Whisper wrote "Salesforce" twice at a segment's end; both are the recognised competitor.
    call = analysed([("S2", "prospect", "We are also evaluating HubSpot and Salesforce Salesforce.")],
                    vocabulary={"competitors": ["HubSpot", "Salesforce"]})
    competitors = next(f for f in call.crm.fields if f.field == "leadscribe_competitors")
    assert competitors.value == ["HubSpot", "Salesforce"] and competitors.decision == "auto"
    assert "not recognised" not in competitors.reason and "may be" not in competitors.reason
    # An unknown word in a list with a repeat still leaves the list for review.
    call = analysed([("S2", "prospect", "We are also evaluating Whitaker and Salesforce Salesforce.")],
                    vocabulary={"competitors": ["HubSpot", "Salesforce"]})
    competitors = next(f for f in call.crm.fields if f.field == "leadscribe_competitors")
    assert competitors.decision == "review" and "'Whitaker'" in competitors.reason


def test_a_name_said_twice_in_a_turn_is_judged_where_each_was_said():
    # The unknown word stands beside the second "Salesforce"; read at the first, the list looked complete.
    call = analysed([("S2", "prospect", "Salesforce is what we know. We are also evaluating Whitaker and Salesforce.")],
                    vocabulary={"competitors": ["HubSpot", "Salesforce"]})
    competitors = next(f for f in call.crm.fields if f.field == "leadscribe_competitors")
    assert competitors.decision == "review" and "'Whitaker' next to Salesforce" in competitors.reason
    signal = next(s for s in call.signals.competitors if s.text == "Salesforce")
    assert signal.detail["status"] == "evaluating"


def test_a_word_barely_heard_next_to_a_tool_leaves_the_list_for_review():
    def stack_with(text, faint_word, confidence):
        call = make_call([("S2", "prospect", text)], vocabulary={"products": ["Snowflake", "Jira", "Oracle"]})
        for word in call.transcription.utterances[0].words:
            if word.word.strip(",.").lower() == faint_word:
                word.confidence = confidence
        ctx = make_context()
        for stage in (entities, signals, summary, crm):
            stage(call, ctx)
        return next(f for f in call.crm.fields if f.field == "leadscribe_tech_stack")

    # "We run on Snowflake and Jira" heard as "Snowflake himself", the recogniser at 0.06 on it.
    stack = stack_with("We run on Snowflake himself, but the reporting is too slow.", "himself", 0.06)
    assert stack.decision == "review" and "'himself' next to Snowflake" in stack.reason
    assert stack_with("We run on Snowflake himself, but the reporting is too slow.", "himself", 0.9).decision == "auto"
    # A faint joiner between two recognised tools names no third one.
    assert stack_with("We run on Snowflake and Jira, but the reporting is too slow.", "and", 0.05).decision == "auto"
    # Two words away: "Our stack is Slack plus Oracle" heard as "I don't stack in Slack for sure", "sure" at 0.08.
    stack = stack_with("I don't stack in Slack for sure. The problem is the reporting.", "sure", 0.08)
    assert stack.decision == "review" and "'sure' next to Slack" in stack.reason
    # The list's other names, however faintly heard, are items we have, not unknown words.
    assert stack_with("We run on Snowflake and Jira, but the reporting is too slow.", "jira", 0.05).decision == "auto"


def test_an_organisation_joined_to_a_tool_is_an_item_the_list_lacks():
    """Only products and competitors make the list: an organisation spaCy found beside a tool ("non-Snowflake" for
    "on Snowflake", an unlisted vendor) is an item the written list would not hold."""
    call = analysed([("S2", "prospect", "We run non-Snowflake and Jira, but onboarding takes almost two months.")],
                    vocabulary={"products": ["Snowflake", "Jira", "Excel"]})
    assert "non-Snowflake" in organisations(call)
    stack = next(f for f in call.crm.fields if f.field == "leadscribe_tech_stack")
    assert stack.value == ["Jira"] and stack.decision == "review"
    assert "'non-Snowflake' next to Jira was not recognised" in stack.reason


def test_a_word_that_begins_with_a_listed_name_may_be_that_name():
    # "We run on Excel and Slack" heard as "We run non-excellent Slack".
    stack = stack_field("We run non-excellent Slack, but nobody trusts the numbers in our dashboards.")
    assert stack.value == ["Slack", "Excel"] and stack.decision == "review"
    assert "'non-excellent' may be Excel" in stack.reason
    # The name itself, heard in full, is the item, not a doubt.
    assert stack_field("We run on Excel and Slack, but nobody trusts the numbers.").decision == "auto"


def test_a_capitalised_non_word_beside_a_listed_name_may_be_a_misheard_item():
    # "Looker and Zendesk are on our shortlist too" heard as "Looker ends in Deskoyar on our shortlist too".
    field = competitors_field("Looker ends in Deskoyar on our shortlist too.")
    assert field.value == ["Looker"] and field.decision == "review"
    assert "'Deskoyar', said with Looker, is no word we know" in field.reason
    # A real word Whisper capitalised ("Plus", "Shortlist") names nothing.
    for text in ("Gong and Zendesk are on our Shortlist too.", "Looker Plus Gong are on our shortlist too."):
        assert competitors_field(text).decision == "auto", text


def test_a_list_said_in_a_sentence_whisper_barely_heard_goes_to_review():
    # "Today everything is in Oracle and Slack" heard as "I lost track is Slack for sorghum": Slack is the only
    # listed name left, and the words around it were guesses.
    said = [("S1", "rep", "Great. What are you using today, and what is not working?"),
            ("S2", "prospect", "I lost track is Slack for sorghum. The problem is that onboarding takes months.")]
    vocabulary = {"products": ["Oracle", "Slack"]}
    garbled = analysed(said, vocabulary=vocabulary,
                       low_confidence_words=("I", "lost", "track", "is", "for", "sorghum"))
    stack = next(f for f in garbled.crm.fields if f.field == "leadscribe_tech_stack")
    assert (stack.value, stack.decision) == (["Slack"], "review") and "barely heard" in stack.reason
    # The same words heard clearly, or a list with one faint word beside clear ones, are what was said.
    for unsure in ((), ("sorghum",)):
        stack = next(f for f in analysed(said, vocabulary=vocabulary, low_confidence_words=unsure).crm.fields
                     if f.field == "leadscribe_tech_stack")
        assert "barely heard" not in stack.reason


def answered_stack(text):
    call = analysed([("S1", "rep", "What are you using today, and what is not working?"), ("S2", "prospect", text)],
                    vocabulary={"products": ["Oracle", "Jira", "Excel", "Snowflake"]})
    return next(f for f in call.crm.fields if f.field == "leadscribe_tech_stack")


def test_a_joiner_whisper_set_after_a_full_stop_still_joins_a_misheard_item():
    stack = answered_stack("Our stack is ore-throwed. Plus, Jira, the problem is onboarding.")
    assert stack.value == ["Jira"] and stack.decision == "review"
    assert "'ore-throwed' next to Jira was not recognised" in stack.reason
    stack = answered_stack("Our stack is Oracle. Plus, Jira, the problem is onboarding.")
    assert stack.value == ["Jira", "Oracle"] and stack.decision == "auto"


def test_a_capitalised_word_after_and_to_may_be_a_name_heard_as_two_words():
    field = competitors_field("Gong and to Blower on our short list too.")
    assert field.decision == "review" and "'to Blower' next to Gong was not recognised" in field.reason
    # A clause after "and" stays a clause.
    assert competitors_field("We looked at Gong and to be honest nothing else.").decision == "auto"


def test_a_tool_tried_or_looked_at_before_is_evaluated_not_in_the_stack():
    call = analysed([("S1", "rep", "What are you using today?"),
                     ("S2", "prospect", "We're on Salesforce and we pull everything into Excel."),
                     ("S2", "prospect", "We looked at Gong last quarter but it was way too expensive."),
                     ("S2", "prospect", "We also tried Zendesk for a while.")],
                    vocabulary={"competitors": ["Gong", "Zendesk"]})
    assert {c.text: c.detail["status"] for c in call.signals.competitors} == {"Gong": "evaluating",
                                                                               "Zendesk": "evaluating"}
    assert [s.text for s in call.signals.tech_stack] == ["Salesforce", "Excel"]
