"""Values from Alexa and the Alexa APIs are parsed at the edge into typed values: anything
that does not parse is treated as not said, or refused in words, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from cramp_coach import reminders
from cramp_coach.content import content_for
from cramp_coach.slots import aware_moment, calendar_day, names_a_day
from dynamo import all_items
from envelopes import DAY, Conversation, intent, plain, speech_of
from fuzzing import no_handler_failures
from lambda_function import lambda_handler

CONTENT = content_for("en-US")


@pytest.mark.parametrize("day", ["0001-01-01", "0999-12-31", "1999-12-31", "9999-12-31"])
def test_logging_a_cramp_on_a_day_no_cramp_was_on_is_refused_in_words(table, day):
    chat = Conversation(lambda_handler, at=DAY)
    chat.launch()
    chat.say("KeepCountIntent")
    chat.say("AMAZON.YesIntent")
    before = [i for i in all_items() if i["sk"]["S"].startswith("CRAMP#")]
    with no_handler_failures():
        reply = chat.say("LogCrampIntent", date=(day, None))
    assert plain(speech_of(reply)) == CONTENT.phrase("log_date_unusable", table="history")
    after = [i for i in all_items() if i["sk"]["S"].startswith("CRAMP#")]
    assert after == before


def test_calendar_days_are_one_plausible_day_or_none():
    assert calendar_day("2026-11-25") == dt.date(2026, 11, 25)
    for value in ["0001-01-01", "0999-12-31", "2026-02-30", "2026-W48", "XXXX-11-25", None, 5]:
        assert calendar_day(value) is None
    assert names_a_day("0001-01-01") and not names_a_day("PRESENT_REF")
    assert aware_moment("2026-11-26T08:00:00+00:00") is not None
    for value in ["0001-01-01T00:00:00+14:00", "2026-11-26T08:00:00", 5, None, "x"]:
        assert aware_moment(value) is None


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;BYHOUR=xx", "BYHOUR=25", "BYHOUR=22;BYMINUTE=61", "BYHOUR=\u0663", "BYHOUR="],
)
def test_a_listed_reminder_with_an_unreadable_rule_has_no_time(rule):
    listed = {"trigger": {"recurrence": {"recurrenceRules": [rule]}}}
    assert reminders.time_of(listed) is None


@pytest.mark.parametrize(
    "listed",
    [
        {"trigger": "x"},
        {"trigger": {"recurrence": "x"}},
        {"trigger": {"recurrence": {"recurrenceRules": "FREQ=DAILY;BYHOUR=22"}}},
        {"trigger": {"recurrence": {"recurrenceRules": [22, None, {"BYHOUR": 22}]}}},
        {"trigger": {"scheduledTime": 5}},
    ],
)
def test_a_listed_reminder_of_the_wrong_shape_has_no_time(listed):
    assert reminders.time_of(listed) is None


def test_a_daily_rule_gives_its_time():
    listed = {"trigger": {"recurrence": {"recurrenceRules": ["FREQ=DAILY;BYHOUR=22;BYMINUTE=5"]}}}
    assert reminders.time_of(listed) == dt.time(22, 5)


def test_a_reminder_token_with_a_lone_surrogate_device_is_answered():
    event = intent("ListRemindersIntent", at=DAY)
    event["context"]["System"]["device"]["deviceId"] = "\udfff"
    with no_handler_failures():
        assert plain(speech_of(lambda_handler(event, None)))
