"""Which Alexa API calls each bedtime flow makes, read from the fake API's request log.

    .venv/bin/python tools/bedtime_calls.py

Every flow runs through the real lambda_handler against tests/fake_alexa_api.py and a local
DynamoDB (moto server), each on a new device so the first turn shows the time-zone look-up
a cold container makes.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "lambda")]  # when run as a script

from cramp_coach import store  # noqa: E402
from envelopes import DAY, Conversation, envelope  # noqa: E402
from fake_alexa_api import FakeAlexaApi, permission_answer  # noqa: E402
from lambda_function import lambda_handler  # noqa: E402

from tools.local_dynamodb import start_local_dynamodb  # noqa: E402

_devices = itertools.count(1)


class Flow:
    """One user on a new device; each turn notes the API calls it caused."""

    def __init__(self, api: FakeAlexaApi, user: str):
        self.api = api
        self.talk = Conversation(
            api.serving(lambda_handler, device_id=f"device-{next(_devices)}"), at=DAY, user=user
        )
        self.turns: list[tuple[str, list[str]]] = []

    def _note(self, label: str, send) -> dict:
        seen = len(self.api.log)
        reply = send()
        self.turns.append((label, self.api.log[seen:]))
        return reply

    def say(self, intent: str, **slots) -> dict:
        label = intent + "".join(f" {k}={v}" for k, v in slots.items())
        return self._note(label, lambda: self.talk.say(intent, **slots))

    def permission(self, status: str) -> dict:
        token = next(
            d["token"]
            for d in self.talk.last["response"].get("directives", [])
            if d["type"] == "Connections.SendRequest"
        )
        event = envelope("intent", at=DAY, user=self.talk.user, attributes=self.talk.attributes)
        self.api.granted = status == "ACCEPTED"
        return self._note(
            f"Connections.Response {status}",
            lambda: self.talk._send(permission_answer(event, status, token=token)),
        )


USER = "amzn1.ask.account.BEDTIME"


def set_reminder(api: FakeAlexaApi, at_time: str = "22:00") -> Flow:
    flow = Flow(api, USER)
    flow.say("SetReminderIntent", time=at_time)
    flow.say("AMAZON.YesIntent")
    return flow


def set_new(api):
    return set_reminder(api)


def set_again(api):
    set_reminder(api)
    return set_reminder(api, "21:30")


def set_again_with_profile(api):
    store.DynamoStore().update_profile(USER, consent="yes")
    set_reminder(api)
    return set_reminder(api, "21:00")


def list_it(api):
    set_reminder(api)
    flow = Flow(api, USER)
    flow.say("ListRemindersIntent")
    return flow


def change(api):
    set_reminder(api)
    flow = Flow(api, USER)
    flow.say("ChangeReminderIntent", time="21:30")
    flow.say("AMAZON.YesIntent")
    return flow


def cancel(api):
    set_reminder(api)
    flow = Flow(api, USER)
    flow.say("CancelReminderIntent")
    flow.say("AMAZON.YesIntent")
    return flow


def no_permission(api):
    api.granted = False
    flow = set_reminder(api)
    flow.permission("ACCEPTED")
    return flow


def revoked(api):
    set_reminder(api)
    flow = Flow(api, USER)
    flow.say("SetReminderIntent", time="21:00")
    api.fail(401)
    flow.say("AMAZON.YesIntent")
    flow.permission("ACCEPTED")
    return flow


def failing(status: int | None, hang: float = 0.0):
    def flow_with_fault(api):
        flow = Flow(api, USER)
        flow.say("SetReminderIntent", time="22:00")
        api.fail(status, hang=hang)
        flow.say("AMAZON.YesIntent")
        return flow

    return flow_with_fault


FLOWS = [
    ("set, first time (no storage consent)", set_new),
    ("set again: updates, never adds", set_again),
    ("set again with storage consent (id kept in the profile)", set_again_with_profile),
    ("what reminders do I have", list_it),
    ("change my reminder to 9:30", change),
    ("cancel my reminder", cancel),
    ("no permission yet: voice request, then ACCEPTED", no_permission),
    ("permission revoked (401), then ACCEPTED", revoked),
    ("throttled (429)", failing(429)),
    ("server error (500)", failing(500)),
    ("no answer (hang past the deadline)", failing(None, hang=3.0)),
]


def main() -> None:
    logging.disable(logging.WARNING)
    os.environ.setdefault("USER_HASH_SALT", "demo-salt")
    server = start_local_dynamodb()
    try:
        for name, run in FLOWS:
            store.DynamoStore().delete_user(USER)
            with FakeAlexaApi() as api:  # a fresh Alexa account per flow
                flow = run(api)
            total = sum(len(calls) for _, calls in flow.turns)
            print(f"{name}: {total} API call(s)")
            for label, calls in flow.turns:
                print(f"  {label}: {', '.join(calls) or '-'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
