"""The dev tools resolve words the way the model does, and the scripted night plays through."""

import pytest

from tools import demo
from tools.utterances import Resolver

RESOLVER = Resolver("en-US")


@pytest.mark.parametrize(
    "said, intent, slots",
    [
        (
            "Alexa, tell cramp coach my left calf is cramping",
            "CrampNowIntent",
            {"side": "left", "muscle": "calf"},
        ),
        ("charley horse", "CrampNowIntent", {"muscle": "calf"}),
        (
            "ask cramp coach about a cramp in my right hamstring",
            "CrampNowIntent",
            {"side": "right", "muscle": "hamstring"},
        ),
        ("still cramping", "StillCrampingIntent", {}),
        ("it stopped", "CrampEasedIntent", {}),
        ("yes", "AMAZON.YesIntent", {}),
        ("purple monkey dishwasher", "AMAZON.FallbackIntent", {}),
    ],
)
def test_typed_words_resolve_to_the_models_intent_and_slot_ids(said, intent, slots):
    resolved = RESOLVER.resolve(said)
    assert resolved.intent == intent
    assert {k: v[1] for k, v in resolved.slots.items()} == slots


def test_open_is_a_launch():
    assert RESOLVER.resolve("open cramp coach").kind == "launch"


def test_the_scripted_night_plays_every_turn_through_the_handler(memory):
    # moto in-process: the demo's history and tip rotation use DynamoDB, never AWS here
    lines = []
    demo.play(out=lines.append)
    text = "\n".join(lines)
    said = [words for session in demo.SCRIPT for _, words in session]
    for words in said:
        assert f"You: {words}" in text
    assert "Alexa: Straighten your leg, pull your toes toward you." in text
    assert "Alexa: Pull your toes up toward your ankle." in text
    assert "(CrampNowIntent side=right muscle=hamstring)" in text
    assert "Alexa: (silent)" not in text
    # the evening before: tonight's tip, a remedy and a medicine question (the guide)
    assert "Would you like tonight's prevention tip?" in text
    assert "(RemedyIntent remedy=pickle_juice)" in text
    assert "(MedicineIntent medicine=atorvastatin)" in text
