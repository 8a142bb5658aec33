"""The failures the skill speaks over become metrics: one JSON log line each, with the event
name the template's metric filters watch and the request id, never a user id or slot value."""

from __future__ import annotations

import json
import logging
import time

import pytest
from ask_sdk_model.services import ServiceException
from cramp_coach import reminders, storage
from cramp_coach.journeys.history import answers
from cramp_coach.memory_store import InMemoryStore
from envelopes import DAY, intent, skill_disabled
from faults import fail_with
from lambda_function import lambda_handler

USER = "amzn1.ask.account.METRICS"
EVENTS = (
    "handler_failed",
    "skill_disabled_delete_failed",
    "reminder_api_failed",
    "store_deadline_missed",
)


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="cramp_coach")

    def of(name):
        """The log lines that mention the event (any line, any logger, any format)."""
        found = [r.getMessage() for r in caplog.records if name in r.getMessage()]
        return [json.loads(line) for line in found]

    return of


def test_a_handler_failure_is_one_event_with_the_request_id(lines, monkeypatch):
    def broken(*_):
        raise RuntimeError("boom")

    monkeypatch.setattr(answers, "with_history", broken)
    event = intent("WhichLegIntent", at=DAY, user=USER, request_id="amzn1.echo-api.request.m1")
    lambda_handler(event, None)
    [line] = lines("handler_failed")
    assert line == {
        "event": "handler_failed",
        "request_id": "amzn1.echo-api.request.m1",
        "where": "handler",
        "error": "RuntimeError",
    }
    assert USER not in json.dumps(line)


def test_a_failed_deletion_on_skill_disabled_carries_the_salted_key_only(table, lines):
    with fail_with("InternalServerError", status=500):
        lambda_handler(skill_disabled(USER), None)
    [line] = lines("skill_disabled_delete_failed")
    assert line["request_id"] == "amzn1.echo-api.request.disabled"
    assert line["user_key"] == storage.user_key(USER)
    assert USER not in json.dumps(line)


def test_a_store_deadline_is_one_event(lines):
    with pytest.raises(storage.StoreError):
        storage.within_deadline(InMemoryStore(), 0.05, time.sleep, 0.3)
    [line] = lines("store_deadline_missed")
    assert line["event"] == "store_deadline_missed"


@pytest.mark.parametrize("status,counted", [(503, True), (500, True), (400, False), (403, False)])
def test_reminder_api_failures_count_only_outages(lines, status, counted):
    def call():
        raise ServiceException("injected", status, {"x": "y"}, None)

    with pytest.raises(reminders.ReminderFailure):
        reminders._bounded(call)
    assert len(lines("reminder_api_failed")) == (1 if counted else 0)


def test_a_reminder_timeout_is_one_event(lines, monkeypatch):
    monkeypatch.setenv("REMINDERS_API_TIMEOUT_SECONDS", "0.05")
    with pytest.raises(reminders.ReminderFailure):
        reminders._bounded(time.sleep, 0.3)
    [line] = lines("reminder_api_failed")
    assert line["kind"] == reminders.TIMEOUT


def test_no_other_line_uses_the_event_names(lines, table):
    """A whole night and day without failures: none of the four names in any log line."""
    from envelopes import Conversation

    chat = Conversation(lambda_handler, user=USER)
    chat.say("CrampNowIntent", muscle="calf")
    chat.say("CrampEasedIntent")
    for name in EVENTS:
        assert lines(name) == []
