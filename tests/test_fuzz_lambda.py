"""Property-based fuzzing of lambda_handler: whatever arrives, the user hears a valid answer.

Every input gives a well-formed Alexa response within Alexa's limits (or the unreadable-request
reply), never an exception out of lambda_handler, and never a handler crash hidden behind the
skill's last-resort exception handler. Run longer with `make fuzz`.
"""

from __future__ import annotations

import itertools
import json
from xml.sax.saxutils import unescape

import pytest
from checks import assert_valid_response
from cramp_coach import triage
from cramp_coach.content import content_for
from envelopes import DAY, NIGHT, first_sentence, intent, launch, plain, speech_of
from fake_alexa_api import FakeAlexaApi, permission_answer, point_at
from fuzzing import (
    any_event,
    api_replies,
    envelopes,
    episode_value,
    fuzz_settings,
    no_handler_failures,
    repeat_value,
    session_attributes,
    tally,
)
from hypothesis import given
from hypothesis import strategies as st
from lambda_function import lambda_handler

CONTENT = content_for("en-US")
UNREADABLE = content_for(None).phrase("unreadable_request")
LEGS = CONTENT.table("legs")
CALF_STRETCH = CONTENT.item("relief", "calf.flex").speech.format(leg=LEGS["none"])
# What a cramp turn may open with: a relief instruction, the ten-minute red flag, or the honest
# "let's start again" when the stretches ran out sooner.
CRAMP_OPENINGS = {
    item.speech.format(leg=leg) for item in CONTENT.items("relief") for leg in LEGS.values()
} | {
    triage.action(CONTENT, CONTENT.item("red_flags", "cramp_over_10_minutes")),
    CONTENT.item("episode", "stretches_again").speech,
}


def answer(event) -> dict:
    """The skill's reply, failing the test if any handler crashed on the way."""
    with no_handler_failures():
        response = lambda_handler(event, None)
    assert_valid_response(response)
    json.dumps(response)  # what Lambda does with it: must serialise
    unreadable = UNREADABLE in response["response"].get("outputSpeech", {}).get("ssml", "")
    tally("unreadable-request reply" if unreadable else "answered by a handler")
    return response


@pytest.mark.fuzz
@fuzz_settings()
@given(any_event)
def test_any_event_gets_a_valid_response(event):
    answer(event)


@pytest.mark.fuzz
@fuzz_settings()
@given(envelopes())
def test_any_envelope_gets_a_valid_response(event):
    answer(event)


@pytest.mark.fuzz
@fuzz_settings()
@given(st.sampled_from(["CrampNowIntent", "StillCrampingIntent"]), session_attributes)
def test_cramp_turns_with_corrupted_session_still_open_with_what_to_do(name, attributes):
    """A cramping user whose session came back corrupted still hears what to do, first."""
    response = answer(intent(name, at=NIGHT, attributes=attributes, new=False))
    assert unescape(first_sentence(response)) in CRAMP_OPENINGS


@pytest.mark.fuzz
@fuzz_settings()
@given(st.sampled_from(["AMAZON.NoIntent", "AMAZON.YesIntent"]), session_attributes)
def test_yes_and_no_with_corrupted_session_get_a_valid_answer(name, attributes):
    response = answer(intent(name, at=NIGHT, attributes=attributes, new=False))
    assert plain(speech_of(response))


@pytest.mark.fuzz
@fuzz_settings()
@given(st.one_of(repeat_value, st.none()), st.one_of(episode_value, st.none()))
def test_repeat_with_corrupted_memory_says_something_valid(repeat, episode):
    attributes = {k: v for k, v in {"repeat": repeat, "episode": episode}.items() if v is not None}
    response = answer(intent("AMAZON.RepeatIntent", attributes=attributes, new=False))
    assert plain(speech_of(response))


# Turns that call the Reminders API or the Settings API, and what those APIs answer.
API_TURNS = {
    "list reminders": lambda: intent("ListRemindersIntent", at=DAY),
    "cancel reminder": lambda: intent("CancelReminderIntent", at=DAY),
    "yes, set it": lambda: intent(
        "AMAZON.YesIntent",
        at=DAY,
        attributes={"asking": "bedtime_set", "bedtime": {"action": "set", "time": "22:00"}},
        new=False,
    ),
    "yes, change it": lambda: intent(
        "AMAZON.YesIntent",
        at=DAY,
        attributes={"asking": "bedtime_set", "bedtime": {"action": "change", "time": "21:30"}},
        new=False,
    ),
    "yes, remove it": lambda: intent(
        "AMAZON.YesIntent",
        at=DAY,
        attributes={"asking": "bedtime_cancel", "bedtime": {"action": "cancel", "token": "t1"}},
        new=False,
    ),
    "permission granted, list": lambda: permission_answer(
        launch(at=DAY), "ACCEPTED", token="bedtime|list|"
    ),
    "permission granted, cancel": lambda: permission_answer(
        launch(at=DAY), "ACCEPTED", token="bedtime|cancel|"
    ),
    "launch (time zone)": lambda: launch(at=DAY),
    "log a cramp (time zone)": lambda: intent("LogCrampIntent", at=DAY),
}


@pytest.fixture(scope="module")
def alexa_api():
    with FakeAlexaApi() as api:
        yield api


NEW_DEVICES = itertools.count()


@pytest.mark.fuzz
@fuzz_settings()
@given(st.sampled_from(sorted(API_TURNS)), api_replies)
def test_whatever_the_alexa_apis_answer_no_handler_crashes(alexa_api, name, reply):
    """The Reminders and Settings APIs are not trusted either: any status, any body. Each
    example comes from a device the skill has not met, so it asks for the time zone again."""
    alexa_api.canned = reply
    # Each example in a new container: no time zone learnt from an earlier example's answer.
    try:
        device = f"amzn1.ask.device.FUZZ{next(NEW_DEVICES)}"
        response = answer(point_at(API_TURNS[name](), alexa_api, device_id=device))
    finally:
        alexa_api.canned = None
    assert plain(speech_of(response))


def _listing(*alerts) -> bytes:
    return json.dumps({"totalCount": str(len(alerts)), "alerts": list(alerts)}).encode()


def _rule(rule) -> dict:
    return {
        "alertToken": "t1",
        "status": "ON",
        "trigger": {"recurrence": {"recurrenceRules": [rule]}},
    }


FOUND_IN_API_ANSWERS = {
    "created without a token": ("yes, set it", (200, b"")),
    "created with a token that is not text": ("yes, set it", (200, b'{"alertToken": 5}')),
    "a rule with BYHOUR=xx": ("list reminders", (200, _listing(_rule("FREQ=DAILY;BYHOUR=xx")))),
    "a rule with BYHOUR=25": ("cancel reminder", (200, _listing(_rule("BYHOUR=25;BYMINUTE=0")))),
    "a rule that is not text": ("list reminders", (200, _listing(_rule(22)))),
    "a trigger that is not an object": (
        "list reminders",
        (200, _listing({"alertToken": "t1", "status": "ON", "trigger": "x"})),
    ),
    "alerts that are not a list": ("list reminders", (200, b'{"alerts": "AAAA"}')),
    "a time zone that is an object": ("yes, set it", (200, b'{"alerts": "' + b"A" * 300 + b'"}')),
    "a time zone too long for a file name": ("launch (time zone)", (200, b'"' + b"a" * 300 + b'"')),
    "a token with a lone surrogate": (
        "cancel reminder",
        (200, _listing({"alertToken": "\ud800", "status": "ON"})),
    ),
}


@pytest.mark.parametrize("case", FOUND_IN_API_ANSWERS.values(), ids=FOUND_IN_API_ANSWERS.keys())
def test_api_answers_fuzzing_found_stay_fixed(alexa_api, case):
    turn, reply = case
    alexa_api.canned = reply
    try:
        assert plain(speech_of(answer(point_at(API_TURNS[turn](), alexa_api))))
    finally:
        alexa_api.canned = None


# --- the defects fuzzing found, kept as plain regression cases ---------------------


def _no_session(event: dict) -> dict:
    event.pop("session")
    return event


def _without(event: dict, *path: str) -> dict:
    node = event
    for key in path[:-1]:
        node = node[key]
    node.pop(path[-1])
    return event


def _with(event: dict, value, *path: str) -> dict:
    node = event
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return event


def _resolved(event: dict, name: str, values: list) -> dict:
    """The slot `name`, heard and matched, with entity resolution's `values` as given."""
    event["request"]["intent"]["slots"][name] = {
        "name": name,
        "value": "calf",
        "confirmationStatus": "NONE",
        "resolutions": {
            "resolutionsPerAuthority": [
                {"authority": "a", "status": {"code": "ER_SUCCESS_MATCH"}, "values": values}
            ]
        },
    }
    return event


CORRUPT = {"asking": "easing", "episode": "x"}
FOUND_BY_FUZZING = {
    "episode not a dict": intent("AMAZON.NoIntent", attributes=CORRUPT),
    "episode without muscle": intent(
        "StillCrampingIntent", attributes={"episode": {"started": NIGHT}, "asking": "easing"}
    ),
    "episode with a naive start time": intent(
        "StillCrampingIntent",
        attributes={
            "asking": "easing",
            "episode": {"muscle": "calf", "started": "2026-11-26T08:00:00", "id": "r", "used": []},
        },
    ),
    "repeat not a dict": intent("AMAZON.RepeatIntent", attributes={"repeat": "x"}),
    "tz not a string": intent("CrampNowIntent", attributes={"tz": 5}),
    "tz too long for a path": intent("CrampNowIntent", attributes={"tz": "a" * 300}),
    "slot id the content does not know": intent(
        "CrampNowIntent", {"muscle": ("elbow", "elbow"), "side": ("middle", "middle")}
    ),
    "launch without a session": _no_session(launch()),
    "timestamp year 1": launch(at="0001-01-01T00:00:00Z"),
    "timestamp year 9999 in a zone behind UTC": launch(at="9999-12-31T23:59:59-05:00"),
    "device id with a lone surrogate": _with(
        launch(), "\udfff", "context", "System", "device", "deviceId"
    ),
    "device id with a lone surrogate answers 'Shall I set it?'": _with(
        intent(
            "AMAZON.YesIntent",
            attributes={"asking": "bedtime_set", "bedtime": {"action": "set", "time": "22:00"}},
            new=False,
        ),
        "\udfff",
        "context",
        "System",
        "device",
        "deviceId",
    ),
    "no context.System": _without(launch(), "context", "System"),
    "IntentRequest without an intent": _without(intent("CrampNowIntent"), "request", "intent"),
    "pending cramp without its time": intent(
        "AMAZON.YesIntent", attributes={"asking": "consent", "pending_cramp": {"muscle": "calf"}}
    ),
    "guide walk not a dict": intent("PregnancyIntent", attributes={"guide_walk": ["x"]}),
    "guide walk with no topic, asked for more": intent(
        "AMAZON.YesIntent", attributes={"asking": "guide_more", "guide_walk": {"said": []}}
    ),
    "cramp record not a dict": intent("CrampNowIntent", attributes={"cramp_record": "x"}),
    "eased with a half episode and a record": intent(
        "CrampEasedIntent",
        attributes={"episode": {"muscle": "calf"}, "cramp_record": ["x"], "asking": "easing"},
    ),
    "user id with a lone surrogate asks for history": intent("CrampCountIntent", user="\ud800x"),
    "recorded episodes not a list": intent(
        "CrampEasedIntent",
        attributes={
            "asking": "easing",
            "episodes_recorded": "x",
            "episode": {"muscle": "calf", "started": NIGHT, "id": "r", "used": []},
        },
    ),
    "muscle resolved to an empty value": _resolved(intent("CrampNowIntent"), "muscle", [{}]),
    "muscle resolved to null": _resolved(intent("CrampNowIntent"), "muscle", [None]),
    "side resolved to a value without an id": _resolved(
        intent("StillCrampingIntent", attributes={"asking": "easing"}), "side", [{"value": {}}]
    ),
    "log a cramp on 0001-01-01": intent("LogCrampIntent", {"date": ("0001-01-01", None)}),
    "log a cramp on 0999-12-31": intent("LogCrampIntent", {"date": ("0999-12-31", None)}),
    "log a cramp on 9999-12-31 at 23:59": intent(
        "LogCrampIntent", {"date": ("9999-12-31", None), "time": ("23:59", None)}
    ),
    "log a cramp with a lone surrogate for a muscle": intent(
        "LogCrampIntent", {"muscle": ("\ud800", "\ud800"), "side": ("\udfff", "\udfff")}
    ),
    "pending cramp with numbers past DynamoDB's range": intent(
        "AMAZON.YesIntent",
        attributes={
            "asking": "consent",
            "pending_cramp": {
                "at": NIGHT,
                "night": "2026-11-25",
                "muscle": 1e300,
                "side": 10**40,
                "source": "logged",
                "id": "r",
                "time_known": 1e-300,
                "local_time": -(10**39),
            },
        },
    ),
    "bedtime time not a string": intent(
        "AMAZON.YesIntent", attributes={"asking": "bedtime_set", "bedtime": {"time": 2200}}
    ),
    "bedtime on a device id with a lone surrogate": _with(
        intent(
            "AMAZON.YesIntent", attributes={"asking": "bedtime_set", "bedtime": {"time": "22:00"}}
        ),
        "\udfff",
        "context",
        "System",
        "device",
        "deviceId",
    ),
    "bedtime state not a dict": intent(
        "AMAZON.YesIntent", attributes={"asking": "bedtime_set", "bedtime": ["x"]}
    ),
}


@pytest.mark.parametrize("event", FOUND_BY_FUZZING.values(), ids=FOUND_BY_FUZZING.keys())
def test_defects_found_by_fuzzing_stay_fixed(event):
    answer(event)


@pytest.mark.parametrize("name", ["episode not a dict", "episode without muscle"])
def test_a_corrupted_episode_still_gets_the_stretch_first(name):
    response = answer(FOUND_BY_FUZZING[name])
    assert unescape(first_sentence(response)) == CALF_STRETCH


def test_repeat_does_not_replay_ssml_the_skill_did_not_write():
    forged = {
        "speech": "<speak><audio src='https://x.example/a.mp3'/></speak>",
        "reprompt": "<speak/>",
    }
    response = answer(intent("AMAZON.RepeatIntent", attributes={"repeat": forged}, new=False))
    assert "audio" not in speech_of(response)
    assert plain(speech_of(response)) == CONTENT.phrase("nothing_to_repeat")


def test_odd_locales_never_reach_the_file_system_nor_grow_the_content_cache():
    from cramp_coach import content

    content_for("en-US")
    before = content._load.cache_info().currsize
    for odd in ["../en-US", "en-US\x00", "en-US/../en-US", "xx-YY", "EN-us", "\ud800", "a" * 999]:
        assert content_for(odd).locale == "en-US"
    assert content._load.cache_info().currsize == before


def test_a_configured_skill_id_and_no_application_gets_the_unreadable_reply(skill):
    skill.skill_id = "amzn1.ask.skill.cramp-coach-test"
    event = _without(launch(), "context", "System", "application")
    assert plain(speech_of(answer(event))) == UNREADABLE
