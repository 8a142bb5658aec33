"""Fault injection: DynamoDB errors and timeouts, Alexa APIs hanging, content missing.

Whatever fails, a cramping user hears the stretch first, in time, and the cramp count stays
exact: after the faults clear, the stored count equals the cramps the skill saved, and
Alexa's retries (same request id) never count one twice.

Faults go in at the store's real botocore client (tests/faults.py hooks) or at the network
(a loopback socket that accepts and never answers); the store, the skill and moto are real.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
import socket
import threading
import time
from pathlib import Path
from xml.sax.saxutils import unescape

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from checks import assert_valid_response
from cramp_coach import content, store, triage
from cramp_coach.content import content_dir, content_for
from cramp_coach.journeys.history import recording
from dynamo import DYNAMO, all_items
from envelopes import DAY, NIGHT, Conversation, first_sentence, intent, speech_of
from fake_alexa_api import FakeAlexaApi
from faults import fail_with
from fuzzing import no_handler_failures
from lambda_function import lambda_handler

USER = "amzn1.ask.account.FAULTS"
CONTENT = content_for("en-US")
LEGS = CONTENT.table("legs")
# The ten-minute red flag is spoken a sentence at a time: its first sentence opens the reply.
RED_FLAG = triage.action(CONTENT, CONTENT.item("red_flags", "cramp_over_10_minutes"))
# Alexa waits 8 s. The skill's deadlines (1.5 s a store write or profile read, 3 s a history
# read, 0.08 s the settings API) can stack within one turn: up to about 4.8 s measured.
MAX_TURN_SECONDS = 6.0

# DynamoDB errors as the service returns them: (code, HTTP status).
SERVICE_ERRORS = [
    ("ProvisionedThroughputExceededException", 400),
    ("ThrottlingException", 400),
    ("RequestLimitExceeded", 400),
    ("ServiceUnavailable", 503),
    ("InternalServerError", 500),
    ("ConditionalCheckFailedException", 400),
    ("ValidationException", 400),
    ("AccessDeniedException", 400),
]
# What each DynamoDB call site is reached by: (operation, what the user says).
CALL_SITES = [
    ("TransactWriteItems", "CrampEasedIntent"),  # the episode counted at "it's better"
    ("TransactWriteItems", "LogCrampIntent"),  # "log a cramp"
    ("Query", "LogCrampIntent"),  # the week's count on the logged card
    ("Query", "CrampCountIntent"),  # history by voice
    ("Query", "LastCrampIntent"),
    ("UpdateItem", "KeepCountIntent"),  # consent by voice
    ("GetItem", "TipIntent"),  # tip rotation from the profile
    ("Query", "DeleteHistoryIntent"),
]


CALL_SITE_ERRORS = [("ThrottlingException", 400), ("InternalServerError", 500)]


def relief_openings(c=CONTENT) -> set[str]:
    return {i.speech.format(leg=leg) for i in c.items("relief") for leg in LEGS.values()}


def opening(response: dict) -> str:
    return unescape(first_sentence(response))


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


@pytest.fixture
def consenting(table):
    """A user who said yes to keeping a count, in moto's in-process DynamoDB."""
    DYNAMO.grant_consent(USER)
    return USER


def stored(user: str = USER) -> tuple[int, int]:
    """(the profile's cramp_count, the number of cramp items) for the user."""
    pk = store.user_key(user)
    items = [i for i in all_items() if i["pk"]["S"] == pk]
    profile = next((i for i in items if i["sk"]["S"] == store.PROFILE_SK), {})
    count = int(profile.get("cramp_count", {}).get("N", "0"))
    return count, sum(1 for i in items if i["sk"]["S"].startswith(store.CRAMP_PREFIX))


HISTORY_WORDS = CONTENT.table("history")


def outcome(goodbye: dict) -> str:
    """What the 'it's better' goodbye (where an episode is counted) told the user."""
    if (goodbye["response"].get("card") or {}).get("title") == HISTORY_WORDS["card_title_logged"]:
        return store.SAVED  # saved now or before: the logged card
    if HISTORY_WORDS["save_failed_episode"] in speech_of(goodbye):
        return recording.FAILED
    return QUIET


QUIET = "nothing negative said"  # at night, and whenever the write may have landed


# --- DynamoDB errors at each call site ---------------------------------------------------


@pytest.mark.parametrize("code,status", SERVICE_ERRORS, ids=[c for c, _ in SERVICE_ERRORS])
def test_a_cramp_under_any_dynamodb_error_still_gets_the_stretch_first(consenting, code, status):
    talk = Conversation(lambda_handler, at=NIGHT, user=USER)
    with fail_with(code, status=status), no_handler_failures():
        first, seconds = timed(talk.say, "CrampNowIntent", muscle="calf")
        assert_valid_response(first)
        assert opening(first) == CONTENT.item("relief", "calf.flex").speech.format(leg=LEGS["none"])
        assert seconds < MAX_TURN_SECONDS
        again = talk.say("StillCrampingIntent")
        assert opening(again) in relief_openings()
        goodbye, seconds = timed(talk.say, "CrampEasedIntent")  # the episode is counted here
        assert_valid_response(goodbye)
        assert outcome(goodbye) == QUIET  # at night, nothing negative (a later read tells)
        assert seconds < MAX_TURN_SECONDS
    assert stored() == (0, 0)  # nothing half-written


@pytest.mark.parametrize("operation,said", CALL_SITES, ids=[f"{o}-{s}" for o, s in CALL_SITES])
@pytest.mark.parametrize(
    "code,status", [("ThrottlingException", 400), ("InternalServerError", 500)]
)
def test_every_call_site_answers_when_its_call_fails(consenting, operation, said, code, status):
    talk = Conversation(lambda_handler, at=DAY, user=USER)
    slots = {"muscle": "calf"} if said == "LogCrampIntent" else {}
    if said == "CrampEasedIntent":
        talk.say("CrampNowIntent", muscle="calf")
    with fail_with(code, operation=operation, status=status), no_handler_failures():
        response, seconds = timed(lambda: talk.say(said, **slots))
    assert_valid_response(response)
    assert speech_of(response)
    assert seconds < MAX_TURN_SECONDS


# --- timeouts: a loopback socket that accepts and never answers --------------------------


@contextlib.contextmanager
def black_hole():
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        listener.close()


@pytest.fixture
def hanging_dynamodb(monkeypatch):
    with black_hole() as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", url)
        store.reset_client()
        yield url
    store.reset_client()


@pytest.mark.hang
@pytest.mark.parametrize("said", ["CrampEasedIntent", "CrampCountIntent", "LogCrampIntent"])
def test_a_dynamodb_that_never_answers_is_given_up_on_in_time(hanging_dynamodb, said):
    talk = Conversation(lambda_handler, at=NIGHT, user=USER)
    with no_handler_failures():
        cramp, seconds = timed(talk.say, "CrampNowIntent", muscle="calf")
        assert opening(cramp) in relief_openings() and seconds < 1.0  # no storage at all
        slots = {"muscle": "calf"} if said == "LogCrampIntent" else {}
        response, seconds = timed(lambda: talk.say(said, **slots))
    assert_valid_response(response)
    assert seconds < MAX_TURN_SECONDS


@pytest.mark.hang
def test_a_settings_api_that_never_answers_costs_the_cramping_user_nothing():
    with black_hole() as url:
        event = intent("CrampNowIntent", {"muscle": "foot"}, at=NIGHT, user=USER)
        event["context"]["System"]["apiEndpoint"] = url
        with no_handler_failures():
            response, seconds = timed(lambda_handler, event, None)
    assert opening(response) in relief_openings()
    assert seconds < 1.0  # the time-zone look-up is capped at 0.08 s
    assert 'volume="soft"' in speech_of(response)  # the locale's default zone: still night


@pytest.mark.hang
def test_reminders_and_settings_apis_hanging_during_a_cramp_and_a_reminder_request():
    with FakeAlexaApi() as api:
        api.fail(hang=5.0, times=10, prefix="/v1/alerts/reminders")
        api.fail(hang=5.0, times=10, prefix="/v2/devices")
        handler = api.serving(lambda_handler, consent=True)
        talk = Conversation(handler, at=NIGHT, user=USER)
        with no_handler_failures():
            cramp, cramp_seconds = timed(talk.say, "CrampNowIntent", muscle="calf")
            talk.say("CrampEasedIntent")
            reminder, reminder_seconds = timed(
                lambda: Conversation(handler, at=DAY, user=USER).say(
                    "SetReminderIntent", time="22:00"
                )
            )
    assert opening(cramp) in relief_openings()
    assert cramp_seconds < 1.0
    assert_valid_response(reminder)
    assert reminder_seconds < MAX_TURN_SECONDS


# --- exact counts through faults and retries ---------------------------------------------


def cancelled(*reasons: str):
    """TransactWriteItems cancelled with these per-item reasons ("None" = that item was fine)."""

    def respond(**_):
        http = AWSResponse("http://dynamodb.invalid", 400, {}, None)
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
            "CancellationReasons": [{"Code": r} for r in reasons],
            "ResponseMetadata": {},
        }
        return http, parsed

    return _hook("before-call.dynamodb.TransactWriteItems", respond)


def response_lost():
    """The write reaches DynamoDB and commits, then the reply is lost (a read timeout)."""

    def lose(**_):
        raise ReadTimeoutError(endpoint_url="http://dynamodb.invalid")

    return _hook("after-call.dynamodb.TransactWriteItems", lose)


def response_late(seconds: float):
    """The write commits, then its reply takes `seconds` to come back (past the deadline)."""

    def late(**_):
        time.sleep(seconds)

    return _hook("after-call.dynamodb.TransactWriteItems", late)


@contextlib.contextmanager
def _hook(event: str, handler):
    events = store.client().meta.events
    events.register(event, handler, unique_id="reliability-fault")
    try:
        yield
    finally:
        events.unregister(event, unique_id="reliability-fault")


FAULT_CYCLE = [
    ("none", contextlib.nullcontext),
    ("throttled", lambda: fail_with("ThrottlingException")),
    ("none", contextlib.nullcontext),
    ("5xx", lambda: fail_with("ServiceUnavailable", status=503)),
    ("committed, reply lost", response_lost),
    ("conflict", lambda: cancelled("TransactionConflict", "None")),
    ("none", contextlib.nullcontext),
    ("throughput on the put", lambda: cancelled("None", "ProvisionedThroughputExceeded")),
    ("throughput exceeded", lambda: fail_with("ProvisionedThroughputExceededException")),
]
SUCCESS = (store.SAVED, store.ALREADY_SAVED)


def test_counts_stay_exact_through_faults_and_alexa_retries(consenting):
    """36 cramps, a fault on most; every one retried once by 'Alexa' (same request id) after
    the fault clears, some twice. The store then holds each cramp exactly once."""
    saved_episodes: set[str] = set()
    first_outcomes = []
    faults = itertools.cycle(FAULT_CYCLE)
    for n in range(36):
        name, fault = next(faults)
        cramp = lambda_handler(
            intent("CrampNowIntent", {"muscle": "calf"}, at=NIGHT, user=USER, new=True), None
        )
        assert opening(cramp) in relief_openings()
        eased = intent(
            "CrampEasedIntent",
            at=NIGHT,
            user=USER,
            attributes=cramp["sessionAttributes"],
            new=False,
            request_id=f"amzn1.echo-api.request.exact-{n}",
        )
        episode = cramp["sessionAttributes"]["episode"]["id"]
        with fault(), no_handler_failures():
            goodbye = lambda_handler(eased, None)
        first_outcomes.append((name, outcome(goodbye)))
        if outcome(goodbye) == store.SAVED:
            saved_episodes.add(episode)
        for _retry in range(1 + n % 2):  # Alexa retries: the very same envelope
            assert outcome(lambda_handler(eased, None)) in SUCCESS
            saved_episodes.add(episode)
    count, items = stored()
    assert count == items == len(saved_episodes) == 36
    # The faults really happened: only the fault-free first tries said saved.
    assert {o for name, o in first_outcomes if name == "none"} == {store.SAVED}
    assert {o for name, o in first_outcomes if name != "none"} == {QUIET}  # at night


@pytest.mark.parametrize("code,status", SERVICE_ERRORS, ids=[c for c, _ in SERVICE_ERRORS])
def test_by_day_only_a_refused_save_is_called_a_failure(consenting, code, status):
    talk = Conversation(lambda_handler, at=DAY, user=USER)
    talk.say("CrampNowIntent", muscle="calf")
    with fail_with(code, status=status, operation="TransactWriteItems"):
        goodbye = talk.say("CrampEasedIntent")
    maybe_applied = status >= 500
    assert outcome(goodbye) == (QUIET if maybe_applied else recording.FAILED)


def test_a_save_that_lands_but_answers_late_is_never_called_a_failure(consenting, monkeypatch):
    monkeypatch.setenv("CRAMP_SAVE_DEADLINE_SECONDS", "0.3")
    for at in (DAY, NIGHT):
        with response_late(0.6):
            said = Conversation(lambda_handler, at=at, user=USER).say("LogCrampIntent")
        assert "couldn't save" not in speech_of(said)
        talk = Conversation(lambda_handler, at=at, user=USER)
        talk.say("CrampNowIntent", muscle="foot")
        with response_late(0.6):
            goodbye = talk.say("CrampEasedIntent")
        assert outcome(goodbye) == QUIET
    assert stored() == (4, 4)  # every one of them was kept


def test_a_refused_log_by_day_is_told_honestly(consenting):
    with fail_with("ValidationException", operation="TransactWriteItems"):
        said = Conversation(lambda_handler, at=DAY, user=USER).say("LogCrampIntent")
    assert HISTORY_WORDS["save_failed"] in speech_of(said)


def test_a_lost_reply_then_a_retry_counts_the_cramp_once(consenting):
    """The write committed but its reply was lost; the retried goodbye must not add one."""
    cramp = lambda_handler(intent("CrampNowIntent", {"muscle": "calf"}, at=NIGHT, user=USER), None)
    eased = intent(
        "CrampEasedIntent", at=NIGHT, user=USER, attributes=cramp["sessionAttributes"], new=False
    )
    with response_lost():
        first = lambda_handler(eased, None)
    assert outcome(first) == QUIET  # not told it failed...
    assert stored() == (1, 1)  # ...for it did commit
    assert outcome(lambda_handler(eased, None)) == store.SAVED  # Alexa's retry: already kept
    assert stored() == (1, 1)


def test_counts_after_faults_match_what_the_user_hears(consenting):
    """Log five cramps by voice, two of them under faults; the spoken count says three."""
    for n in range(5):
        fault = fail_with("ThrottlingException") if n in (1, 3) else contextlib.nullcontext()
        day = f"2026-11-2{n}T17:00:00Z"
        with fault:
            Conversation(lambda_handler, at=day, user=USER).say("LogCrampIntent", muscle="calf")
    assert stored() == (3, 3)
    heard = Conversation(lambda_handler, at=DAY, user=USER).say("CrampCountIntent")
    assert re.search(r"\bthree\b|\b3\b", speech_of(heard))


# --- content missing an item ---------------------------------------------------------------


def without(copy: Path, topic: str, key: str) -> None:
    """Remove an [[item]] (by id) or a phrase (by key) from the copied content files."""
    for path in copy.rglob(f"{topic}.toml"):
        text = path.read_text()
        if topic == "phrases":
            text = re.sub(rf"(?m)^{re.escape(key)}\s*=.*\n", "", text)
        else:
            blocks = text.split("[[item]]")
            text = "[[item]]".join(b for b in blocks if f'id = "{key}"' not in b)
        path.write_text(text)


@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    copy = tmp_path / "content"
    shutil.copytree(content_dir(), copy)
    monkeypatch.setenv("CRAMP_CONTENT_DIR", str(copy))
    content._load.cache_clear()
    yield copy
    content._load.cache_clear()


MISSING = [
    ("relief", "calf.flex"),
    ("relief", "calf.stand"),
    ("red_flags", "cramp_over_10_minutes"),
    ("episode", "stretches_again"),
    ("episode", "ten_minute_rule"),
    ("episode", "soreness"),
    ("phrases", "hold_start"),
    ("phrases", "ask_easing"),
    ("phrases", "launch_night_offer"),
    ("phrases", "error_night"),
]


@pytest.mark.parametrize("topic,key", MISSING, ids=[f"{t}.{k}" for t, k in MISSING])
def test_a_missing_content_item_still_leaves_the_stretch_first(content_copy, topic, key):
    without(content_copy, topic, key)
    changed = content_for("en-US")
    gone = (
        key not in changed.table("phrases") if topic == "phrases" else not changed.find(topic, key)
    )
    assert gone, "the fault was not injected"
    openings = relief_openings(changed) | {RED_FLAG}
    talk = Conversation(lambda_handler, at=NIGHT)
    launch = talk.launch()
    assert_valid_response(launch)
    assert opening(launch) in openings
    for said in ["CrampNowIntent", "StillCrampingIntent", "StillCrampingIntent"]:
        response = talk.say(said)
        assert_valid_response(response)
        assert opening(response) in openings
    talk.wait(minutes=11)
    last = talk.say("StillCrampingIntent")
    assert_valid_response(last)
    assert opening(last) in openings
