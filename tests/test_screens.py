"""Echo Show screens through the real lambda_handler: what a person sees beside what they hear."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
from apl_suggester import payload_of, validate
from checks import MAX_RESPONSE_BYTES, assert_valid_response
from cramp_coach import screens
from cramp_coach.content import content_for
from cramp_coach.records import Cramp
from cramp_coach.screens import builders, figures, timing
from cramp_coach.screens import for_turn as screen_for
from cramp_coach.screens.apl import supports_apl
from envelopes import (
    DAY,
    NIGHT,
    SHOW_8,
    SPOT,
    Conversation,
    intent,
    speech_of,
    touch,
    with_apl,
)
from lambda_function import lambda_handler
from test_screens_golden import CONVERSATIONS, play

CONTENT = content_for("en-US")
SHOW_5 = {"shape": "RECTANGLE", "pixelWidth": 960, "pixelHeight": 480, "dpi": 160}
SHOW_15 = {"shape": "RECTANGLE", "pixelWidth": 1920, "pixelHeight": 1080, "dpi": 160}
VIEWPORTS = {"spot": SPOT, "show5": SHOW_5, "show8": SHOW_8, "show15": SHOW_15}
MUSCLES = ["calf", "foot", "hamstring", "quadriceps", "shin"]
RENDER = "Alexa.Presentation.APL.RenderDocument"


class ScreenChat(Conversation):
    """An Echo Show: every request says it has APL; touches are UserEvents in the session."""

    def __init__(self, *args, viewport=SHOW_8, **kwargs):
        super().__init__(lambda_handler, *args, **kwargs)
        self.viewport = viewport

    def _send(self, event: dict) -> dict:
        return super()._send(with_apl(event, self.viewport))

    def touch(self, answer: str, request_id: str | None = None) -> dict:
        event = touch(
            ["easing", answer],
            at=self.at,
            user=self.user,
            attributes=self.attributes,
            new=self.new,
            request_id=request_id,
        )
        return super()._send(event)


def directives(response: dict) -> list[dict]:
    return response["response"].get("directives", [])


def screen_of(response: dict) -> dict:
    (directive,) = [d for d in directives(response) if d["type"] == RENDER]
    return directive


def data_of(response: dict) -> dict:
    return screen_of(response)["datasources"]["screen"]


def size(response: dict) -> int:
    return len(json.dumps(response).encode())


# --- the mid-cramp screen ---------------------------------------------------------------


def test_every_relief_technique_has_its_own_pose():
    relief_ids = sorted(item.id for item in CONTENT.items("relief"))
    assert figures.technique_ids() == relief_ids
    for technique in relief_ids:
        pose = figures.pose(technique)
        assert pose["body"] and pose["head"] and pose["muscle"], technique


@pytest.mark.parametrize("at", [NIGHT, DAY], ids=["night", "day"])
@pytest.mark.parametrize("muscle", MUSCLES)
def test_a_cramp_answer_on_a_screen_shows_that_techniques_figure_and_words(muscle, at):
    response = ScreenChat(at=at).say("CrampNowIntent", muscle=muscle)
    assert_valid_response(response)
    data = data_of(response)
    first = sorted(
        (i for i in CONTENT.items("relief") if i.get("muscle") == muscle),
        key=lambda i: i.get("step"),
    )[0]
    assert data["figure"] == figures.pose(first.id)
    assert data["instruction"] == first.speech.format(leg="your leg")
    assert data["instruction"] in speech_of(response)  # the screen shows what is said


def spoken_timeline(ssml: str) -> list[tuple[float, str]]:
    """(start in seconds, sentence) read back from the SSML the user hears."""
    clock, timeline = 0.0, []
    for sentence, pause in re.findall(r'<s>(.*?)</s>|<break time="([\d.]+)s"/>', ssml):
        if pause:
            clock += float(pause)
        else:
            timeline.append((clock, sentence))
            clock += timing.sentence_seconds(sentence)
    return timeline


@pytest.mark.parametrize("at", [NIGHT, DAY], ids=["night", "day"])
def test_the_countdown_shows_each_number_as_the_voice_says_it(at):
    response = ScreenChat(at=at).say("CrampNowIntent", muscle="calf")
    hold = data_of(response)["hold"]
    assert [m["label"] for m in hold["marks"]] == ["30", "20", "10", "Done"]
    # Three spoken rounds of ten seconds: the count starts at the hold the voice counts.
    assert speech_of(response).count('<break time="10s"/>') == 3
    said = dict((s, t) for t, s in spoken_timeline(speech_of(response)))
    cues = [
        "Hold it there, and breathe slowly.",
        "Twenty seconds.",
        "Ten more.",
        "Now ease off slowly.",
    ]
    shown_at, clock = [], 0
    for mark in hold["marks"]:
        clock += mark["waitMs"]
        shown_at.append(clock)
    assert shown_at == [round(said[cue] * 1000) for cue in cues]
    # "Is it easing?" and its buttons appear as the voice asks it.
    assert clock + hold["askWaitMs"] == round(said["Is it easing?"] * 1000)


def test_a_technique_without_a_hold_shows_no_numbers_and_asks_when_the_voice_does():
    chat = ScreenChat(at=DAY)
    chat.say("CrampNowIntent", muscle="shin")  # shin.stretch (hold), then shin.stand (no hold)
    response = chat.say("StillCrampingIntent")
    hold = data_of(response)["hold"]
    assert hold["marks"] == []
    said = dict((s, t) for t, s in spoken_timeline(speech_of(response)))
    assert hold["askWaitMs"] == round(said["Is it easing?"] * 1000)


# --- touch answers are the spoken answers -------------------------------------------------


@pytest.mark.parametrize(
    ("spoken", "touched"),
    [("StillCrampingIntent", "still_cramping"), ("CrampEasedIntent", "better")],
)
def test_touching_an_answer_does_exactly_what_saying_it_does(memory, spoken, touched):
    def conversation(answer, user):
        chat = ScreenChat(at=NIGHT, user=user)  # each its own user: both hear the first notice
        chat.say("CrampNowIntent", muscle="calf")
        chat.attributes["episode"]["id"] = "same-episode"  # the only request-specific value
        return answer(chat)

    by_voice = conversation(lambda chat: chat.say(spoken), "amzn1.ask.account.VOICE")
    by_touch = conversation(lambda chat: chat.touch(touched), "amzn1.ask.account.TOUCH")
    assert by_touch == by_voice


def test_still_cramping_then_better_by_touch_walks_the_whole_journey(memory):
    chat = ScreenChat(at=NIGHT, user="amzn1.ask.account.WALK")
    first = chat.say("CrampNowIntent", muscle="calf")
    second = chat.touch("still_cramping")
    assert data_of(second)["figure"] == figures.pose("calf.stand")
    assert data_of(first)["figure"] != data_of(second)["figure"]
    last = chat.touch("better")
    assert CONTENT.phrase("better_night") in speech_of(last)  # the goodbye, then consent
    assert "episode" not in last["sessionAttributes"]


@pytest.mark.parametrize("arguments", [["easing", "maybe"], ["other", "better"], [], ["easing"]])
def test_a_touch_the_skill_did_not_draw_is_not_taken_as_an_answer(arguments):
    event = touch(arguments, at=NIGHT)
    response = lambda_handler(event, None)
    assert "outputSpeech" not in response.get("response", {})


# --- night and day ---------------------------------------------------------------------


def brightest_channel(colour: str) -> int:
    return max(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_the_night_theme_is_dark_and_warm_with_nothing_bright_white():
    night, day = builders.theme(True), builders.theme(False)
    assert night.keys() == day.keys()
    for name, colour in night.items():
        assert brightest_channel(colour) <= 0xC0, name
        red, blue = int(colour[1:3], 16), int(colour[5:7], 16)
        assert red >= blue, f"{name} is not warm"
    assert brightest_channel(night["background"]) <= 0x10
    assert night != day


def test_night_and_day_cramp_screens_differ_in_theme_only_where_the_hour_says():
    at_night = data_of(ScreenChat(at=NIGHT).say("CrampNowIntent", muscle="calf"))
    by_day = data_of(ScreenChat(at=DAY).say("CrampNowIntent", muscle="calf"))
    assert at_night["theme"] == builders.theme(True)
    assert by_day["theme"] == builders.theme(False)


def test_an_emergency_at_night_shows_the_number_very_large_in_the_day_theme():
    response = ScreenChat(at=NIGHT).say("SymptomIntent", symptom="chest_pain")
    directive = screen_of(response)
    data = directive["datasources"]["screen"]
    assert data["number"] == "911"
    assert data["theme"] == builders.theme(False)
    assert "<prosody" not in speech_of(response)  # and the voice is the normal one
    number = directive["document"]["mainTemplate"]["item"]["item"]["items"][1]
    assert number["fontSize"] == "@numberSize"


# --- the same words, with or without a screen; only where it fits ----------------------------


def without_screen(response: dict) -> dict:
    response = json.loads(json.dumps(response))
    response["response"].pop("directives", None)
    return response


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_a_screen_never_changes_what_is_said(memory, name):
    with_screen = play(name, screen=True, user="SHOW")
    assert [without_screen(r) for r in with_screen] == play(name)


def test_no_screen_no_directive():
    response = lambda_handler(intent("CrampNowIntent", {"muscle": "calf"}, at=NIGHT), None)
    assert "directives" not in response["response"]


@pytest.mark.parametrize("context", [None, {}, {"System": {}}, {"System": {"device": {}}}])
def test_an_envelope_without_a_readable_device_has_no_screen(context):
    event = intent("CrampNowIntent", {"muscle": "calf"}, at=NIGHT)
    if context is None:
        event.pop("context")
    else:
        event["context"] = context
    response = lambda_handler(event, None)
    assert "directives" not in response.get("response", {})


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_every_viewport_gets_the_responsive_document_within_the_size_limit(viewport):
    response = ScreenChat(at=NIGHT, viewport=VIEWPORTS[viewport]).say("CrampNowIntent")
    assert_valid_response(response)
    document = screen_of(response)["document"]
    assert {"name": "alexa-viewport-profiles", "version": "1.6.0"} in document["import"]
    assert "@viewportProfile == @hubRoundSmall" in json.dumps(document)
    assert size(response) <= MAX_RESPONSE_BYTES


# --- checked as Amazon checks them ------------------------------------------------------


NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def stand_in_turn(night: bool) -> SimpleNamespace:
    """What the history screens read from a turn (history's handlers pass their own)."""
    return SimpleNamespace(content=CONTENT, phrase=CONTENT.phrase, night=night, local_time=NOW)


def sample_cramps() -> list[Cramp]:
    nights_ago = [1, 1, 3, 9, 13, 20]  # 20 is outside the fortnight
    return [
        Cramp(
            at=NOW - dt.timedelta(days=n),
            night=(NOW - dt.timedelta(days=n)).date(),
            muscle="calf",
            side="left",
            source="live",
            event_id=f"e{i}",
        )
        for i, n in enumerate(nights_ago)
    ]


def test_the_history_chart_has_fourteen_labelled_nights_and_a_bar_per_night_with_cramps():
    data = screen_for.history(stand_in_turn(False), "History", sample_cramps(), "Same.").data
    labels = [n["label"] for n in data["nights"]]
    assert len(labels) == 14 and len(set(labels)) == 14
    assert [int(n["count"]) for n in data["nights"]].count(0) == 14 - 4
    assert data["chart"]["bars"].count("M") == 4  # nights with cramps
    assert data["chart"]["empty"].count("M") == 10
    assert sum(int(n["count"]) for n in data["nights"]) == 5  # two on one night
    assert data["trend"] == "Same."


def test_the_tip_screen_shows_the_tips_evidence_grade():
    data = data_of(ScreenChat(at=DAY).say("TipIntent"))
    grades = {item.get("evidence") for item in CONTENT.items("tips")}
    assert any(grade in data["badge"] for grade in grades)
    assert data["lines"][0]["text"] in {item.card for item in CONTENT.items("tips")}


def history_screens(at: str, user: str) -> tuple[dict, dict]:
    """A person who keeps count: a cramp talked through and kept, then "show my cramp history"
    and "make a summary for my doctor" on the same screen; their two answers."""
    chat = ScreenChat(at=at, user=user)
    chat.say("CrampNowIntent", muscle="calf", side="right")
    chat.say("CrampEasedIntent")
    chat.say("AMAZON.YesIntent")  # yes, keep count
    chat.wait(hours=1)
    return chat.say("CrampHistoryIntent"), chat.say("DoctorSummaryIntent")


def test_history_and_doctor_answers_on_a_screen_show_the_chart_and_the_summary(memory):
    history, doctor = history_screens(DAY, "amzn1.ask.account.HISTORY")
    for response in (history, doctor):
        assert_valid_response(response)
    chart = data_of(history)
    assert sum(int(n["count"]) for n in chart["nights"]) == 1  # the cramp just kept
    assert chart["chart"]["bars"].count("M") == 1
    assert chart["theme"] == builders.theme(False)
    card = doctor["response"]["card"]
    card_text = card.get("content") or card["text"]
    card_lines = [line for line in card_text.split("\n") if line.strip()]
    assert [line["text"] for line in data_of(doctor)["lines"]] == card_lines  # the card, readable


def every_screen(table_cramps: bool = False) -> dict[str, dict]:
    """Every document with realistic data: each technique by night and day, the emergency,
    the tip, the history chart and the doctor page (through their handlers, and from a
    fuller history as plain data)."""
    payloads = {}
    for muscle in MUSCLES:
        for at, when in ((NIGHT, "night"), (DAY, "day")):
            chat = ScreenChat(at=at)
            response = chat.say("CrampNowIntent", muscle=muscle)
            n = 1
            while directives(response):
                payloads[f"{muscle}-{when}-{n}"] = payload_of(screen_of(response))
                chat.wait(seconds=30)
                response = chat.say("StillCrampingIntent")
                n += 1
    payloads["emergency"] = payload_of(
        screen_of(ScreenChat(at=NIGHT).say("SymptomIntent", symptom="chest_pain"))
    )
    payloads["tip"] = payload_of(screen_of(ScreenChat(at=DAY).say("TipIntent")))
    for at, when in ((NIGHT, "night"), (DAY, "day")):
        history, doctor = history_screens(at, f"amzn1.ask.account.EVERY-{when}")
        payloads[f"history-handler-{when}"] = payload_of(screen_of(history))
        payloads[f"doctor-handler-{when}"] = payload_of(screen_of(doctor))
    for night in (True, False):
        chart = screen_for.history(
            stand_in_turn(night), "Your cramp history", sample_cramps(), "Up from two."
        )
        page = screen_for.doctor(
            stand_in_turn(night),
            "Night cramps: 30-night summary",
            "Last 30 nights: 4 cramps on 3 nights.\nMostly the left calf.",
        )
        for screen in (chart, page):
            directive = screen.directive()
            payloads[f"{screen.document}-{night}"] = {
                "document": directive.document,
                "datasources": directive.datasources,
            }
    return payloads


def test_apl_suggester_accepts_every_document_and_datasource(memory):
    payloads = every_screen()
    techniques_shown = {
        json.dumps(p["datasources"]["screen"]["figure"])
        for p in payloads.values()
        if "figure" in p["datasources"]["screen"]
    }
    assert len(techniques_shown) >= 18  # nearly every pose went through the validator
    results = validate(payloads)
    problems = {name: r for name, r in results.items() if r["document"] or r["datasources"]}
    assert problems == {}


def test_apl_suggester_rejects_a_broken_document():
    """The validator really looks: a misspelt property and a bad value are caught."""
    directive = builders.emergency_screen(
        number="911", action="Call 911 now.", detail=""
    ).directive()
    document = json.loads(json.dumps(directive.document))
    document["mainTemplate"]["item"]["colour"] = "red"
    document["mainTemplate"]["item"]["item"]["alignItems"] = "middle"
    result = validate({"broken": {"document": document, "datasources": directive.datasources}})
    assert len(result["broken"]["document"]) == 2


def test_the_largest_answer_with_a_screen_fits_alexas_limit(table, capsys):
    sizes = {}
    for muscle in MUSCLES:
        chat = ScreenChat(at=DAY)
        sizes[f"cramp {muscle}"] = size(chat.say("CrampNowIntent", muscle=muscle))
    sizes["emergency"] = size(ScreenChat(at=NIGHT).say("SymptomIntent", symptom="chest_pain"))
    sizes["tip"] = size(ScreenChat(at=DAY).say("TipIntent"))
    history, doctor = history_screens(DAY, "amzn1.ask.account.SIZES")
    sizes["history"], sizes["doctor summary"] = size(history), size(doctor)
    largest = max(sizes, key=sizes.get)
    with capsys.disabled():
        print(f"\nlargest answer with a screen: {largest}, {sizes[largest]} bytes")
    assert sizes[largest] <= MAX_RESPONSE_BYTES


def test_supports_apl_reads_the_envelope():
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    def parsed(event):
        return DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)

    event = intent("CrampNowIntent", at=NIGHT)
    assert supports_apl(parsed(with_apl(event))) is True
    assert supports_apl(parsed(event)) is False
    assert screens.supports_apl(object()) is False
    old_runtime = with_apl(event)
    old_runtime["context"]["System"]["device"]["supportedInterfaces"]["Alexa.Presentation.APL"] = {
        "runtime": {"maxVersion": "1.9"}
    }
    assert supports_apl(parsed(old_runtime)) is False


def test_every_document_is_the_version_the_runtime_check_asks_for():
    from cramp_coach.screens.apl import APL_VERSION, document

    for name in ("cramp", "emergency", "chart", "page"):
        assert document(name)["version"] == APL_VERSION


def test_a_touch_after_the_session_closed_still_gets_the_stretch_first():
    response = lambda_handler(touch(["easing", "still_cramping"], at=NIGHT), None)
    first = CONTENT.item("relief", "calf.flex").speech.format(leg="your leg")
    assert first in speech_of(response)


def test_a_screen_that_fails_to_build_costs_nothing_but_the_screen(monkeypatch):
    from cramp_coach.screens import for_turn

    def broken(*args, **kwargs):
        raise KeyError("a figure went missing")

    monkeypatch.setattr(for_turn, "cramp_screen", broken)
    with_screen = ScreenChat(at=NIGHT).say("CrampNowIntent", muscle="calf")
    plain_device = lambda_handler(intent("CrampNowIntent", {"muscle": "calf"}, at=NIGHT), None)
    assert "directives" not in with_screen["response"]
    assert speech_of(with_screen) == speech_of(plain_device)
