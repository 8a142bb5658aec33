"""Checks every Alexa response must pass, whatever the journey: shared by all suites."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
MAX_CARD_CHARS = 8000
MAX_BREAK_SECONDS = 10


def break_seconds(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group())
    return number / 1000 if value.endswith("ms") else number


def assert_valid_ssml(ssml: str) -> None:
    root = ET.fromstring(ssml)  # raises on invalid XML
    assert root.tag == "speak"
    assert len(ssml) <= MAX_SPEECH_CHARS
    for element in root.iter("break"):
        assert break_seconds(element.get("time", "0s")) <= MAX_BREAK_SECONDS


def assert_valid_response(response: dict) -> None:
    """A well-formed Alexa response within Alexa's limits."""
    assert response["version"] == "1.0"
    assert len(json.dumps(response).encode()) <= MAX_RESPONSE_BYTES
    body = response["response"]
    for key in ("outputSpeech", "reprompt"):
        speech = body.get(key, {})
        speech = speech.get("outputSpeech", speech) if key == "reprompt" else speech
        if speech:
            assert speech["type"] == "SSML"
            assert_valid_ssml(speech["ssml"])
    card = body.get("card")
    if card and card.get("type") == "Simple":
        assert len(card.get("title", "") + card.get("content", "")) <= MAX_CARD_CHARS
