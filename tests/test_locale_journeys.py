"""Every journey, in every market, in that market's own words: the same day and night a
person in the US has, played through the real lambda_handler with the locale's own model."""

from __future__ import annotations

import pytest
from checks import assert_valid_response
from cramp_coach.content import content_dir, content_for
from envelopes import Conversation, first_sentence, local_moment, plain, speech_of
from fake_alexa_api import FakeAlexaApi
from lambda_function import lambda_handler

from tools.utterances import Resolver

LOCALES = sorted(p.parent.name for p in content_dir().glob("*/locale.toml"))
EMERGENCY = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}


class Person:
    """Says words; the locale's model resolves them; lambda_handler answers."""

    def __init__(self, locale: str, hour: int, handler=lambda_handler, day="2026-11-26"):
        self.resolver = Resolver(locale)
        self.chat = Conversation(
            handler,
            at=local_moment(locale, hour, day),
            locale=locale,
            user=f"amzn1.ask.account.{locale}",
        )
        self.content = content_for(locale)

    def say(self, words: str, intent: str) -> dict:
        resolved = self.resolver.resolve(words)
        assert resolved.intent == intent or (resolved.kind == "launch" and intent == "launch"), (
            words,
            resolved,
        )
        if resolved.kind == "launch":
            response = self.chat.launch()
        else:
            response = self.chat.say(resolved.intent, **resolved.slots)
        assert_valid_response(response)
        assert plain(speech_of(response)) != self.content.phrase("fallback")
        return response


@pytest.mark.parametrize("locale", LOCALES)
def test_a_night_of_cramps_then_the_history_next_day(locale, memory):
    night = Person(locale, 3)
    opened = night.say("open cramp coach", "launch")
    calf = night.content.item("relief", "calf.flex").speech.format(leg="your leg")
    assert first_sentence(opened) == calf
    night.say("still cramping", "StillCrampingIntent")
    goodbye = night.say("it's better", "CrampEasedIntent")
    said = plain(speech_of(goodbye))
    assert EMERGENCY[locale] in said.replace(" ", "")  # the first-use notice, local number
    kept = night.say("yes", "AMAZON.YesIntent")
    assert kept["response"]["shouldEndSession"] is True

    day = Person(locale, 12, day="2026-11-26")
    answer = day.say("ask cramp coach how many cramps this week", "CrampCountIntent")
    assert "1 cramp" in plain(speech_of(answer)) or "one cramp" in plain(speech_of(answer))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_guide_and_red_flags_answer_in_the_markets_words(locale, memory):
    person = Person(locale, 12)
    person.say("ask cramp coach for a tip", "TipIntent")
    remedy = person.say("ask cramp coach does pickle juice work", "RemedyIntent")
    assert "pickle" in plain(speech_of(remedy)).lower()
    medicine = person.say("ask cramp coach can lipitor cause cramps", "MedicineIntent")
    assert "don't stop" in plain(speech_of(medicine)).lower()
    emergency = Person(locale, 3).say("tell cramp coach I have chest pain", "SymptomIntent")
    assert plain(first_sentence(emergency)).replace(" ", "") == f"Call{EMERGENCY[locale]}now."
    card = content_for(locale).item("faqs", "painkillers").card
    expected = "acetaminophen" if locale in ("en-US", "en-CA") else "paracetamol"
    assert expected in card


@pytest.mark.parametrize("locale", LOCALES)
def test_a_bedtime_reminder_in_the_markets_own_time_zone(locale, memory):
    with FakeAlexaApi(time_zone=content_for(locale).fact("default_time_zone")) as api:
        person = Person(locale, 21, handler=api.serving(lambda_handler))
        person.say(
            "ask cramp coach to remind me to stretch every night at ten", "SetReminderIntent"
        )
        done = person.say("yes", "AMAZON.YesIntent")
        assert "10 PM" in plain(speech_of(done))
        assert any(call.startswith("POST /v1/alerts/reminders") for call in api.log)
