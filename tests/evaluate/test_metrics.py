"""Metric functions against hand-computed cases, including the empty and missing edge cases."""
import pytest

from leadscribe.evaluate import metrics
from leadscribe.evaluate.metrics import EntityItem, FieldItem
from leadscribe.evaluate.normalise import normalise_text, spoken_number, values_equal


def test_wer_known_case():
    # ref 6 words; hyp substitutes sat->sit and the->big
    counts = metrics.error_counts("the cat sat on the mat", "the cat sit on big mat")
    assert (counts["substitutions"], counts["deletions"], counts["insertions"]) == (2, 0, 0)
    assert counts["error_rate"] == pytest.approx(2 / 6)
    counts = metrics.error_counts("the cat sat on the mat", "cat sat on the mat today")
    assert (counts["deletions"], counts["insertions"]) == (1, 1)


def test_wer_normalisation_makes_formatting_free():
    assert metrics.wer("Our budget is $80,000. I'm sure!", "our budget is eighty thousand dollars i am sure") == 0.0
    assert metrics.wer("Two hundred and fifty seats", "250 seats") == 0.0
    assert metrics.wer("We won't go", "we will not go") == 0.0


def test_wer_empty_sides():
    assert metrics.wer("", "") == 0.0
    assert metrics.wer("", "hello there") is None  # undefined: insertions over zero words
    counts = metrics.error_counts("one two three", "")
    assert counts["deletions"] == 3 and counts["error_rate"] == 1.0


def test_pooled_wer_weights_by_reference_length():
    a = metrics.error_counts("a b c d", "a b c d")        # 0 errors / 4
    b = metrics.error_counts("hello world", "hello")      # 1 error / 2
    pooled = metrics.pooled_error_rate([a, b])
    assert pooled["error_rate"] == pytest.approx(1 / 6)   # not the mean of rates (0.25)


def test_cer_for_languages_without_spaces():
    counts = metrics.error_counts("我们今天开会。", "我们明天开会", language="zh")
    assert counts["unit"] == "char" and counts["reference_length"] == 6
    assert counts["error_rate"] == pytest.approx(1 / 6)


def test_der_known_case():
    reference = [("A", 0, 10), ("B", 10, 20)]
    hypothesis = [("x", 0, 12), ("y", 12, 20)]
    result = metrics.diarization_error(reference, hypothesis, duration=20)
    # no collar: 2 s of B credited to A's cluster -> 2/20
    assert result["collar_0"]["der"] == pytest.approx(0.1)
    # ±0.25 s collars at 0, 10, 20 remove 1 s of reference; confusion 10.25..12 = 1.75 s over 19 s
    assert result["collar_0.25"]["der"] == pytest.approx(1.75 / 19)
    assert result["collar_0"]["confusion"] == pytest.approx(2.0)


def test_wder_counts_words_given_the_wrong_speaker_whatever_their_times():
    reference = [("CSR", "could you share your email"), ("Customer", "sure my email is bunyamin at gmail dot com")]
    # The labels are the diarizer's own: S2 is read as the customer, S1 as the agent.
    right = [("S1", "could you share your email"), ("S2", "sure my email is bunyamin at gmail dot com")]
    assert metrics.word_diarization_error(reference, right) == {"words": 14, "wrong_speaker": 0, "wder": 0.0}
    # "sure" given to the agent; a substitution (benjamin) still counts, the inserted "oh" and the deleted
    # "dot" are WER's errors, not WDER's.
    slipped = [("S1", "could you share your email sure"), ("S2", "oh my email is benjamin at gmail com")]
    result = metrics.word_diarization_error(reference, slipped)
    assert result["words"] == 13 and result["wrong_speaker"] == 1
    assert result["wder"] == pytest.approx(1 / 13)
    assert metrics.word_diarization_error(reference, [])["wder"] is None
    pooled = metrics.pooled_word_diarization_error([result, {"words": 6, "wrong_speaker": 0, "wder": 0.0}])
    assert pooled["files"] == 2 and pooled["wder"] == pytest.approx(1 / 19)


def test_der_overlap_is_scored_and_missed_speech_counts():
    reference = [("A", 0, 10), ("B", 5, 10)]   # 5 s of overlap: 15 s of speaker time
    hypothesis = [("x", 0, 10)]
    result = metrics.diarization_error(reference, hypothesis, duration=10)
    assert result["collar_0"]["der"] == pytest.approx(5 / 15)
    assert result["collar_0"]["missed"] == pytest.approx(5.0)


def test_der_without_a_duration_scores_the_extent_of_both():
    reference = [("A", 0, 10), ("B", 10, 20)]
    hypothesis = [("x", 0, 12), ("y", 12, 20)]
    assert metrics.diarization_error(reference, hypothesis)["collar_0"] == \
        metrics.diarization_error(reference, hypothesis, duration=20)["collar_0"]


def test_der_without_reference_speakers_is_undefined_not_zero():
    result = metrics.diarization_error([], [("x", 1, 4)], duration=10)
    assert result["collar_0"]["der"] is None and result["collar_0"]["false_alarm"] == pytest.approx(3.0)
    empty_hyp = metrics.diarization_error([("A", 0, 4)], [], duration=10)
    assert empty_hyp["collar_0"]["der"] == pytest.approx(1.0)


def test_entity_scores_known_f1_and_values():
    expected = [EntityItem("MONEY", {"amount": 80000, "currency": "USD"}, start=10, end=12),
                EntityItem("EMAIL", "david.chen@acme.com", start=20, end=22),
                EntityItem("PHONE", "+14155550192", start=30, end=33)]
    predicted = [EntityItem("MONEY", {"amount": 8000, "currency": "USD"}, start=10.5, end=11.5, confidence=0.9),
                 EntityItem("EMAIL", "David.Chen@acme.com", start=20, end=21, confidence=0.8),
                 EntityItem("PERSON", "David", start=1, end=2, confidence=0.7)]
    scores = metrics.entity_scores([(expected, predicted)])
    micro = scores["micro"]
    # found: MONEY (wrong value, by time overlap) and EMAIL; PERSON is a false positive; PHONE missed
    assert (micro["tp"], micro["predicted"], micro["expected"]) == (2, 3, 3)
    assert micro["f1"] == pytest.approx(2 / 3)
    assert micro["value_accuracy"] == pytest.approx(0.5)
    assert scores["numeric"]["expected"] == 2 and scores["numeric"]["value_accuracy"] == 0.0
    assert scores["by_type"]["EMAIL"]["value_accuracy"] == 1.0
    assert sorted(ok for _, ok in scores["calibration_pairs"]) == [False, False, True]


def test_entity_scores_with_nothing_predicted_report_none_cleanly():
    scores = metrics.entity_scores([([EntityItem("PERSON", "Emily")], [])])
    assert scores["micro"]["recall"] == 0.0 and scores["micro"]["precision"] is None
    assert scores["micro"]["f1"] is None
    assert metrics.entity_scores([])["micro"]["expected"] == 0


def test_crm_scores_auto_precision_and_coverage():
    expected = [FieldItem("contact", "email", "david.chen@acme.com"), FieldItem("deal", "amount", 80000),
                FieldItem("deal", "leadscribe_competitors", ["Looker", "Tableau"]),
                FieldItem("deal", "leadscribe_next_step", "send a proposal by Friday")]
    proposed = [FieldItem("contact", "email", "David.Chen@Acme.com", 0.95, "auto"),
                FieldItem("deal", "amount", 8000.0, 0.9, "auto"),                       # silent error
                FieldItem("deal", "leadscribe_competitors", ["tableau", "looker"], 0.6, "review"),
                FieldItem("deal", "leadscribe_next_step", "demo next week", 0.5, "review"),  # presence only
                FieldItem("company", "name", "Acme", 0.4, "skip")]                      # skipped: not proposed
    scores = metrics.crm_scores([(expected, proposed)])["overall"]
    assert (scores["proposed"], scores["correct"], scores["expected"]) == (4, 3, 4)
    assert scores["precision"] == pytest.approx(0.75) and scores["recall"] == pytest.approx(0.75)
    assert scores["auto_precision"] == pytest.approx(0.5) and scores["auto_coverage"] == pytest.approx(0.25)


def test_calibration_ece_known_case():
    pairs = [(0.9, True), (0.9, True), (0.9, False), (0.1, False)]
    result = metrics.calibration(pairs, bins=10)
    # bin 0.8-0.9: conf 0.9, acc 2/3 -> weight 3/4; bin 0.0-0.1: conf 0.1, acc 0 -> weight 1/4
    assert result["ece"] == pytest.approx(0.75 * abs(2 / 3 - 0.9) + 0.25 * 0.1)
    assert metrics.calibration([])["ece"] is None


@pytest.mark.parametrize("text,value", [("eighty thousand dollars", 80000), ("a quarter million", 250000),
                                        ("one point two million euros", 1.2e6), ("fifty k", 50000),
                                        ("$329.3 million", 329.3e6), ("0.9%", 0.9), ("4.1 million", 4.1e6),
                                        ("2.45 billion", 2.45e9)])
def test_spoken_numbers(text, value):
    assert spoken_number(text) == pytest.approx(value)


def test_values_equal_rules():
    assert values_equal("+1 415 555 0192", "4155550192", "PHONE")
    assert values_equal(["Looker", "Tableau"], ["tableau", "looker"])
    assert values_equal(250, "250")
    assert not values_equal({"amount": 80000, "currency": "USD"}, {"amount": 80000, "currency": "EUR"})
    assert normalise_text("Hello, WORLD!") == "hello world"
