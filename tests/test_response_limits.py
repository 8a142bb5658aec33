"""Every response fits Alexa's 24 KiB (echoed session attributes included) and every card
its 8,000 characters, whatever the client sent back or the person said."""

from __future__ import annotations

import json

import pytest
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard
from checks import MAX_CARD_CHARS, MAX_RESPONSE_BYTES, assert_valid_response
from cramp_coach.limits import fit_attributes, fit_card
from cramp_coach.slots import MAX_HEARD_CHARS
from envelopes import DAY, NIGHT, intent, plain, speech_of
from fuzzing import no_handler_failures
from lambda_function import lambda_handler


def answer(event: dict) -> dict:
    with no_handler_failures():
        response = lambda_handler(event, None)
    assert_valid_response(response)  # 24 KiB in all, cards within 8,000 characters
    return response


@pytest.mark.parametrize("size", [20_000, 30_000, 200_000])
def test_echoed_session_attributes_never_push_a_response_past_24_kib(size):
    attributes = {"asking": "easing", "x": "a" * size, "y": ["b" * 100] * 50}
    event = intent("CrampNowIntent", {"muscle": "calf"}, at=NIGHT, attributes=attributes, new=False)
    response = answer(event)
    assert len(json.dumps(response).encode()) <= MAX_RESPONSE_BYTES
    assert "x" not in response["sessionAttributes"]  # the biggest goes first
    assert response["sessionAttributes"]["episode"]["muscle"] == "calf"  # the skill's own stays
    assert plain(speech_of(response)).startswith("Straighten your leg")


def test_what_the_person_said_is_capped_before_it_reaches_a_card():
    said = "magnesium " * 2_000
    response = answer(intent("RemedyIntent", {"remedy": (said, None)}, at=DAY))
    card = response["response"]["card"]
    assert len(card["title"] + card["content"]) <= MAX_CARD_CHARS
    assert said[:MAX_HEARD_CHARS] in card["content"]
    assert said[: MAX_HEARD_CHARS + 1] not in card["content"]


def test_an_overlong_card_is_cut_to_fit():
    response = Response(card=SimpleCard(title="T" * 300, content="c" * 9_000))
    fit_card(response)
    assert len(response.card.title) + len(response.card.content) <= MAX_CARD_CHARS


def test_attributes_that_fit_are_left_alone():
    attributes = {"asking": "easing", "repeat": {"speech": "<speak/>"}}
    assert fit_attributes(Response(), attributes) == []
    assert attributes == {"asking": "easing", "repeat": {"speech": "<speak/>"}}
