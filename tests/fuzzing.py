"""Hypothesis strategies for Alexa request envelopes, shared by the fuzz suites.

The envelopes start from the real fixtures and are then bent the ways a client, a proxy or
an attacker could bend them: other request types, any intent, odd slots, unknown locales,
corrupted session attributes sent back, missing or wrong-typed fields, huge strings and
unicode that breaks naive code (RTL marks, emoji, NUL, lone surrogates, which JSON allows
as \\ud800 escapes).

Profiles (HYPOTHESIS_PROFILE): "ci" (default) is small and derandomized, for `make test`;
"long" is for `make fuzz`.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import logging
import os
from pathlib import Path

import hypothesis
from ask_sdk_model.request import Request
from envelopes import fixture
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MODEL = Path(__file__).resolve().parents[1] / "interaction_model" / "en-US.json"
LANGUAGE_MODEL = json.loads(MODEL.read_text())["interactionModel"]["languageModel"]
INTENT_SLOTS = {
    intent["name"]: [s["name"] for s in intent.get("slots", [])]
    for intent in LANGUAGE_MODEL["intents"]
}
SLOT_VALUE_IDS = sorted(
    {
        v.get("id") or v["name"]["value"]
        for t in LANGUAGE_MODEL.get("types", [])
        for v in t["values"]
    }
)

PROFILES = {
    "ci": {"max_examples": 250, "derandomize": True},
    "long": {"max_examples": 5000, "derandomize": False},
}


def fuzz_settings(**overrides) -> settings:
    """Settings for one property: the chosen profile, no deadline (CI machines stall)."""
    profile = dict(PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "ci")])
    profile.update(overrides)
    return settings(
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.large_base_example,
        ],
        **profile,
    )


def mostly(good, bad, one_in: int = 6):
    """`bad` once in `one_in` draws, else `good`. Mostly right, so that most envelopes still
    get past deserialisation and reach the handlers, where the interesting crashes are."""
    return st.integers(0, one_in - 1).flatmap(lambda n: bad if n == 0 else good)


# --- text and JSON values ------------------------------------------------------------

ODD_STRINGS = [
    "",
    " ",
    "calf",
    "CALF",
    "\u202eflac\u202c",  # right-to-left override
    "\u05e9\u05d5\u05e7",  # Hebrew: calf
    "\u0633\u0627\u0642",  # Arabic
    "\U0001f9b5\U0001f4a5",  # leg, collision emoji
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ sequence
    "\x00",
    "calf\x00left",
    "\ud800",  # lone high surrogate (valid JSON: "\ud800")
    "\udfff tail",
    "<speak>",
    "</s><audio src='https://evil.example/x.mp3'/>",
    "&amp; & < > \" '",
    "]]><!--",
    "%s %d {leg} {0} {",
    "\r\n\t\x0b\x0c",
    "\ufeffBOM",
]
# (text, times): built lazily so that hypothesis' statistics do not print 60 KB of "A".
HUGE_STRINGS = [("A", 10_000), ("\U0001f9b5", 5_000), ("<s>", 20_000)]

surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
any_char = st.characters(codec=None, exclude_categories=())
short_text = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=30),
    st.text(alphabet=st.one_of(any_char, surrogates), max_size=30),
)
huge_text = st.sampled_from(HUGE_STRINGS).map(lambda pair: pair[0] * pair[1])
odd_text = st.one_of(short_text, huge_text)


def json_of(text):
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**64),
        st.floats(allow_nan=False, allow_infinity=False),
        text,
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4),
        ),
        max_leaves=12,
    )


json_values = json_of(odd_text)
# Session attributes go back out in the response, and Alexa only ever returns what the skill
# sent within a 24 KB response: no huge strings there.
small_json_values = json_of(short_text)


# --- request parts -------------------------------------------------------------------

REQUEST_TYPES = [
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "CanFulfillIntentRequest",
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillAccountLinked",
    "Connections.Response",
    "Reminders.ReminderCreated",
    "AlexaHouseholdListEvent.ItemsCreated",
    "Display.ElementSelected",
    "System.ExceptionEncountered",
    "Alexa.Presentation.APL.UserEvent",
]
# Every request type the SDK knows, beyond the ones named above.
SDK_REQUEST_TYPES = sorted(set(Request.discriminator_value_class_map) - set(REQUEST_TYPES))
LOCALES = ["en-US", "en-GB", "en-AU", "en-CA", "en-IN", "de-DE", "fr-FR", "ja-JP", "es-US", "en"]
TIMESTAMPS = [
    "2026-11-26T08:00:00Z",  # night in New York
    "2026-11-26T17:00:00Z",  # day in New York
    "2026-11-26T08:00:00",  # no zone
    "2026-11-26T08:00:00.123456+05:30",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
]
OFFSETS = [dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(-dt.timedelta(hours=12))]
BAD_TIMESTAMPS = ["yesterday", "", "2026-13-45T99:00:00Z"]
timestamps = mostly(
    st.one_of(
        st.sampled_from(TIMESTAMPS),
        st.datetimes(timezones=st.sampled_from(OFFSETS)).map(lambda d: d.isoformat()),
    ),
    st.sampled_from(BAD_TIMESTAMPS),
)
ZONES = ["America/New_York", "Europe/London", "Pacific/Kiritimati", "UTC", "Mars/Olympus", ""]


def wrong_typed(good):
    """The right kind of value, or now and then any JSON value in its place."""
    return mostly(good, json_values, one_in=20)


def small_wrong_typed(good):
    return mostly(good, small_json_values, one_in=20)


slot_ids = st.one_of(st.sampled_from(SLOT_VALUE_IDS), odd_text)


@st.composite
def authority(draw):
    code = draw(
        st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT", "BOGUS"])
    )
    found = {"authority": draw(odd_text), "status": {"code": code}}
    if draw(st.booleans()):
        values = st.lists(
            st.fixed_dictionaries(
                {"value": st.fixed_dictionaries({"name": odd_text, "id": slot_ids})}
            ),
            max_size=3,
        )
        found["values"] = draw(wrong_typed(values))
    return draw(wrong_typed(st.just(found)))


@st.composite
def slot(draw, name: str):
    found = {"name": name, "confirmationStatus": "NONE"}
    if draw(st.integers(0, 4)):
        found["value"] = draw(wrong_typed(st.one_of(st.sampled_from(SLOT_VALUE_IDS), odd_text)))
    if draw(st.integers(0, 3)):
        authorities = st.lists(authority(), max_size=2)
        found["resolutions"] = draw(
            wrong_typed(st.fixed_dictionaries({"resolutionsPerAuthority": authorities}))
        )
    return draw(wrong_typed(st.just(found)))


@st.composite
def intent(draw):
    name = draw(mostly(st.sampled_from(sorted(INTENT_SLOTS)), odd_text))
    names = INTENT_SLOTS.get(name, [])
    names = names + draw(st.lists(st.sampled_from(["muscle", "side", "when", "x"]), max_size=2))
    slots = {n: draw(slot(n)) for n in names}
    return {
        "name": draw(wrong_typed(st.just(name))),
        "confirmationStatus": draw(st.sampled_from(["NONE", "CONFIRMED", "DENIED", "?"])),
        "slots": draw(wrong_typed(st.just(slots))),
    }


# Every 'asking' value a journey sets, and one none does.
ASKING_VALUES = [
    "easing",
    "muscle",
    "consent",
    "delete",
    "bedtime_time",
    "bedtime_set",
    "bedtime_cancel",
    "tip",
    "tonight_tip",
    "guide_more",
    "?",
]
# Session attributes a client could send back: ours, corrupted, or anything.
ssml_samples = st.sampled_from(
    ["<speak><s>Hello.</s></speak>", "<speak>", "not ssml", "<speak><break time='99s'/></speak>"]
)
repeat_value = small_wrong_typed(
    st.fixed_dictionaries(
        {"speech": small_wrong_typed(ssml_samples), "reprompt": small_wrong_typed(ssml_samples)}
    )
)
episode_value = small_wrong_typed(
    st.fixed_dictionaries(
        {},
        optional={
            "muscle": small_wrong_typed(
                st.sampled_from(["calf", "foot", "hamstring", "any", "elbow"])
            ),
            "side": small_wrong_typed(st.sampled_from(["left", "right", None])),
            "started": small_wrong_typed(st.one_of(timestamps, st.sampled_from(BAD_TIMESTAMPS))),
            "id": small_wrong_typed(st.just("amzn1.echo-api.request.1")),
            "used": small_wrong_typed(
                st.lists(st.sampled_from(["calf_stretch", "walk", "?"]), max_size=4)
            ),
        },
    )
)
session_attributes = st.fixed_dictionaries(
    {},
    optional={
        "episode": episode_value,
        "asking": small_wrong_typed(
            st.sampled_from(["easing", "muscle", "consent", "reminder", "?"])
        ),
        "repeat": repeat_value,
        "tz": small_wrong_typed(st.sampled_from(ZONES)),
        "turn": small_json_values,
        # Other journeys' state: as they write it, corrupted, or anything.
        "tips_heard": small_wrong_typed(st.lists(st.sampled_from(["t1", "?"]), max_size=3)),
        "tips_in_profile": small_wrong_typed(st.booleans()),
        "bedtime": small_json_values,
        "guide_walk": small_wrong_typed(
            st.fixed_dictionaries(
                {},
                optional={
                    "topic": small_wrong_typed(st.sampled_from(["causes", "drinks", "?"])),
                    "said": small_wrong_typed(st.lists(st.sampled_from(["x", "?"]), max_size=3)),
                },
            )
        ),
        "cramp_record": small_wrong_typed(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": small_wrong_typed(st.just("amzn1.echo-api.request.1")),
                    "outcome": small_wrong_typed(st.sampled_from(["saved", "failed", "?"])),
                },
            )
        ),
        "pending_cramp": small_json_values,
        "episodes_recorded": small_wrong_typed(st.lists(st.just("amzn1.echo-api.request.1"))),
        "episodes_unrecorded": small_wrong_typed(st.lists(small_json_values, max_size=2)),
        "x": small_json_values,
    },
)


@st.composite
def request_body(draw, kind: str):
    request = {
        "type": kind,
        "requestId": draw(wrong_typed(st.just(f"amzn1.echo-api.request.{draw(st.uuids())}"))),
        "timestamp": draw(wrong_typed(timestamps)),
        "locale": draw(wrong_typed(st.sampled_from(LOCALES))),
    }
    if kind in ("IntentRequest", "CanFulfillIntentRequest"):
        request["intent"] = draw(wrong_typed(intent()))
        request["dialogState"] = draw(st.sampled_from(["STARTED", "IN_PROGRESS", "COMPLETED"]))
    if kind == "SessionEndedRequest":
        request["reason"] = draw(
            wrong_typed(st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"]))
        )
        if draw(st.booleans()):
            request["error"] = draw(
                wrong_typed(st.fixed_dictionaries({"type": odd_text, "message": odd_text}))
            )
    if kind.startswith("AlexaSkillEvent."):
        request["body"] = draw(json_values)
        request["eventCreationTime"] = draw(wrong_typed(timestamps))
    if kind == "Connections.Response":
        request["name"] = draw(wrong_typed(st.sampled_from(["AskFor", "Buy"])))
        request["status"] = {"code": draw(wrong_typed(st.sampled_from(["200", "400"])))}
        request["payload"] = draw(json_values)
    return request


# Fields that can go missing or change type. The API endpoint is never fuzzed into a host
# name: a test must not look one up or connect anywhere but loopback.
MUTABLE_PATHS = [
    ("version",),
    ("session",),
    ("session", "new"),
    ("session", "sessionId"),
    ("session", "attributes"),
    ("session", "user"),
    ("session", "user", "userId"),
    ("session", "application"),
    ("context",),
    ("context", "System"),
    ("context", "System", "user"),
    ("context", "System", "user", "userId"),
    ("context", "System", "device"),
    ("context", "System", "device", "deviceId"),
    ("context", "System", "device", "supportedInterfaces"),
    ("context", "System", "apiAccessToken"),
    ("context", "System", "application"),
    ("request",),
    ("request", "type"),
    ("request", "requestId"),
    ("request", "timestamp"),
    ("request", "locale"),
    ("request", "intent"),
    ("request", "intent", "name"),
    ("request", "intent", "slots"),
]
API_ENDPOINTS = ["http://127.0.0.1:9", "", "not a url", "file:///dev/null", None, 9, ["x"]]


def mutate(event: dict, path: tuple, value, delete: bool) -> None:
    node = event
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


@st.composite
def envelopes(draw):
    """A request envelope, plausible or bent out of shape."""
    kind = draw(mostly(st.sampled_from(REQUEST_TYPES + SDK_REQUEST_TYPES), odd_text, one_in=10))
    event = fixture("launch")
    event["request"] = draw(request_body(kind))
    event["session"]["new"] = draw(st.booleans())
    event["session"]["attributes"] = draw(small_wrong_typed(session_attributes))
    user = draw(st.one_of(st.just("amzn1.ask.account.FUZZ"), odd_text))
    event["session"]["user"]["userId"] = user
    event["context"]["System"]["user"]["userId"] = user
    event["context"]["System"]["device"]["deviceId"] = draw(
        st.one_of(st.just("amzn1.ask.device.FUZZ"), odd_text)
    )
    event["context"]["System"]["apiEndpoint"] = draw(st.sampled_from(API_ENDPOINTS))
    for path in draw(mostly(st.just([]), st.lists(st.sampled_from(MUTABLE_PATHS), max_size=3))):
        values = small_json_values if path[0] == "session" else json_values  # echoed back
        mutate(event, path, draw(values), delete=draw(st.booleans()))
    if not draw(st.integers(0, 3)):
        event.pop("session", None)  # skill events and some requests come without a session
    return copy.deepcopy(event)


any_event = st.one_of(envelopes(), envelopes(), envelopes(), json_values)


# --- catching handler failures the exception handler would hide ----------------------


class _FailureRecorder(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.failures: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The skill's exception handler logs the handler_failed event with the traceback.
        if '"event": "handler_failed"' in record.getMessage() and record.exc_info:
            self.failures.append(record.exc_info[1])


@contextlib.contextmanager
def no_handler_failures():
    """Fail if any handler raised: the skill's last-resort exception handler answers
    gracefully, so without this a crash would pass as a valid (but wrong) response."""
    recorder = _FailureRecorder()
    logger = logging.getLogger("cramp_coach")
    logger.addHandler(recorder)
    try:
        yield
    finally:
        logger.removeHandler(recorder)
    if recorder.failures:
        raise recorder.failures[0]


def tally(label: str) -> None:
    """Count an outcome for --hypothesis-show-statistics (when run by hypothesis)."""
    if hypothesis.currently_in_test_context():
        hypothesis.event(label)
