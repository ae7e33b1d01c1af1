"""The whole pipeline on the example call: real audio, real Whisper, real CRM fields."""
from pathlib import Path

import pytest

from leadscribe.config import Settings
from leadscribe.pipeline import enrich
from leadscribe.understand.vocabulary import load_vocabulary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def call():
    settings = Settings.load(vocabulary=load_vocabulary(EXAMPLES / "vocabulary.txt"))
    return enrich(EXAMPLES / "call.flac", settings, custom_metadata={"call_date": "2025-02-10"})


def test_example_call_becomes_crm_fields(call):
    assert call.status == "done", call.error
    fields = {f.field: f for f in call.crm.fields}
    assert fields["email"].value == "david.chen@acmelogistics.com"
    assert fields["phone"].value == "+14155550192"
    assert fields["amount"].value == 80000 and fields["deal_currency_code"].value == "USD"
    assert fields["leadscribe_seats"].value == 250
    assert "Looker" in fields["leadscribe_competitors"].value
    assert fields["closedate"].value == "2025-03-31"
    assert fields["name"].value == "Acme Logistics"
    assert fields["firstname"].value == "David"
    assert all(f.value not in ("Maya", "Northwind Analytics") for f in call.crm.fields)
    for stage in ("entities", "signals", "sentiment", "summary", "crm"):
        assert stage in call.metadata.timings
