"""DynamoDB calls per request type (the numbers in the README's "Your data" section)."""

import pytest

from tools import dynamo_calls

EXPECTED = {
    "cramp now (first turn of an episode)": {},  # counted when the episode is over
    "still cramping (same episode)": {},
    # the episode's one write; the first-use notice: GetItem for its flag, UpdateItem the
    # first time it is said
    "it's better, consent yes (goodbye + logged card)": {
        "TransactWriteItems": 1,
        "Query": 1,
        "GetItem": 1,
        "UpdateItem": 1,
    },
    "it's better, consent never asked (asks)": {
        "TransactWriteItems": 1,
        "GetItem": 1,
        "UpdateItem": 2,  # the consent-guarded flag is refused; then the short-lived flag
    },
    "yes to the consent question": {"TransactWriteItems": 1},
    "no to the consent question": {"UpdateItem": 1},
    "log a cramp": {"TransactWriteItems": 1, "Query": 1},
    "how many cramps this week": {"Query": 1},
    "when was my last cramp": {"Query": 1},
    "which leg cramps most": {"Query": 1},
    "am I getting better": {"Query": 1},
    "show my cramp history": {"Query": 1},
    "summary for my doctor": {"Query": 1},
    "delete my history (the question)": {},
    "yes, delete (profile + 1 cramp)": {"DeleteItem": 1, "Query": 1, "BatchWriteItem": 1},
    "open at night (launch)": {},
    "stop mid-cramp (the episode is counted)": {"TransactWriteItems": 1},
    "silence after a cramp answer (session ended)": {"TransactWriteItems": 1},
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_dynamodb_calls_per_request_type(name, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.setenv("USER_HASH_SALT", "calls")
    assert dynamo_calls.measure(name) == EXPECTED[name]


def test_the_cramp_answers_touch_no_storage(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    assert dynamo_calls.measure("cramp now (first turn of an episode)") == {}
    assert dynamo_calls.measure("still cramping (same episode)") == {}
