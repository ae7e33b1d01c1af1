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
