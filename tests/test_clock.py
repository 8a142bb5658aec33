"""Night mode follows the device's time zone; the Settings API never holds up an answer."""

import gc
import socket
import time

import pytest
from cramp_coach import clock
from cramp_coach.content import content_for
from envelopes import DAY, NIGHT, Conversation, first_sentence, intent, launch, plain, speech_of
from fake_alexa_api import FakeAlexaApi
from lambda_function import lambda_handler

DEADLINE = 0.1  # the bound for a failing or hanging time-zone look-up


@pytest.fixture
def settings_api():
    """The Alexa Settings API on loopback (the fake the bedtime tests use too); it refuses a
    request without the envelope's bearer token."""
    with FakeAlexaApi(time_zone="America/Los_Angeles", token="test-token") as api:
        yield api


def zone_lookups(api) -> list[str]:
    return [call for call in api.log if call.endswith("/settings/System.timeZone")]


@pytest.fixture
def silent_api():
    """Accepts connections and never answers: a hung Alexa API."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def event_at(endpoint, at, name="LaunchRequest", device="amzn1.ask.device.TZ"):
    event = launch(at=at) if name == "LaunchRequest" else intent(name, at=at)
    event["context"]["System"]["apiEndpoint"] = getattr(endpoint, "url", endpoint)
    event["context"]["System"]["device"]["deviceId"] = device
    return event


def test_the_device_time_zone_decides_night(settings_api):
    # 05:00 UTC is midnight in New York but 21:00 in Los Angeles: not night there.
    at = "2026-11-26T05:00:00Z"
    response = lambda_handler(event_at(settings_api, at), None)
    assert "<prosody" not in speech_of(response)
    assert zone_lookups(settings_api) == [
        "GET /v2/devices/amzn1.ask.device.TZ/settings/System.timeZone"
    ]


def test_a_cached_time_zone_makes_no_second_call(settings_api):
    lambda_handler(event_at(settings_api, NIGHT), None)
    lambda_handler(event_at(settings_api, DAY), None)
    assert len(zone_lookups(settings_api)) == 1


def test_a_fresh_skill_has_learned_no_time_zone(settings_api):
    """The cache belongs to the skill, not the module: a new container asks again."""
    import json

    from ask_sdk_core.serialize import DefaultSerializer
    from cramp_coach.skill import build_skill

    def envelope():
        return DefaultSerializer().deserialize(
            json.dumps(event_at(settings_api, NIGHT)), "ask_sdk_model.RequestEnvelope"
        )

    warm = build_skill()
    warm.invoke(envelope(), None)
    warm.invoke(envelope(), None)
    assert len(zone_lookups(settings_api)) == 1
    build_skill().invoke(envelope(), None)
    assert len(zone_lookups(settings_api)) == 2


def test_the_time_zone_is_kept_in_the_session(settings_api):
    chat = Conversation(lambda_handler)
    first = event_at(settings_api, NIGHT)
    chat._send(first)
    assert chat.attributes["tz"] == "America/Los_Angeles"


@pytest.mark.parametrize("endpoint_kind", ["hung", "refused"])
def test_a_failing_time_zone_lookup_costs_under_100ms_and_the_stretch_is_said(
    endpoint_kind, silent_api, monkeypatch
):
    """What the look-up itself costs, timed around the capped call (not the whole request,
    whose other work is the bench's business); the garbage collector is held off so a
    collection of earlier tests' garbage is not charged to it."""
    endpoint = silent_api if endpoint_kind == "hung" else "http://127.0.0.1:9"
    costs = []
    capped = clock.within

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return capped(*args, **kwargs)
        finally:
            costs.append(time.perf_counter() - started)

    monkeypatch.setattr(clock, "within", timed)
    gc.disable()
    try:
        response = lambda_handler(event_at(endpoint, NIGHT), None)
    finally:
        gc.enable()
    assert len(costs) == 1 and costs[0] < DEADLINE
    calf = content_for("en-US").item("relief", "calf.flex").speech.format(leg="your leg")
    assert first_sentence(response) == calf
    assert '<prosody volume="soft"' in speech_of(response)  # New York default: 03:00


def test_a_cramp_answer_never_waits_for_the_settings_api(settings_api):
    # 05:00 UTC: 21:00 in Los Angeles, midnight in New York (the en-US default zone).
    response = lambda_handler(
        event_at(settings_api, "2026-11-26T05:00:00Z", "CrampNowIntent"), None
    )
    assert zone_lookups(settings_api) == []
    assert first_sentence(response).startswith("Straighten your leg")
    assert '<prosody volume="soft"' in speech_of(response)  # unknown zone: the locale's own


def test_a_zone_learned_earlier_is_used_by_the_cramp_answer(settings_api):
    lambda_handler(event_at(settings_api, DAY), None)  # a launch learns Los Angeles
    response = lambda_handler(
        event_at(settings_api, "2026-11-26T05:00:00Z", "CrampNowIntent"), None
    )
    assert len(zone_lookups(settings_api)) == 1
    assert "<prosody" not in speech_of(response)  # 21:00 there: the day voice
    assert "thirty seconds" in plain(speech_of(response))
