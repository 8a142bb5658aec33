"""The store soak in the suite: 10,000 cramps for one user (moto in-process); `make soak`
runs the same against moto's HTTP server and prints the figures.

History answers must stay bounded (calls and items read per answer, no Scan) and correct
(the spoken counts match the seeded cramps), and fast.
"""

import re

import pytest
from cramp_coach import nights, store
from envelopes import intent, speech_of
from lambda_function import lambda_handler

from tools import soak

# 10,000 cramps in moto: about two minutes. `make test-all` runs it.
pytestmark = pytest.mark.soak


def test_ten_thousand_cramps_history_answers_stay_bounded_and_correct(table):
    results, problems = soak.soak(10_000, repeat=1)
    print(soak.report(results, 10_000, 0))
    assert problems == []
    for label, measured in results.items():
        assert measured.calls.get("Query", 0) >= 1, label  # it really read the store


def test_a_dense_history_still_counts_the_latest_week_right(table):
    """6,000 cramps in the last 60 nights: more than one answer reads (MAX_EVENTS). The week
    and last night must still be right: a bound must drop the oldest cramps, not the newest."""
    cramps = soak.soak_cramps(6_000, spread_nights=2 * nights.MONTH)
    soak.seed(soak.USER, cramps)
    expected = soak.expected_numbers(cramps)
    assert len(cramps) > store.MAX_EVENTS
    with soak.patient_reads():
        check_latest_counts(expected)


def check_latest_counts(expected):
    said = speech_of(
        lambda_handler(
            intent("CrampCountIntent", {"period": "week"}, at=soak.AT, user=soak.USER), None
        )
    )
    assert re.search(rf"\b{expected['how many this week']}\b", said), said
    said = speech_of(
        lambda_handler(
            intent("CrampCountIntent", {"period": "last_night"}, at=soak.AT, user=soak.USER), None
        )
    )
    assert re.search(rf"\b{expected['how many last night']}\b", said), said
