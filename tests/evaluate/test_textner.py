"""Text-only NER scoring on the Earnings-21 references."""
from leadscribe.evaluate.textner import Span, TaggedText, leadscribe_recogniser, read_nlp, score_texts, spacy_recogniser


def test_read_nlp_rebuilds_text_and_offsets(eval_data):
    nlp = eval_data / "rev-earnings21-22/earnings21/transcripts/nlp_references/4374910.nlp"
    doc = read_nlp(nlp)
    assert doc.text.startswith("Good morning. This is Craig Moore with Autonomous.")
    assert doc.spans[0].label == "PERSON" and doc.text[doc.spans[0].start:doc.spans[0].end] == "Craig Moore"
    assert all(doc.text[s.start:s.end] == s.text for s in doc.spans)


def test_scores_perfect_partial_and_value():
    text = "Revenue was $22.7 million, up 4% at Acme Corp."
    truth = [Span("MONEY", 12, 25, "$22.7 million"), Span("PERCENT", 30, 32, "4%"), Span("ORG", 36, 45, "Acme Corp")]
    doc = TaggedText("t", text, truth)
    perfect = score_texts([doc], lambda _: [Span(s.label, s.start, s.end, s.text) for s in truth])
    assert perfect["micro"]["strict"]["f1"] == 1.0 and perfect["micro"]["value_accuracy"] == 1.0
    # MONEY found with a shorter span and a wrong value; ORG missed; a spurious PERSON
    partial = score_texts([doc], lambda _: [Span("MONEY", 12, 17, "$22.7", 22.7), Span("PERCENT", 30, 32, "4%"),
                                            Span("PERSON", 0, 7, "Revenue")])
    micro = partial["micro"]
    assert micro["strict"]["tp"] == 1 and micro["overlap"]["tp"] == 2
    assert micro["overlap"]["precision"] == 2 / 3 and micro["overlap"]["recall"] == 2 / 3
    assert partial["by_label"]["MONEY"]["value_accuracy"] == 0.0
    assert partial["by_label"]["PERCENT"]["value_accuracy"] == 1.0


def test_spacy_baseline_and_recogniser_status():
    spans = spacy_recogniser()("Apple paid $5 million to Microsoft in March 2021.")
    assert {"ORG", "MONEY"} <= {s.label for s in spans}
    recogniser, status = leadscribe_recogniser()
    assert (recogniser is None) == ("not importable" in status)
