"""Cramp history through the real lambda_handler and moto: what a user hears and sees."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from cramp_coach import store
from cramp_coach.content import content_for
from dynamo import DYNAMO, CallCounter, all_items
from envelopes import (
    DAY,
    NIGHT,
    Conversation,
    envelope,
    intent,
    plain,
    shift,
    skill_disabled,
    speech_of,
)
from faults import fail_with, slow
from lambda_function import lambda_handler

C = content_for("en-US")
USER = "amzn1.ask.account.HISTORYUSER"
CONSENT_QUESTION = C.phrase("consent_question", table="history")
STRETCH = "Straighten your left leg, pull your toes toward you."


def words(key, **values):
    return C.phrase(key, table="history", **values)


def talk(at=NIGHT, user=USER, tz=None):
    chat = Conversation(lambda_handler, at=at, user=user)
    if tz:
        chat.attributes = {"tz": tz}
    return chat


def spoken(response):
    return plain(speech_of(response))


def card(response):
    return response["response"].get("card") or {}


def count():
    profile = DYNAMO.load_profile(USER)
    return profile.cramp_count if profile else 0


def cramp_items():
    return [i for i in all_items() if i["sk"]["S"].startswith("CRAMP#")]


def consent(answer="yes"):
    """A returning user: consent given (or refused) before, first-use notice already heard."""
    if answer == "yes":
        DYNAMO.grant_consent(USER)
    else:
        DYNAMO.refuse_consent(USER)
    DYNAMO.update_profile(USER, notice_heard=True)


def seed(nights_ago, at=DAY, muscle="calf", side="left", hour=3):
    """A cramp logged at `hour` a.m. local, `nights_ago` nights before the day of `at`."""
    zone = dt.timezone(dt.timedelta(hours=-5))  # New York in November
    today = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(zone).date()
    night = today - dt.timedelta(days=nights_ago)
    local = dt.datetime.combine(night + dt.timedelta(days=1), dt.time(hour), tzinfo=zone)
    cramp = store.Cramp(
        at=local.astimezone(dt.UTC),
        night=night,
        muscle=muscle,
        side=side,
        source="logged",
        event_id=f"seed-{nights_ago}-{hour}-{muscle}",
        local_time=f"{hour:02d}:00",
    )
    assert DYNAMO.record_cramp(USER, cramp) == store.SAVED


# --- consent ------------------------------------------------------------------------------


def test_consent_is_asked_after_its_better_and_yes_saves_this_cramp(table):
    chat = talk()
    first = chat.say("CrampNowIntent", muscle="calf", side="left")
    assert spoken(first).startswith(STRETCH)
    assert CONSENT_QUESTION not in spoken(first)  # never mid-stretch
    goodbye = chat.say("CrampEasedIntent")
    assert spoken(goodbye).startswith(C.phrase("better_night"))
    assert spoken(goodbye).endswith(CONSENT_QUESTION)
    assert goodbye["response"]["shouldEndSession"] is False
    assert cramp_items() == []  # nothing before the yes
    yes = chat.say("AMAZON.YesIntent")
    assert spoken(yes) == words("consent_yes_logged")
    assert "Last night around 3 a.m.: left calf." in card(yes)["content"]
    assert count() == 1
    (event,) = cramp_items()
    assert event["night"]["S"] == "2026-11-25"  # 3 a.m. on the 26th: the night before
    assert event["muscle"]["S"] == "calf" and event["side"]["S"] == "left"
    assert event["source"]["S"] == "live"


def test_no_stores_only_the_refusal_and_is_never_asked_again(table):
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf")
    chat.say("CrampEasedIntent")
    assert spoken(chat.say("AMAZON.NoIntent")) == words("consent_no")
    assert [(i["sk"]["S"], i["consent"]["S"]) for i in all_items()] == [("PROFILE", "no")]
    later = talk(at=shift(NIGHT, hours=20))
    later.say("CrampNowIntent", muscle="foot")
    goodbye = later.say("CrampEasedIntent")
    assert spoken(goodbye) == C.phrase("better_night")
    assert goodbye["response"]["shouldEndSession"] is True
    assert cramp_items() == [] and count() == 0


def test_with_consent_the_goodbye_stays_short_and_the_card_shows_the_week(table):
    consent()
    seed(3)
    chat = talk()
    chat.say("CrampNowIntent", muscle="foot")
    goodbye = chat.say("CrampEasedIntent")
    assert spoken(goodbye) == C.phrase("better_night")
    assert goodbye["response"]["shouldEndSession"] is True
    assert card(goodbye)["title"] == words("card_title_logged")
    assert "This week: 2 cramps." in card(goodbye)["content"]
    assert count() == 2


def test_a_plain_yes_is_not_taken_as_consent_unless_consent_was_asked(table):
    chat = talk()
    chat.launch()  # night launch asks "another muscle?": a yes there is about the calf
    response = chat.say("AMAZON.YesIntent")
    assert spoken(response).startswith("Straighten your leg")
    assert DYNAMO.load_profile(USER) is None


def test_asking_for_history_without_consent_asks_for_it(table):
    response = talk(at=DAY).say("CrampCountIntent", period="week")
    assert spoken(response) == CONSENT_QUESTION
    assert DYNAMO.load_profile(USER) is None


def test_keep_count_after_an_earlier_no(table):
    consent("no")
    refused = talk(at=DAY).say("CrampCountIntent", period="week")
    assert spoken(refused) == words("not_counting")
    assert spoken(talk(at=DAY).say("KeepCountIntent")) == words("consent_yes")
    assert DYNAMO.load_profile(USER).consented


# --- counting exactly once ------------------------------------------------------------


def test_the_cramp_answers_touch_no_storage_and_the_episode_counts_at_its_end(table):
    consent()
    counter = CallCounter()
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf", side="left")
    chat.say("StillCrampingIntent")
    chat.say("CrampNowIntent", muscle="calf")  # the same muscle again: the same episode
    assert dict(counter.calls) == {}
    chat.say("CrampEasedIntent")
    assert counter.calls["TransactWriteItems"] == 1
    assert count() == 1


@pytest.mark.parametrize(
    "ending",
    ["silence", "AMAZON.StopIntent", "AMAZON.CancelIntent", "symptom"],
)
def test_an_episode_that_ends_without_its_better_is_still_counted_once(table, ending):
    consent()
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf", side="left")
    if ending == "silence":
        chat.end()
    elif ending == "symptom":  # an emergency hand-over ends the session at once
        chat.say("SymptomIntent", symptom=("chest pain", "chest_pain"))
    else:
        chat.say(ending)
    assert count() == 1
    assert [c["muscle"]["S"] for c in cramp_items()] == ["calf"]


def test_two_muscles_in_one_session_are_two_cramps_counted_at_the_end(table):
    consent()
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf")
    chat.say("CrampNowIntent", muscle="foot")
    assert count() == 0  # nothing written while cramping
    chat.end()
    assert count() == 2


def test_a_night_launch_closed_at_once_counts_nothing(table):
    consent()
    chat = talk()
    chat.launch()
    chat.say("AMAZON.StopIntent")
    assert count() == 0


def test_an_episodes_follow_ups_and_repeat_count_once(table):
    consent()
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf")
    chat.wait(minutes=2)
    chat.say("StillCrampingIntent")
    chat.wait(minutes=5)
    chat.say("CrampNowIntent", muscle="calf")
    chat.say("CrampEasedIntent")
    assert count() == 1 and len(cramp_items()) == 1


def test_a_new_muscle_is_a_new_cramp(table):
    consent()
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf")
    chat.say("CrampNowIntent", muscle="foot")
    chat.say("CrampEasedIntent")
    assert count() == 2


@pytest.mark.parametrize(
    "name, slots",
    [("CrampNowIntent", {"muscle": "calf"}), ("LogCrampIntent", {"muscle": "foot"})],
)
def test_a_retried_request_never_counts_twice(table, name, slots):
    consent()
    retry = intent(name, slots, at=NIGHT, user=USER, request_id="amzn1.echo-api.request.RETRY")
    first = lambda_handler(json.loads(json.dumps(retry)), None)
    again = lambda_handler(json.loads(json.dumps(retry)), None)
    assert spoken(first).split(".")[0] == spoken(again).split(".")[0]
    for response in (first, again):  # each copy's session then ends in silence
        ended = envelope(
            "session_ended", at=NIGHT, user=USER, attributes=response.get("sessionAttributes") or {}
        )
        lambda_handler(ended, None)
    assert count() == 1 and len(cramp_items()) == 1


def test_a_night_launch_then_its_better_counts_the_cramp(table):
    consent()
    chat = talk()
    chat.launch()
    chat.say("CrampEasedIntent")
    assert count() == 1


# --- logging afterwards ---------------------------------------------------------------


def test_logging_last_nights_cramp_by_day(table):
    consent()
    seed(2)
    response = talk(at=DAY).say("LogCrampIntent", muscle="calf", side="left", time="03:00")
    expected = words("logged", muscle="left calf", when="last night around 3 a.m", count="2 cramps")
    assert spoken(response) == expected
    assert card(response)["content"] == "Last night around 3 a.m.: left calf.\nThis week: 2 cramps."
    event = max(cramp_items(), key=lambda i: i["sk"]["S"])
    assert event["night"]["S"] == "2026-11-25" and event["source"]["S"] == "logged"


def test_logging_a_date_without_a_time(table):
    consent()
    response = talk(at=DAY).say("LogCrampIntent", date="2026-11-20")
    assert "the night of Friday, November 20" in spoken(response)
    (event,) = cramp_items()
    assert event["night"]["S"] == "2026-11-20" and event["time_known"]["BOOL"] is False


def test_logging_without_consent_asks_then_saves_that_cramp(table):
    chat = talk(at=DAY)
    asked = chat.say("LogCrampIntent", muscle="shin", time="02:30")
    assert spoken(asked) == CONSENT_QUESTION
    chat.say("AMAZON.YesIntent")
    (event,) = cramp_items()
    assert event["muscle"]["S"] == "shin" and event["local_time"]["S"] == "02:30"


def test_a_two_am_cramp_belongs_to_the_night_before_in_the_devices_zone(table):
    consent()
    # 2026-11-25 17:00 UTC is 02:00 on the 26th in Tokyo, but noon on the 25th in New York.
    at = "2026-11-25T17:00:00Z"
    talk(at=at, tz="Asia/Tokyo").say("LogCrampIntent", muscle="calf")
    (event,) = cramp_items()
    assert event["night"]["S"] == "2026-11-25" and event["local_time"]["S"] == "02:00"
    next_day = talk(at="2026-11-26T03:00:00Z", tz="Asia/Tokyo")  # noon in Tokyo
    response = next_day.say("CrampCountIntent", period="last_night")
    assert spoken(response) == words("answer_last_night", count="one cramp")


# --- history by voice and cards ---------------------------------------------------------


def test_history_when_there_is_none(table):
    consent()
    response = talk(at=DAY).say("CrampCountIntent", period="week")
    assert spoken(response).startswith(words("answer_week_none"))
    assert "Last 7 nights: no cramps" in card(response)["content"]
    assert spoken(talk(at=DAY).say("LastCrampIntent")) == words("answer_no_cramps")


def test_history_with_one_cramp(table):
    consent()
    seed(1, side="right", muscle="foot", hour=4)
    week = talk(at=DAY).say("CrampCountIntent", period="week")
    assert spoken(week).startswith("In the last seven nights you had one cramp, on one night.")
    last = talk(at=DAY).say("LastCrampIntent")
    assert spoken(last) == "Your last cramp was last night around 4 a.m., in your right foot."
    text = card(talk(at=DAY).say("CrampHistoryIntent"))["content"]
    assert "Wed Nov 25  #" in text and "Usual time: around 4 a.m." in text
    assert "Sides: right 1" in text and "Muscles: foot 1" in text


def test_the_week_is_the_last_seven_nights(table):
    consent()
    seed(7)  # the first of the last seven nights (Thursday the 19th)
    seed(8)  # the night before it: the week before
    response = talk(at=DAY).say("CrampCountIntent", period="week")
    assert spoken(response).startswith("In the last seven nights you had one cramp, on one night.")
    assert "That's the same as the seven nights before." in spoken(response)


def test_many_nights_rising_adds_the_doctor_advice(table):
    consent()
    for nights_ago in (1, 2, 3, 5):
        seed(nights_ago)
    seed(1, hour=5, side="right")
    seed(9)
    response = talk(at=DAY).say("CrampCountIntent", period="week")
    said = spoken(response)
    assert said.startswith("In the last seven nights you had 5 cramps, on 4 nights.")
    assert "That's more than the seven nights before, with one cramp." in said
    assert said.endswith(C.item("red_flags", "frequent_cramps").speech)
    trend = spoken(talk(at=DAY).say("CrampTrendIntent"))
    assert trend.startswith("Not yet. 6 cramps in the last two weeks, up from no cramps")
    leg = spoken(talk(at=DAY).say("WhichLegIntent"))
    assert leg == (
        "Your left leg cramps most: 5 of your 6 cramps in the last thirty nights."
        " The calf cramps most."
    )


def test_fewer_cramps_is_getting_better_without_doctor_advice(table):
    consent()
    for nights_ago in (15, 16, 18, 20):
        seed(nights_ago)
    seed(4)
    said = spoken(talk(at=DAY).say("CrampTrendIntent"))
    assert said == "Yes. One cramp in the last two weeks, down from 4 cramps the two weeks before."
    assert C.item("red_flags", "frequent_cramps").speech not in said


@pytest.mark.parametrize(
    "nights_ago, expected",
    [
        ((2,), "Not yet. One cramp in the last two weeks, up from no cramps the two weeks before."),
        (
            (2, 16),
            "About the same. One cramp in the last two weeks, and one cramp the two weeks before.",
        ),
    ],
)
def test_a_count_that_begins_a_sentence_begins_with_a_capital(table, nights_ago, expected):
    consent()
    for n in nights_ago:
        seed(n)
    assert spoken(talk(at=DAY).say("CrampTrendIntent")) == expected


def test_the_history_card_shows_fourteen_nights_and_weekly_totals(table):
    consent()
    seed(1)
    seed(1, hour=4, muscle="foot", side=None)
    seed(10, side="right")
    response = talk(at=DAY).say("CrampHistoryIntent")
    lines = card(response)["content"].splitlines()
    assert lines[0] == words("card_chart_heading")
    chart = lines[1:15]
    assert len(chart) == 14 and chart[-1] == "Wed Nov 25  ##" and chart[0] == "Thu Nov 12  -"
    assert "Mon Nov 16  #" in chart
    assert "Last 7 nights: 2 cramps on one night" in lines
    assert "The 7 nights before: one cramp on one night" in lines
    assert "Muscles: calf 2, foot 1" in lines
    (sides,) = [line for line in lines if line.startswith("Sides: ")]
    assert sorted(sides[len("Sides: ") :].split(", ")) == ["left 1", "right 1", "side not said 1"]


def test_the_doctor_summary_lists_thirty_nights(table):
    consent()
    seed(1, side="right")
    seed(30, muscle="foot")  # the first of the 30 nights
    seed(31)  # the night before: outside
    response = talk(at=DAY).say("DoctorSummaryIntent")
    assert spoken(response) == words("doctor_summary_ready")
    text = card(response)["content"]
    assert card(response)["title"] == words("card_title_doctor")
    assert text.startswith("From Tuesday, October 27 to Wednesday, November 25.")
    assert "Night of Wed Nov 25, 3 a.m.: right calf" in text
    assert "Night of Tue Oct 27, 3 a.m.: left foot" in text
    assert "Oct 26" not in text
    assert "Total: 2 cramps on 2 nights of 30 nights." in text


# --- deletion ------------------------------------------------------------------------


def test_delete_by_voice_asks_first_then_leaves_no_item(table):
    consent()
    seed(1)
    seed(2)
    chat = talk(at=DAY)
    assert spoken(chat.say("DeleteHistoryIntent")) == words("delete_confirm")
    assert len(all_items()) == 3  # nothing deleted before the yes
    assert spoken(chat.say("AMAZON.YesIntent")) == words("delete_done")
    assert all_items() == []


def test_no_to_delete_keeps_everything(table):
    consent()
    seed(1)
    chat = talk(at=DAY)
    chat.say("DeleteHistoryIntent")
    assert spoken(chat.say("AMAZON.NoIntent")) == words("delete_kept")
    assert len(all_items()) == 2


def test_disabling_the_skill_deletes_the_users_data(table):
    consent()
    seed(1)
    DYNAMO.update_profile("amzn1.ask.account.SOMEONEELSE", consent="yes")
    response = lambda_handler(skill_disabled(USER), None)
    assert "outputSpeech" not in response.get("response", {})
    assert [i["pk"]["S"] for i in all_items()] == [store.user_key("amzn1.ask.account.SOMEONEELSE")]


# --- failures ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ThrottlingException", "ProvisionedThroughputExceededException"])
def test_a_failing_table_never_touches_the_stretch_and_is_told_at_the_end(table, code):
    consent()
    chat = talk(at=DAY)  # at night nothing negative is said (test_faults)
    with fail_with(code):
        first = chat.say("CrampNowIntent", muscle="calf", side="left")
        assert spoken(first).startswith(STRETCH)
        assert words("save_failed_episode") not in spoken(first)
        goodbye = chat.say("CrampEasedIntent")
    said = spoken(goodbye)
    assert said.startswith("Good.")
    assert said.endswith(words("save_failed_episode"))  # refused: certainly not kept
    assert count() == 0


def test_a_failed_save_is_not_mentioned_to_someone_who_said_no(table):
    consent("no")
    earlier = talk(at=shift(NIGHT, hours=-20))
    earlier.say("CrampNowIntent", muscle="foot")
    earlier.end()  # the episode's write learns: refused
    chat = talk()
    with fail_with("ServiceUnavailable"):
        chat.say("CrampNowIntent", muscle="calf")
        goodbye = chat.say("CrampEasedIntent")
    # The notice flag is unreadable too, so the notice is said again; the failed save is not.
    assert spoken(goodbye).startswith(C.phrase("better_night"))
    assert words("save_failed_episode") not in spoken(goodbye)


def test_a_failed_save_is_retried_when_the_cramp_has_eased(table):
    consent()
    chat = talk()
    with fail_with("ThrottlingException"):
        chat.say("CrampNowIntent", muscle="calf")
    goodbye = chat.say("CrampEasedIntent")
    assert spoken(goodbye) == C.phrase("better_night")
    assert count() == 1


def test_a_stuck_table_cannot_hold_the_stretch(table, monkeypatch):
    monkeypatch.setenv("CRAMP_SAVE_DEADLINE_SECONDS", "0.3")
    consent()
    chat = talk()
    with slow(seconds=1.5, operation="TransactWriteItems"):
        began = time.monotonic()
        first = chat.say("CrampNowIntent", muscle="calf", side="left")
        took = time.monotonic() - began
    assert spoken(first).startswith(STRETCH)
    assert took < 1.0


def test_history_says_it_cannot_be_reached(table):
    consent()
    with fail_with("InternalServerError", status=500):
        for name in ("CrampCountIntent", "LastCrampIntent", "CrampHistoryIntent"):
            assert spoken(talk(at=DAY).say(name)) == words("unreachable")


def test_logging_says_it_could_not_save(table):
    consent()
    with fail_with("ProvisionedThroughputExceededException"):
        assert spoken(talk(at=DAY).say("LogCrampIntent")) == words("save_failed")


def test_no_raw_user_id_in_the_table_after_a_whole_night(table):
    chat = talk()
    chat.say("CrampNowIntent", muscle="calf", side="left")
    chat.say("CrampEasedIntent")
    chat.say("AMAZON.YesIntent")
    talk(at=DAY).say("LogCrampIntent", muscle="foot")
    talk(at=DAY).say("CrampHistoryIntent")
    dumped = json.dumps(all_items())
    assert len(all_items()) == 3
    assert "HISTORYUSER" not in dumped and USER not in dumped


def test_a_stuck_table_gets_a_clear_history_answer_in_time(table, monkeypatch):
    from cramp_coach.journeys.history import answers

    monkeypatch.setattr(answers, "READ_DEADLINE_SECONDS", 0.3)
    consent()
    with slow(seconds=1.5, operation="Query"):
        began = time.monotonic()
        response = talk(at=DAY).say("CrampCountIntent", period="month")
        took = time.monotonic() - began
    assert spoken(response) == words("unreachable") and took < 1.0


def test_devices_logging_at_once_through_the_skill_never_lose_a_count(server_table):
    """Twelve Echos send "log a cramp" at the same moment (moto's server, real sockets)."""
    import threading

    consent()
    replies = []

    def device(n):
        event = intent("LogCrampIntent", {"muscle": "calf"}, at=DAY, user=USER)
        event["context"]["System"]["device"]["deviceId"] = f"amzn1.ask.device.{n}"
        replies.append(spoken(lambda_handler(event, None)))

    threads = [threading.Thread(target=device, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(replies) == 12 and all(r.startswith("Got it.") for r in replies)
    assert count() == 12


# --- stored values the content does not know ---------------------------------------------


def test_which_leg_tolerates_a_stored_muscle_and_side_the_content_no_longer_knows(table):
    """Older content, a renamed muscle: the reader still answers, never the catch-all."""
    consent()
    seed(1, muscle="gastrocnemius", side="middle")
    seed(2)
    leg = spoken(talk(at=DAY).say("WhichLegIntent"))
    assert leg.startswith("Your left leg cramps most")
    assert "gastrocnemius" not in leg and "middle" not in leg
    summary = talk(at=DAY).say("DoctorSummaryIntent")
    assert "gastrocnemius" not in card(summary).get("content", "")
    history = talk(at=DAY).say("CrampHistoryIntent")
    assert "gastrocnemius" not in card(history).get("content", "")
    assert "Sorry" not in spoken(talk(at=DAY).say("CrampTrendIntent"))


def test_a_logged_muscle_id_the_content_lacks_is_stored_as_any_muscle(table):
    consent()
    talk(at=DAY).say(
        "LogCrampIntent", muscle=("gastro", "gastrocnemius"), side=("middle", "middle")
    )
    [item] = cramp_items()
    assert item["muscle"]["S"] == "any"
    assert "side" not in item


# --- what is kept without consent ----------------------------------------------------------


def test_a_day_launch_after_deletion_keeps_only_a_short_lived_notice_flag(table):
    consent()
    seed(1)
    chat = talk(at=DAY)
    chat.say("DeleteHistoryIntent")
    chat.say("AMAZON.YesIntent")
    assert all_items() == []
    talk(at=DAY).launch()
    for item in all_items():  # nothing but the flag, and it does not linger
        assert set(item) == {"pk", "sk", "notice_heard", "expires_at"}
        assert int(item["expires_at"]["N"]) <= time.time() + 31 * 86400
    assert DYNAMO.load_profile(USER) is None or DYNAMO.load_profile(USER).consent is None


def test_a_consenting_users_profile_expires_too(table):
    consent()
    talk(at=DAY).say("LogCrampIntent", muscle="calf")
    [profile] = [i for i in all_items() if i["sk"]["S"] == "PROFILE"]
    assert abs(int(profile["expires_at"]["N"]) - (time.time() + 400 * 86400)) < 60


# --- which nights can be logged --------------------------------------------------------------


# Days no cramp can have been on (year 1, year 999) get their own answer: tests/test_edge_values.py.
@pytest.mark.parametrize("day", ["2026-09-01", "2019-03-04", "2000-01-01"])
def test_a_cramp_older_than_sixty_nights_is_refused_with_a_clear_answer(table, day):
    consent()
    said = spoken(talk(at=DAY).say("LogCrampIntent", muscle="calf", date=day, time="03:00"))
    assert said == words("log_too_long_ago")
    assert cramp_items() == []


def test_a_cramp_sixty_nights_ago_can_still_be_logged(table):
    consent()
    said = spoken(talk(at=DAY).say("LogCrampIntent", muscle="calf", date="2026-09-27"))
    assert said.startswith("Got it. I've logged a calf cramp")
    assert len(cramp_items()) == 1


# --- bounded session state -------------------------------------------------------------------


def test_two_hundred_turns_of_changing_muscle_stay_under_the_response_limit(table):
    consent()
    chat = talk()
    muscles = ["calf", "foot", "hamstring", "quadriceps", "shin"]
    for n in range(200):
        response = chat.say("CrampNowIntent", muscle=muscles[n % len(muscles)])
        assert len(json.dumps(response).encode()) < 24 * 1024, n
    assert spoken(response).startswith("Gently stretch your shin")  # still coached


def test_a_slow_store_at_session_end_is_cut_off_once_for_all_episodes(table, monkeypatch):
    monkeypatch.setenv("CRAMP_SAVE_DEADLINE_SECONDS", "0.5")
    consent()
    chat = talk()
    for muscle in ["calf", "foot", "hamstring", "quadriceps"]:
        chat.say("CrampNowIntent", muscle=muscle)
    with slow(seconds=0.4, operation="TransactWriteItems"):
        began = time.monotonic()
        chat.end()
        took = time.monotonic() - began
        time.sleep(4 * 0.4)  # the writes cut off go on in the background: let them finish here
    assert took < 1.2  # one 0.5 s deadline for all four episodes, not 0.5 s each
