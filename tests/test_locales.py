"""Every English-speaking market gets the same journeys with its own numbers and words."""

from pathlib import Path

import pytest
from checks import assert_valid_response
from cramp_coach.content import DEFAULT_LOCALE, content_dir, content_for
from envelopes import Conversation, first_sentence, local_moment, speech_of
from lambda_function import lambda_handler

from tools.utterances import Resolver

LOCALES = sorted(p.parent.name for p in content_dir().glob("*/locale.toml"))
EMERGENCY = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}
MODELS = Path(__file__).resolve().parents[1] / "interaction_model"


def test_every_market_is_supported_in_content_and_model():
    assert set(LOCALES) == set(EMERGENCY)
    assert {p.stem for p in MODELS.glob("*-*.json")} == set(EMERGENCY)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_locale_misses_an_item_phrase_or_fact(locale):
    base, local = content_for(DEFAULT_LOCALE), content_for(locale)
    assert local.locale == locale
    for topic in base.topics():
        assert {i.id for i in local.items(topic)} >= {i.id for i in base.items(topic)}
    for table in ("phrases", "muscles", "legs"):
        assert set(local.table(table)) >= set(base.table(table))
    for fact in ("emergency_number", "urgent_care", "default_time_zone"):
        assert local.fact(fact)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_emergency_number_is_the_markets_own(locale):
    assert content_for(locale).fact("emergency_number") == EMERGENCY[locale]


@pytest.mark.parametrize("locale", LOCALES)
def test_a_night_cramp_gets_the_stretch_first_and_the_local_number_on_the_card(locale):
    chat = Conversation(lambda_handler, at=local_moment(locale, 3), locale=locale)
    response = chat.say("CrampNowIntent", muscle="calf")
    assert_valid_response(response)
    expected = content_for(locale).item("relief", "calf.flex").speech.format(leg="your leg")
    assert first_sentence(response) == expected
    assert '<prosody volume="soft"' in speech_of(response)  # 03:00 in the market's own zone
    assert f"call {EMERGENCY[locale]}" in response["response"]["card"]["content"]
    assert chat.say("StillCrampingIntent")["response"]["shouldEndSession"] is False


@pytest.mark.parametrize("locale", LOCALES)
def test_midday_is_day_in_the_markets_own_zone(locale):
    response = Conversation(lambda_handler, at=local_moment(locale, 12), locale=locale).launch()
    assert "<prosody" not in speech_of(response)


def test_an_unsupported_locale_falls_back_to_us_english():
    response = Conversation(lambda_handler, locale="fr-FR").say("CrampNowIntent", muscle="foot")
    assert_valid_response(response)
    assert first_sentence(response) == content_for("en-US").item("relief", "foot.toes_up").speech


@pytest.mark.parametrize(
    "locale, said",
    [
        ("en-GB", "cramp in me calf"),
        ("en-AU", "I've got cramp in my left calf"),
        ("en-IN", "my calf is paining"),
    ],
)
def test_local_ways_of_saying_it_reach_the_cramp_journey(locale, said):
    resolved = Resolver(locale).resolve(said)
    assert resolved.intent == "CrampNowIntent"
    assert resolved.slots["muscle"][1] == "calf"
