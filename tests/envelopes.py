"""Full Alexa request envelopes from the JSON fixtures, and a conversation that carries
session attributes from turn to turn the way Alexa does."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
NIGHT = "2026-11-26T08:00:00Z"  # 03:00 in New York, the en-US default zone
DAY = "2026-11-26T17:00:00Z"  # 12:00 in New York
_ids = itertools.count(1)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _slot(name: str, value) -> dict:
    """value: a canonical id ('calf'), ('heard', 'id'), ('heard', None) for no match, or None."""
    if value is None:
        return {"name": name, "confirmationStatus": "NONE"}
    heard, resolved = value if isinstance(value, tuple) else (value, value)
    if resolved is None:
        authority = {
            "authority": "amzn1.er-authority.echo-sdk.test." + name,
            "status": {"code": "ER_SUCCESS_NO_MATCH"},
        }
    else:
        authority = {
            "authority": "amzn1.er-authority.echo-sdk.test." + name,
            "status": {"code": "ER_SUCCESS_MATCH"},
            "values": [{"value": {"name": resolved, "id": resolved}}],
        }
    return {
        "name": name,
        "value": heard,
        "confirmationStatus": "NONE",
        "resolutions": {"resolutionsPerAuthority": [authority]},
    }


def envelope(
    kind: str,
    at: str = NIGHT,
    locale: str = "en-US",
    user: str | None = None,
    attributes: dict | None = None,
    new: bool | None = None,
    request_id: str | None = None,
) -> dict:
    event = fixture(kind)
    event["request"]["timestamp"] = at
    event["request"]["locale"] = locale
    event["request"]["requestId"] = request_id or f"amzn1.echo-api.request.{next(_ids)}"
    if user:
        event["session"]["user"]["userId"] = user
        event["context"]["System"]["user"]["userId"] = user
    if attributes is not None:
        event["session"]["attributes"] = copy.deepcopy(attributes)
    if new is not None:
        event["session"]["new"] = new
    return event


def skill_disabled(user: str, at: str = DAY) -> dict:
    """The event Alexa sends when a person disables the skill: no session, no locale."""
    return {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": "amzn1.ask.skill.cramp-coach-test"},
                "user": {"userId": user},
                "apiEndpoint": "http://127.0.0.1:9",
            }
        },
        "request": {
            "type": "AlexaSkillEvent.SkillDisabled",
            "requestId": "amzn1.echo-api.request.disabled",
            "timestamp": at,
            "eventCreationTime": at,
            "eventPublishingTime": at,
            "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
        },
    }


def launch(**kwargs) -> dict:
    return envelope("launch", **kwargs)


def intent(name: str, slots: dict | None = None, **kwargs) -> dict:
    event = envelope("intent", **kwargs)
    event["request"]["intent"]["name"] = name
    event["request"]["intent"]["slots"] = {k: _slot(k, v) for k, v in (slots or {}).items()}
    return event


def shift(stamp: str, **delta) -> str:
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) + dt.timedelta(**delta)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def speech_of(response: dict) -> str:
    return response["response"]["outputSpeech"]["ssml"]


def plain(ssml: str) -> str:
    text = re.sub(r"<[^>]+>", " ", ssml)
    return re.sub(r"\s+", " ", text).strip()


def first_sentence(response: dict) -> str:
    match = re.search(r"<s>(.*?)</s>", speech_of(response))
    return match.group(1) if match else plain(speech_of(response))


class Conversation:
    """Talks to lambda_handler like an Echo: session attributes go round, time moves on."""

    def __init__(self, handler, at: str = NIGHT, locale: str = "en-US", user: str | None = None):
        self.handler = handler
        self.at = at
        self.locale = locale
        self.user = user
        self.attributes: dict = {}
        self.new = True
        self.last: dict | None = None

    def _send(self, event: dict) -> dict:
        self.last = self.handler(event, None)
        body = self.last.get("response", {})
        self.attributes = self.last.get("sessionAttributes") or {}
        self.new = bool(body.get("shouldEndSession", True))
        if self.new:
            self.attributes = {}
        return self.last

    def launch(self) -> dict:
        return self._send(
            launch(
                at=self.at, locale=self.locale, user=self.user, attributes=self.attributes, new=True
            )
        )

    def say(self, name: str, **slots) -> dict:
        return self._send(
            intent(
                name,
                slots,
                at=self.at,
                locale=self.locale,
                user=self.user,
                attributes=self.attributes,
                new=self.new,
            )
        )

    def end(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> dict:
        """Alexa closes the session (silence after the reprompt, or the user walked away)."""
        event = envelope(
            "session_ended",
            at=self.at,
            locale=self.locale,
            user=self.user,
            attributes=self.attributes,
            new=False,
        )
        event["request"]["reason"] = reason
        event["request"].pop("error", None)
        return self._send(event)

    def wait(self, **delta) -> None:
        self.at = shift(self.at, **delta)


def local_moment(locale: str, hour: int, day: str = "2026-11-26") -> str:
    """The UTC timestamp of `hour`:00 local time in the locale's default time zone."""
    from zoneinfo import ZoneInfo

    from cramp_coach.content import content_for

    zone = ZoneInfo(content_for(locale).fact("default_time_zone"))
    local = dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=zone)
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- devices with a screen (APL) ----------------------------------------------------------

SHOW_8 = {"shape": "RECTANGLE", "pixelWidth": 1280, "pixelHeight": 800, "dpi": 160}
SPOT = {"shape": "ROUND", "pixelWidth": 480, "pixelHeight": 480, "dpi": 160}


def with_apl(event: dict, viewport: dict | None = None) -> dict:
    """The same request from an Echo Show: APL in supportedInterfaces and a Viewport."""
    event = copy.deepcopy(event)
    system = event["context"]["System"]
    system["device"]["supportedInterfaces"]["Alexa.Presentation.APL"] = {
        "runtime": {"maxVersion": "2023.2"}
    }
    event["context"]["Viewport"] = {**(viewport or SHOW_8), "mode": "HUB", "touch": ["SINGLE"]}
    return event


def touch(arguments: list, **kwargs) -> dict:
    """A touch on the screen: an Alexa.Presentation.APL.UserEvent with SendEvent's arguments."""
    event = with_apl(envelope("intent", **kwargs))
    event["request"] = {
        "type": "Alexa.Presentation.APL.UserEvent",
        "requestId": event["request"]["requestId"],
        "timestamp": event["request"]["timestamp"],
        "locale": event["request"]["locale"],
        "token": "cramp-coach-cramp",
        "arguments": arguments,
        "source": {"type": "TouchWrapper", "handler": "Press", "id": ""},
    }
    return event
