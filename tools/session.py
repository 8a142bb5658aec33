"""Plays turns through the real lambda_handler and prints them as a transcript."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from zoneinfo import ZoneInfo

from cramp_coach.content import content_for
from envelopes import Conversation
from lambda_function import lambda_handler

from tools.utterances import Resolver


def speech_text(ssml: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", ssml)).strip()


class Transcript:
    """A person talking to an Echo: each line is resolved, sent, and printed."""

    def __init__(
        self,
        at: str,
        locale: str = "en-US",
        user: str = "amzn1.ask.account.DEMO",
        out=print,
        handler=lambda_handler,  # e.g. FakeAlexaApi.serving(lambda_handler) for reminders
    ):
        self.resolver = Resolver(locale)
        self.chat = Conversation(handler, at=at, locale=locale, user=user)
        self.out = out
        self.last_card = None

    def say(self, words: str) -> dict:
        resolved = self.resolver.resolve(words)
        if resolved.kind == "launch":
            response = self.chat.launch()
        else:
            response = self.chat.say(resolved.intent, **resolved.slots)
        self.show(words, resolved, response)
        return response

    def show(self, words: str, resolved, response: dict) -> None:
        body = response.get("response", {})
        local = _local_clock(self.chat.at, self.chat.locale)
        label = resolved.intent or "LaunchRequest"
        self.out(f"[{local}] You: {words}    ({label}{_slots(resolved.slots)})")
        speech = body.get("outputSpeech", {}).get("ssml")
        self.out(f"  Alexa: {speech_text(speech) if speech else '(silent)'}")
        card = body.get("card")
        if card and card == self.last_card:
            self.out(f"  Card: {card.get('title', '')} (as above)")
        elif card:
            self.out(f"  Card: {card.get('title', '')}")
            for line in card.get("content", card.get("text", "")).splitlines():
                self.out(textwrap.indent(textwrap.fill(line, 96) or "", "    | "))
        self.last_card = card or self.last_card
        if body.get("shouldEndSession", True):
            self.out("  (session ends)")
        self.out("")

    def wait(self, **delta) -> None:
        self.chat.wait(**delta)


def _slots(slots: dict) -> str:
    shown = {k: (v[1] if isinstance(v, tuple) else v) for k, v in slots.items()}
    return "".join(f" {k}={v}" for k, v in shown.items())


def _local_clock(stamp: str, locale: str) -> str:
    """The demo device has no Settings API, so the skill uses the locale's default zone."""
    zone = ZoneInfo(content_for(locale).fact("default_time_zone"))
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(zone)
    return moment.strftime("%a %H:%M")
