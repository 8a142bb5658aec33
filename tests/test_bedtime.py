"""Bedtime reminder, end to end: lambda_handler -> ASK SDK service client -> a real HTTP
fake of the Alexa Reminders and Settings APIs on loopback (tests/fake_alexa_api.py)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from cramp_coach import store
from dynamo import DYNAMO
from envelopes import DAY, Conversation, envelope, plain, speech_of
from fake_alexa_api import ACCESS_TOKEN, FakeAlexaApi, permission_answer, point_at
from lambda_function import lambda_handler
from moto import mock_aws

from tools import local_dynamodb

USER = "amzn1.ask.account.BEDTIME"
SCOPE = "alexa::alerts:reminders:skill:readwrite"
LIST, ONE = "GET /v1/alerts/reminders", "/v1/alerts/reminders/"
DEADLINE = 0.5  # REMINDERS_API_TIMEOUT_SECONDS for these tests: the hang test stays short


class Bedside(Conversation):
    """An Echo whose Alexa API is the fake; Alexa keeps the session through its own
    permission question, as it does in most cases."""

    def __init__(
        self,
        api: FakeAlexaApi,
        at: str = DAY,
        locale: str = "en-US",
        device_id: str | None = None,
        **pointing,
    ):
        self.api = api
        # A new device unless told: the skill caches per device (time zone, voice consent).
        device = device_id or f"amzn1.ask.device.{uuid.uuid4().hex}"
        self.device = device
        super().__init__(
            api.serving(lambda_handler, device_id=device, **pointing),
            at=at,
            locale=locale,
            user=USER,
        )

    def _send(self, event: dict) -> dict:
        reply = super()._send(event)
        if voice_permission_request(reply):
            self.attributes = reply.get("sessionAttributes") or {}
            self.new = False
        return reply

    def answer_permission(self, status: str, code: str = "200", token: str | None = None):
        if token is None:
            token = voice_permission_request(self.last)["token"]
        event = envelope(
            "intent",
            at=self.at,
            locale=self.locale,
            user=self.user,
            attributes=self.attributes,
            new=self.new,
        )
        return self._send(permission_answer(event, status, code, token))


def said(reply: dict) -> str:
    return plain(speech_of(reply))


def ends(reply: dict) -> bool:
    return reply["response"].get("shouldEndSession") is True


def voice_permission_request(reply: dict) -> dict | None:
    for directive in reply["response"].get("directives") or []:
        if directive["type"] == "Connections.SendRequest":
            return directive
    return None


def consent_card(reply: dict) -> dict | None:
    card = reply["response"].get("card") or {}
    return card if card.get("type") == "AskForPermissionsConsent" else None


def only_reminder(api: FakeAlexaApi) -> dict:
    assert len(api.reminders) == 1, api.reminders
    return next(iter(api.reminders.values()))


@pytest.fixture(scope="module")
def dynamodb():
    """One in-process DynamoDB table for the module: making one per test costs ~1 s each."""
    with pytest.MonkeyPatch.context() as env, mock_aws():
        env.setenv("CRAMP_TABLE_NAME", "cramp-coach-bedtime-test")
        env.setenv("USER_HASH_SALT", "test-salt")
        env.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
        store.reset_client()
        local_dynamodb.create_table("cramp-coach-bedtime-test")
        yield
    store.reset_client()


@pytest.fixture
def api(monkeypatch, dynamodb):
    monkeypatch.setenv("REMINDERS_API_TIMEOUT_SECONDS", str(DEADLINE))
    DYNAMO.delete_user(USER)  # every test starts with no profile
    with FakeAlexaApi() as server:
        yield server
    assert server.problems == [], "the skill sent a reminder body the API would refuse"


def set_reminder(api: FakeAlexaApi, at_time: str = "22:00", **kwargs) -> Bedside:
    talk = Bedside(api, **kwargs)
    talk.say("SetReminderIntent", time=at_time)
    talk.say("AMAZON.YesIntent")
    return talk


# --- setting a reminder ------------------------------------------------------------


def test_a_time_is_confirmed_then_a_nightly_reminder_is_created(api):
    talk = Bedside(api)
    asked = talk.say("SetReminderIntent", time="22:00")
    assert said(asked) == "I'll remind you every night at 10 PM to stretch. Shall I set it?"
    assert not ends(asked)
    assert api.calls() == [], "nothing is created before the user says yes"

    done = talk.say("AMAZON.YesIntent")
    assert said(done) == "Done. I'll remind you every night at 10 PM to stretch."
    assert ends(done)
    assert done["response"]["card"]["title"] == "Bedtime stretch reminder"
    reminder = only_reminder(api)
    trigger = reminder["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    assert trigger["timeZoneId"] == "America/New_York"
    assert trigger["scheduledTime"] == "2026-11-26T22:00:00"  # noon in New York: tonight
    spoken = reminder["alertInfo"]["spokenInfo"]["content"]
    assert spoken == [
        {
            "locale": "en-US",
            "text": "Time for your bedtime calf stretch. Ask Cramp Coach for tonight's tip.",
        }
    ]
    assert api.calls() == [LIST, "POST /v1/alerts/reminders"]


def test_the_time_is_asked_for_when_missing_and_the_answer_is_confirmed(api):
    talk = Bedside(api)
    asked = talk.say("SetReminderIntent")
    assert said(asked).startswith("What time should I remind you to stretch?")
    assert not ends(asked) and "reprompt" in asked["response"]
    confirm = talk.say("SetReminderIntent", time="21:30")  # "nine thirty PM"
    assert said(confirm) == "I'll remind you every night at 9:30 PM to stretch. Shall I set it?"
    talk.say("AMAZON.YesIntent")
    rule = only_reminder(api)["trigger"]["recurrence"]["recurrenceRules"][0]
    assert "BYHOUR=21;BYMINUTE=30" in rule


@pytest.mark.parametrize(
    ("value", "question"),
    [
        ("EV", "What time in the evening, exactly?"),
        ("NI", "What time in the evening, exactly?"),
        ("MO", "A bedtime stretch works best before bed."),
        ("AF", "A bedtime stretch works best before bed."),
        ("soon", "Sorry, I didn't catch the time."),
    ],
)
def test_a_part_of_the_day_gets_a_question_for_the_exact_time(api, value, question):
    reply = Bedside(api).say("SetReminderIntent", time=value)
    assert said(reply).startswith(question)
    assert not ends(reply)
    assert api.calls() == []


@pytest.mark.parametrize(
    ("value", "spoken"),
    [("09:30", "9:30 PM"), ("10:00", "10 PM"), ("23:15", "11:15 PM"), ("00:30", "12:30 AM")],
)
def test_a_time_without_am_or_pm_is_read_as_bedtime(api, value, spoken):
    reply = Bedside(api).say("SetReminderIntent", time=value)
    assert said(reply) == f"I'll remind you every night at {spoken} to stretch. Shall I set it?"


def test_no_to_the_confirmation_creates_nothing(api):
    talk = Bedside(api)
    talk.say("SetReminderIntent", time="22:00")
    reply = talk.say("AMAZON.NoIntent")
    assert said(reply) == "Okay, no reminder."
    assert ends(reply)
    assert api.reminders == {} and api.calls() == []


def test_yes_without_a_reminder_question_is_not_claimed(api):
    reply = Bedside(api).say("AMAZON.YesIntent")
    assert "reminder" not in said(reply).lower()
    assert api.calls() == []


def test_a_second_request_moves_the_reminder_instead_of_adding_one(api):
    set_reminder(api, "22:00")
    first = only_reminder(api)["alertToken"]
    mark = len(api.log)
    talk = set_reminder(api, "21:30")
    reminder = only_reminder(api)
    assert reminder["alertToken"] == first
    assert reminder["version"] == "2"
    assert "BYHOUR=21;BYMINUTE=30" in reminder["trigger"]["recurrence"]["recurrenceRules"][0]
    assert said(talk.last) == "Done. Your stretch reminder is now at 9:30 PM, every night."
    assert api.calls(mark) == [LIST, f"PUT {ONE}{first}"]


def test_with_storage_consent_the_profile_keeps_the_id_and_saves_a_lookup(api):
    DYNAMO.update_profile(USER, consent="yes")
    set_reminder(api, "22:00")
    token = only_reminder(api)["alertToken"]
    assert DYNAMO.load_profile(USER).get("reminder_id") == token
    mark = len(api.log)
    set_reminder(api, "21:00")
    assert api.calls(mark) == [f"PUT {ONE}{token}"], "the profile's id replaces the list call"
    assert len(api.reminders) == 1


def test_without_storage_consent_nothing_about_reminders_is_stored(api):
    set_reminder(api, "22:00")
    assert DYNAMO.load_profile(USER) is None


def test_a_reminder_deleted_in_the_app_is_created_again(api):
    DYNAMO.update_profile(USER, consent="yes", reminder_id="fake-alert-gone")
    mark = len(api.log)
    talk = set_reminder(api, "22:00")
    assert api.calls(mark) == [f"PUT {ONE}fake-alert-gone", "POST /v1/alerts/reminders"]
    assert said(talk.last) == "Done. I'll remind you every night at 10 PM to stretch."
    assert DYNAMO.load_profile(USER).get("reminder_id") == only_reminder(api)["alertToken"]


def test_the_reminder_speaks_in_the_requests_locale(api):
    set_reminder(api, "22:00", locale="en-GB")
    spoken = only_reminder(api)["alertInfo"]["spokenInfo"]["content"][0]
    assert spoken["locale"] == "en-GB"


# --- time zones --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "scheduled"),
    [
        # 23:30 UTC: already 23:30 in London, so the first reminder is tomorrow night;
        # 15:30 in Los Angeles, so it is tonight.
        ("Europe/London", "2026-11-27T22:00:00"),
        ("America/Los_Angeles", "2026-11-26T22:00:00"),
        ("Asia/Kolkata", "2026-11-27T22:00:00"),  # 05:00 next day there
    ],
)
def test_the_trigger_is_local_time_in_the_devices_zone(api, zone, scheduled):
    talk = Bedside(api, at="2026-11-26T23:30:00Z")
    api.time_zones[talk.device] = zone
    talk.say("SetReminderIntent", time="22:00")
    talk.say("AMAZON.YesIntent")
    trigger = only_reminder(api)["trigger"]
    assert trigger["timeZoneId"] == zone
    assert trigger["scheduledTime"] == scheduled
    assert trigger["recurrence"]["startDateTime"] == scheduled


def test_without_the_settings_api_the_locales_zone_is_used(api):
    api.fail(500, times=10, prefix="/v2/devices")
    set_reminder(api, "22:00", locale="en-US")
    assert only_reminder(api)["trigger"]["timeZoneId"] == "America/New_York"


# --- permission --------------------------------------------------------------------


def test_without_permission_alexa_is_asked_to_ask_by_voice(api):
    api.granted = False
    talk = set_reminder(api, "22:00")
    request = voice_permission_request(talk.last)
    assert request is not None
    assert request["name"] == "AskFor"
    assert request["payload"] == {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": SCOPE, "consentLevel": "ACCOUNT"}],
    }
    assert said(talk.last) == "First, I need your okay to set reminders."
    assert api.calls() == [], "no API call can succeed without the permission"


def test_a_consent_token_with_the_reminders_scope_denied_is_no_permission(api):
    def denied_scope(event, context=None):
        event = point_at(event, api, device_id="amzn1.ask.device.SCOPES")
        scopes = {SCOPE: {"status": "DENIED"}}
        event["context"]["System"]["user"]["permissions"]["scopes"] = scopes
        return lambda_handler(event, context)

    talk = Conversation(denied_scope, at=DAY, user=USER)
    talk.say("SetReminderIntent", time="22:00")
    reply = talk.say("AMAZON.YesIntent")
    assert voice_permission_request(reply) is not None
    assert api.calls() == []


@pytest.mark.parametrize("session_survives", [True, False])
def test_accepted_permission_creates_the_reminder_that_was_asked_for(api, session_survives):
    api.granted = False
    talk = set_reminder(api, "21:30")
    if not session_survives:  # the token alone carries the wanted time
        talk.attributes, talk.new = {}, True
    api.granted = True  # what the user's "I approve" does on Alexa's side
    reply = talk.answer_permission("ACCEPTED")
    assert said(reply) == "Done. I'll remind you every night at 9:30 PM to stretch."
    assert (
        "BYHOUR=21;BYMINUTE=30" in only_reminder(api)["trigger"]["recurrence"]["recurrenceRules"][0]
    )


def test_accepted_without_a_remembered_time_asks_for_it(api):
    api.granted = True
    talk = Bedside(api)
    reply = talk.answer_permission("ACCEPTED", token="bedtime|set|")
    assert said(reply).startswith("Thanks. What time should I remind you to stretch?")
    assert not ends(reply)
    talk.say("SetReminderIntent", time="22:00")
    talk.say("AMAZON.YesIntent")
    assert len(api.reminders) == 1


def test_denied_permission_sets_nothing_and_says_where_to_change_it(api):
    api.granted = False
    talk = set_reminder(api, "22:00")
    reply = talk.answer_permission("DENIED")
    assert said(reply) == "Okay, no reminder. You can allow reminders any time in the Alexa app."
    assert ends(reply) and api.reminders == {}


def test_unanswered_permission_sends_the_consent_card(api):
    api.granted = False
    talk = set_reminder(api, "22:00")
    reply = talk.answer_permission("NOT_ANSWERED")
    assert said(reply).startswith("I didn't hear an answer.")
    assert consent_card(reply)["permissions"] == [SCOPE]
    assert ends(reply) and api.reminders == {}


def test_a_device_that_cannot_ask_by_voice_gets_the_card_from_then_on(api):
    api.granted = False
    talk = set_reminder(api, "22:00")
    failed = talk.answer_permission("NOT_ANSWERED", code="500")  # the device could not ask
    assert consent_card(failed)["permissions"] == [SCOPE]
    assert said(failed).startswith("To set reminders, Cramp Coach needs your permission.")
    assert ends(failed)

    again = Bedside(api, device_id=talk.device)  # a later session on the same device
    again.say("SetReminderIntent", time="22:00")
    reply = again.say("AMAZON.YesIntent")
    assert voice_permission_request(reply) is None
    assert consent_card(reply)["permissions"] == [SCOPE]

    other = set_reminder(api, "22:00")  # another device still gets asked by voice
    assert voice_permission_request(other.last) is not None


def test_permission_granted_but_still_refused_sends_the_card_instead_of_looping(api):
    api.granted = False
    talk = set_reminder(api, "22:00")
    reply = talk.answer_permission("ACCEPTED")  # the API still answers 401
    assert voice_permission_request(reply) is None
    assert consent_card(reply)["permissions"] == [SCOPE]
    assert said(reply).startswith("Sorry, I still can't set reminders.")


# --- hearing, changing and cancelling ----------------------------------------------


def test_what_reminders_do_i_have(api):
    none = Bedside(api).say("ListRemindersIntent")
    assert said(none).startswith("You don't have a bedtime reminder.")
    set_reminder(api, "21:30")
    mark = len(api.log)
    one = Bedside(api).say("ListRemindersIntent")
    assert said(one) == "Your stretch reminder is at 9:30 PM, every night."
    assert ends(one)
    assert api.calls(mark) == [LIST]


def test_without_permission_there_is_no_reminder_to_list_and_no_api_call(api):
    api.granted = False
    reply = Bedside(api).say("ListRemindersIntent")
    assert said(reply).startswith("You don't have a bedtime reminder.")
    assert api.calls() == []


def test_change_my_reminder_to_nine_thirty(api):
    set_reminder(api, "22:00")
    talk = Bedside(api)
    asked = talk.say("ChangeReminderIntent", time="21:30")
    assert said(asked) == "I'll move your stretch reminder to 9:30 PM, every night. Shall I?"
    done = talk.say("AMAZON.YesIntent")
    assert said(done) == "Done. Your stretch reminder is now at 9:30 PM, every night."
    assert (
        "BYHOUR=21;BYMINUTE=30" in only_reminder(api)["trigger"]["recurrence"]["recurrenceRules"][0]
    )


def test_change_without_a_time_asks_for_one_and_keeps_it_a_change(api):
    set_reminder(api, "22:00")
    talk = Bedside(api)
    talk.say("ChangeReminderIntent")
    asked = talk.say("SetReminderIntent", time="21:00")  # the bare answer "nine PM"
    assert said(asked) == "I'll move your stretch reminder to 9 PM, every night. Shall I?"


def test_cancel_my_reminder_asks_then_removes_it(api):
    DYNAMO.update_profile(USER, consent="yes")
    set_reminder(api, "22:00")
    token = only_reminder(api)["alertToken"]
    talk = Bedside(api)
    mark = len(api.log)
    asked = talk.say("CancelReminderIntent")
    assert said(asked) == "Your stretch reminder is at 10 PM, every night. Shall I remove it?"
    assert api.reminders, "nothing is removed before the user says yes"
    done = talk.say("AMAZON.YesIntent")
    assert said(done) == "Done. I've removed your stretch reminder."
    assert api.reminders == {}
    assert api.calls(mark) == [LIST, f"DELETE {ONE}{token}"]
    assert DYNAMO.load_profile(USER).get("reminder_id") is None


def test_no_to_cancelling_keeps_the_reminder(api):
    set_reminder(api, "22:00")
    talk = Bedside(api)
    talk.say("CancelReminderIntent")
    reply = talk.say("AMAZON.NoIntent")
    assert said(reply) == "Okay, I'll keep it."
    assert len(api.reminders) == 1


def test_cancel_with_no_reminder_says_so(api):
    reply = Bedside(api).say("CancelReminderIntent")
    assert said(reply) == "You don't have a bedtime reminder to cancel."
    assert api.calls() == [LIST]


# --- failures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (429, "Alexa's reminders are busy right now. Please try again in a minute."),
        (500, "Alexa's reminders aren't working right now. Please try again later."),
        (503, "Alexa's reminders aren't working right now. Please try again later."),
    ],
)
def test_api_failures_get_a_clear_answer(api, status, words):
    api.fail(status)
    talk = set_reminder(api, "22:00")
    assert said(talk.last) == words
    assert ends(talk.last)
    assert api.reminders == {}


@pytest.mark.parametrize("status", [401, 403])
def test_a_revoked_permission_is_asked_for_again(api, status):
    api.fail(status)
    talk = set_reminder(api, "22:00")
    assert voice_permission_request(talk.last)["name"] == "AskFor"
    reply = talk.answer_permission("ACCEPTED")
    assert said(reply) == "Done. I'll remind you every night at 10 PM to stretch."
    assert len(api.reminders) == 1


def test_a_hanging_api_is_given_up_on_in_time(api):
    api.fail(hang=DEADLINE * 3)
    talk = Bedside(api)
    talk.say("SetReminderIntent", time="22:00")
    started = time.monotonic()
    reply = talk.say("AMAZON.YesIntent")
    elapsed = time.monotonic() - started
    assert said(reply) == "Alexa's reminders didn't answer in time. Please try again in a moment."
    assert elapsed < DEADLINE * 2.5, f"took {elapsed:.2f}s"


@pytest.mark.parametrize("status", [429, 500])
def test_listing_and_cancelling_fail_gently_too(api, status):
    set_reminder(api, "22:00")
    api.fail(status, times=2)
    listed = Bedside(api).say("ListRemindersIntent")
    cancelled = Bedside(api).say("CancelReminderIntent")
    for reply in (listed, cancelled):
        assert said(reply).startswith("Alexa's reminders")
        assert ends(reply)
    assert len(api.reminders) == 1


# --- the fake itself must be able to say no ----------------------------------------


def _post(api: FakeAlexaApi, body: dict, token: str = ACCESS_TOKEN) -> int:
    request = urllib.request.Request(
        api.url + "/v1/alerts/reminders",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_fake_refuses_a_wrong_token_and_a_utc_trigger():
    good_trigger = {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-26T22:00:00",
        "timeZoneId": "Europe/London",
        "recurrence": {
            "startDateTime": "2026-11-26T22:00:00",
            "recurrenceRules": ["FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
        },
    }
    body = {
        "requestTime": "2026-11-26T12:00:00",
        "trigger": good_trigger,
        "alertInfo": {"spokenInfo": {"content": [{"locale": "en-GB", "text": "Stretch."}]}},
    }
    with FakeAlexaApi() as fake:
        assert _post(fake, body, token="someone-else") == 401
        assert _post(fake, body) == 200
        utc = {**body, "trigger": {**good_trigger, "scheduledTime": "2026-11-26T22:00:00Z"}}
        assert _post(fake, utc) == 400
        assert any("scheduledTime" in p for p in fake.problems)


# --- the demo's bedtime turns ------------------------------------------------------


def test_the_demo_sets_a_reminder_against_the_fake_api(api):
    from tools import demo

    lines = []
    demo.play_bedtime(api, out=lines.append)
    text = "\n".join(lines)
    assert "Alexa: I'll remind you every night at 10 PM to stretch. Shall I set it?" in text
    assert "Alexa: Done. I'll remind you every night at 10 PM to stretch." in text
    assert "Alexa API: POST /v1/alerts/reminders" in text
    assert "Alexa: Your stretch reminder is at 10 PM, every night." in text
    assert len(api.reminders) == 1


@pytest.mark.parametrize(
    ("words", "sent"),
    [
        ("ten", "10:00"),  # no AM/PM: the hour as said; the skill reads it as bedtime
        ("ten pm", "22:00"),
        ("nine thirty p m", "21:30"),
        ("21:30", "21:30"),
        ("in the evening", "EV"),
        ("midnight", "00:00"),
        ("purple monkey", None),
    ],
)
def test_typed_times_reach_the_skill_as_alexa_sends_them(words, sent):
    from tools.utterances import amazon_time

    assert amazon_time(words) == sent
