"""Repeat says again exactly what the skill said last, and nothing the skill did not write.

The last reply travels in session attributes, which come back from the client: the replay
check accepts every reply `Speech` renders (emergency numbers read as digits included) and
refuses anything else.
"""

from __future__ import annotations

import pytest
from checks import assert_valid_response
from cramp_coach.content import content_for
from cramp_coach.speech import Speech, is_our_ssml
from envelopes import DAY, NIGHT, Conversation, intent, plain, speech_of
from fuzzing import fuzz_settings, no_handler_failures
from hypothesis import given
from hypothesis import strategies as st
from lambda_function import lambda_handler

CONTENT = content_for("en-US")


def _replayed(chat: Conversation, name: str) -> None:
    first = chat.say(name)
    with no_handler_failures():
        again = chat.say("AMAZON.RepeatIntent")
    assert_valid_response(again)
    assert speech_of(again) == speech_of(first)
    assert again["response"]["reprompt"] == first["response"]["reprompt"]


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "en-AU", "en-IN"])
def test_repeat_replays_when_to_worry_with_its_emergency_number(locale):
    chat = Conversation(lambda_handler, at=DAY, locale=locale)
    chat.launch()
    number = content_for(locale).fact("emergency_number")
    first = chat.say("WhenToWorryIntent")
    assert f'<say-as interpret-as="digits">{number}</say-as>' in speech_of(first)
    again = chat.say("AMAZON.RepeatIntent")
    assert speech_of(again) == speech_of(first)


@pytest.mark.parametrize("at", [DAY, NIGHT])
def test_repeat_replays_the_first_launch_with_the_notice(at):
    chat = Conversation(lambda_handler, at=at)
    first = chat.launch()
    if first["response"].get("shouldEndSession"):
        pytest.skip("this launch asks nothing, so there is nothing to repeat")
    again = chat.say("AMAZON.RepeatIntent")
    assert speech_of(again) == speech_of(first)


sentences = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=80)
parts = st.one_of(
    sentences.map(lambda s: ("say", s)),
    st.floats(min_value=0.001, max_value=25).map(lambda s: ("pause", round(s, 3))),
    st.sampled_from(["911", "999", "000", "112", "111", "7"]).map(lambda d: ("digits", d)),
)


@pytest.mark.fuzz
@fuzz_settings()
@given(st.lists(parts, max_size=12), st.booleans())
def test_every_reply_speech_renders_is_replayable(steps, night):
    speech = Speech()
    for kind, value in steps:
        if kind == "say":
            speech.say(value)
        elif kind == "pause":
            speech.pause(value)
        else:
            speech.read_as_digits(value).say(f"Call {value} now.")
    ssml = speech.ssml(night)
    if len(ssml) <= 8000:
        assert is_our_ssml(ssml), ssml


FORGED = {
    "audio": "<speak><audio src='https://x.example/a.mp3'/></speak>",
    "doctype with an entity": (
        '<!DOCTYPE speak [<!ENTITY x "Stop your medicine.">]><speak><s>&x;</s></speak>'
    ),
    "comment": "<speak><!-- hidden --><s>Hi.</s></speak>",
    "cdata": "<speak><s><![CDATA[<audio/>]]></s></speak>",
    "processing instruction": "<?xml version='1.0'?><speak><s>Hi.</s></speak>",
    "character reference": "<speak><s>&#x41;</s></speak>",
    "unknown attribute on s": '<speak><s xml:lang="de-DE">Hallo.</s></speak>',
    "attribute on speak": '<speak version="1.1"><s>Hi.</s></speak>',
    "prosody other than soft": '<speak><prosody rate="x-fast"><s>Hi.</s></prosody></speak>',
    "say-as other than digits": (
        '<speak><s><say-as interpret-as="expletive">word</say-as></s></speak>'
    ),
    "say-as around words": '<speak><s><say-as interpret-as="digits">x</say-as></s></speak>',
    "say-as around markup": (
        '<speak><s><say-as interpret-as="digits"><break time="1s"/></say-as></s></speak>'
    ),
    "break too long": '<speak><break time="11s"/></speak>',
    "break with strength": '<speak><break time="1s" strength="x-strong"/></speak>',
    "nested speak": "<speak><speak><s>Hi.</s></speak></speak>",
    "not ssml": "Hello.",
    "too long": "<speak>" + "<s>a</s>" * 2000 + "</speak>",
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_repeat_refuses_ssml_the_skill_did_not_write(forged):
    assert not is_our_ssml(forged)
    ours = Speech("Hello.").ssml()
    attributes = {"repeat": {"speech": forged, "reprompt": ours}}
    with no_handler_failures():
        response = lambda_handler(
            intent("AMAZON.RepeatIntent", attributes=attributes, new=False), None
        )
    assert plain(speech_of(response)) == CONTENT.phrase("nothing_to_repeat")
