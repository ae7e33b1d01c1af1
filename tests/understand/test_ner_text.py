from leadscribe.understand.ner import TextSpan, recognise_text


def test_recognise_text_labels_offsets_and_values():
    text = "Revenue at Culp Inc rose 6.2% to $329.3 million, and Culp shipped 1,200 units."
    spans = recognise_text(text)
    assert all(isinstance(s, TextSpan) and text[s.start:s.end] == s.text for s in spans)
    by_label = {(s.label, s.text): s.value for s in spans}
    assert by_label[("PERCENT", "6.2%")] == 6.2
    assert by_label[("MONEY", "$329.3 million")] == {"amount": 329_300_000, "currency": "USD"}
    assert by_label[("CARDINAL", "1,200")] == 1200
    # "Culp" alone takes the label its longer mention has.
    assert ("ORG", "Culp") in by_label


def spans_by_label(text):
    return {(s.label, s.text): s for s in recognise_text(text)}


def test_a_range_takes_its_first_number_and_keeps_the_other_end():
    found = spans_by_label("Sales rose 6.2% to 7.5% and we expect guidance of $2.45 to $2.55 per share.")
    percent = found[("PERCENT", "6.2% to 7.5%")]
    assert (percent.value, percent.upper) == (6.2, 7.5)
    money = next(s for (label, _), s in found.items() if label == "MONEY")
    assert money.value == {"amount": 2.45, "currency": "USD"} and money.upper == 2.55


def test_bare_numerals_are_cardinals_also_inside_dates_and_amounts():
    text = "Earnings per share in fiscal 2020 were 56 cents, and we run about 1,289 stores."
    found = spans_by_label(text)
    assert found[("CARDINAL", "2020")].value == 2020
    assert found[("CARDINAL", "56")].value == 56
    assert any(label == "DATE" and "2020" in t for label, t in found)
    assert any(label == "MONEY" and "56" in t for label, t in found)
    assert any(label == "CARDINAL" and s.value == 1289 for (label, _), s in found.items())


def test_numeric_spans_take_their_currency_sign_and_counts_are_not_money():
    found = spans_by_label("It affects more than 30 million patients, after the $535,000 loss last quarter.")
    assert not any(label == "MONEY" and "30" in t for label, t in found)
    assert any(label == "CARDINAL" and s.value in (30, 30_000_000) for (label, t), s in found.items())
    loss = next(s for (label, _), s in found.items() if label == "MONEY")
    assert loss.text.startswith("$") and loss.value == {"amount": 535_000, "currency": "USD"}


def test_period_codes_and_titles_are_not_names():
    found = spans_by_label("In Q3 our CFO Sandy Brown met Oppenheimer analysts.")
    assert not any(t in {"Q3", "CFO"} for label, t in found if label in {"ORG", "PERSON", "GPE"})
