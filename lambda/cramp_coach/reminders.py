"""The nightly stretch reminder on the Alexa Reminders API: permission, body, and calls.

Calls go through the ASK SDK's ReminderManagementServiceClient (on the skill's
TimeoutApiClient) and each runs under a hard deadline (REMINDERS_API_TIMEOUT_SECONDS).
Every failure becomes a ReminderFailure of one kind the journey can put into words.
Nothing here runs on the cramp-now path.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderManagementServiceClient,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)

from . import clock
from .alexa_api import settings_time_zone
from .config import load_settings
from .deadline import DeadlinePassed, Deadlines
from .envelope import session_attributes
from .observability import metric_event

log = logging.getLogger(__name__)

SCOPE = "alexa::alerts:reminders:skill:readwrite"

# What went wrong, in the terms the user hears about.
PERMISSION = "permission"  # 401/403: not granted, or revoked
THROTTLED = "throttled"  # 429
UNAVAILABLE = "unavailable"  # 5xx, or an answer the SDK could not read
TIMEOUT = "timeout"  # no answer within the deadline, or no connection at all
NOT_FOUND = "not_found"  # 404: the reminder was deleted (e.g. in the Alexa app)

# Own threads: a hung call must not hold up the clock's time-zone look-ups.
_DEADLINES = Deadlines("reminders-api")


class ReminderFailure(Exception):
    def __init__(self, kind: str, status: int | None = None):
        super().__init__(kind if status is None else f"{kind} ({status})")
        self.kind = kind
        self.status = status


@dataclass(frozen=True)
class Nightly:
    """The user's existing stretch reminder: its alert token and its local time."""

    token: str
    at: dt.time | None


# --- permission --------------------------------------------------------------------


def has_permission(handler_input: HandlerInput) -> bool:
    """Whether the request says the user granted reminders (the API has the last word)."""
    user = getattr(getattr(handler_input.request_envelope.context, "system", None), "user", None)
    permissions = getattr(user, "permissions", None)
    if permissions is None or not permissions.consent_token:
        return False
    scope = (permissions.scopes or {}).get(SCOPE)
    if scope is None:  # envelopes often carry only the consent token
        return True
    return getattr(scope.status, "value", scope.status) == "GRANTED"


# --- the reminder body -------------------------------------------------------------


def first_occurrence(at: dt.time, local_now: dt.datetime) -> dt.datetime:
    """The next time the clock shows `at` in the user's zone, as a naive local date-time."""
    candidate = local_now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate += dt.timedelta(days=1)
    return candidate.replace(tzinfo=None)


def daily_rule(at: dt.time) -> str:
    return f"FREQ=DAILY;BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0;INTERVAL=1"


def nightly_request(
    at: dt.time, zone: ZoneInfo, now: dt.datetime, locale: str, text: str
) -> ReminderRequest:
    """A daily SCHEDULED_ABSOLUTE reminder at `at`, local time in `zone`, saying `text`."""
    local_now = now.astimezone(zone)
    start = first_occurrence(at, local_now)
    return ReminderRequest(
        request_time=local_now.replace(tzinfo=None, microsecond=0),
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=start,
            time_zone_id=zone.key,
            recurrence=Recurrence(start_date_time=start, recurrence_rules=[daily_rule(at)]),
        ),
        alert_info=AlertInfo(
            spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=text)])
        ),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def time_of(reminder: dict) -> dt.time | None:
    """A listed reminder's local time of day: from its daily rule, else its scheduled time.

    The list comes from the Reminders API and is read as untrusted JSON: anything that is
    not a clock time (BYHOUR=xx, BYHOUR=25, a rule that is not a string) is no time."""
    trigger = _dict(reminder.get("trigger"))
    rules = _dict(trigger.get("recurrence")).get("recurrenceRules")
    for rule in rules if isinstance(rules, list) else []:
        at = _rule_time(rule)
        if at is not None:
            return at
    scheduled = trigger.get("scheduledTime")
    try:
        return dt.datetime.fromisoformat(scheduled).time() if isinstance(scheduled, str) else None
    except ValueError:
        return None


_CLOCK_PART = re.compile(r"[0-9]{1,2}")


def _rule_time(rule) -> dt.time | None:
    """BYHOUR and BYMINUTE of an RRULE string as a time; None if either is not a clock value."""
    if not isinstance(rule, str):
        return None
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    hour, minute = parts.get("BYHOUR"), parts.get("BYMINUTE", "0")
    if hour is None or not (_CLOCK_PART.fullmatch(hour) and _CLOCK_PART.fullmatch(minute)):
        return None
    try:
        return dt.time(int(hour), int(minute))
    except ValueError:  # BYHOUR=25, BYMINUTE=61
        return None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


# --- the time zone -----------------------------------------------------------------


def reminder_zone(handler_input: HandlerInput, zones: clock.ZoneCache) -> ZoneInfo:
    """The device's zone. The clock's look-up is capped for cramping users; a reminder is
    worth one more try under this module's longer deadline before the locale's default."""
    zone = clock.time_zone(handler_input, zones)
    session = session_attributes(handler_input)
    if session.get(clock.TZ_SESSION_KEY):  # the clock found the device's own zone
        return zone
    try:
        found = clock.zone_named(_bounded(settings_time_zone, handler_input))
    except ReminderFailure:
        found = None
    if found is None:
        log.warning("device time zone unknown; reminder uses the locale default %s", zone.key)
        return zone
    session[clock.TZ_SESSION_KEY] = found.key
    return found


# --- calls -------------------------------------------------------------------------


def _factory(handler_input: HandlerInput):
    factory = handler_input.service_client_factory
    if factory is None:  # no apiAccessToken in the request
        raise ReminderFailure(UNAVAILABLE)
    return factory


class ReminderClient(ReminderManagementServiceClient):
    """The SDK's client, with the list read as plain JSON. ask-sdk-model 1.82.0 cannot turn
    a listed reminder into its model: alert_info.py names a module that does not exist
    (alert_info_spoken_info; alexa/alexa-apis-for-python#4), and empty date-times fail
    (#30). Same endpoint, token, headers and error handling; only the body stays a dict."""

    def get_reminders_json(self) -> dict:
        # The SDK's per-argument type comments leave out `self`, so mypy reads the first
        # `str` as its type: the annotation is wrong, not this call.
        reply = self.invoke(  # type: ignore[misc]
            method="GET",
            endpoint=self._api_endpoint,
            path="/v1/alerts/reminders",
            path_params={},
            query_params=[],
            header_params=[
                ("Content-type", "application/json"),
                ("User-Agent", self.user_agent),
                ("Authorization", "Bearer " + self._authorization_value),
            ],
            body=None,
            response_definitions=[],
            response_type="object",
        )
        return reply.body if reply is not None and isinstance(reply.body, dict) else {}


def _service(handler_input: HandlerInput) -> ReminderClient:
    # The factory's own get_reminder_management_service(), with the list fix above.
    return ReminderClient(_factory(handler_input).api_configuration)


def _failure(error: Exception) -> ReminderFailure:
    if not isinstance(error, ServiceException):
        return ReminderFailure(UNAVAILABLE)
    status = error.status_code
    if error.headers is None:  # the SDK's wrapper for "no HTTP answer at all"
        return ReminderFailure(TIMEOUT)
    if status in (401, 403):
        return ReminderFailure(PERMISSION, status)
    if status == 429:
        return ReminderFailure(THROTTLED, status)
    if status == 404:
        return ReminderFailure(NOT_FOUND, status)
    return ReminderFailure(UNAVAILABLE, status)


def _bounded(call, *args):
    """Run one API call under the deadline; every failure becomes a ReminderFailure."""
    try:
        return _DEADLINES.run(load_settings().reminders_api_timeout_seconds, call, *args)
    except DeadlinePassed:
        failure = ReminderFailure(TIMEOUT)
    except ReminderFailure as error:
        failure = error
    except Exception as error:  # noqa: BLE001 - any failure is one of the kinds above
        failure = _failure(error)
    log.warning("reminders api %s failed: %s", getattr(call, "__name__", "call"), failure)
    if failure.kind == TIMEOUT or (failure.kind == UNAVAILABLE and (failure.status or 500) >= 500):
        metric_event("reminder_api_failed", kind=failure.kind, status=failure.status)
    raise failure


def find_nightly(handler_input: HandlerInput) -> Nightly | None:
    """The skill's reminder for this user (GET /v1/alerts/reminders lists only ours)."""
    alerts = _bounded(_service(handler_input).get_reminders_json).get("alerts")
    alerts = [a for a in alerts if _token(a)] if isinstance(alerts, list) else []
    active = [a for a in alerts if a.get("status") == "ON"] or alerts
    token = _token(active[0]) if active else None
    if token is None:
        return None
    return Nightly(token=token, at=time_of(active[0]))


def _token(reminder) -> str | None:
    """A listed reminder's alert token, if it has a usable one."""
    token = reminder.get("alertToken") if isinstance(reminder, dict) else None
    return token if isinstance(token, str) and token.isprintable() and token else None


def save_nightly(
    handler_input: HandlerInput, request: ReminderRequest, token: str | None
) -> tuple[str, bool]:
    """Update the reminder `token` if given and still there, else create one.
    Returns (alert token, whether an existing reminder was updated)."""
    service = _service(handler_input)
    if token:
        try:
            reply = _bounded(service.update_reminder, token, request)
            return (_reply_token(reply) or token), True
        except ReminderFailure as failure:
            if failure.kind != NOT_FOUND:
                raise
    created = _reply_token(_bounded(service.create_reminder, request))
    if created is None:  # a 2xx without a token: we cannot say the reminder exists
        log.warning("reminders api create answered without an alert token")
        raise ReminderFailure(UNAVAILABLE)
    return created, False


def _reply_token(reply) -> str | None:
    token = getattr(reply, "alert_token", None)
    return token if isinstance(token, str) and token.isprintable() and token else None


def delete_nightly(handler_input: HandlerInput, token: str) -> None:
    try:
        _bounded(_service(handler_input).delete_reminder, token)
    except ReminderFailure as failure:
        if failure.kind != NOT_FOUND:  # already gone is what the user asked for
            raise
