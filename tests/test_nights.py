"""Night arithmetic and card wording, without DynamoDB."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from cramp_coach import nights
from cramp_coach.content import content_for
from cramp_coach.store import Cramp, night_of

C = content_for("en-US")
NY = ZoneInfo("America/New_York")


def local(day, hour, minute=0, zone=NY):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=zone)


def cramp(night_day, hhmm="03:00", side="left", muscle="calf"):
    night = dt.date(2026, 11, night_day)
    return Cramp(
        at=dt.datetime.combine(night, dt.time(23), tzinfo=dt.UTC),
        night=night,
        muscle=muscle,
        side=side,
        source="logged",
        event_id=f"{night_day}-{hhmm}",
        local_time=hhmm,
    )


@pytest.mark.parametrize(
    "moment, night",
    [
        (local(26, 2), 25),  # 2 a.m. belongs to the night before
        (local(25, 23), 25),  # 11 p.m. begins a night
        (local(26, 21, 59), 25),  # still the same night-and-day until 22:00
        (local(26, 22), 26),
        (local(26, 2, zone=ZoneInfo("Asia/Tokyo")), 25),
    ],
)
def test_a_moment_belongs_to_the_night_that_began_before_it(moment, night):
    assert night_of(moment) == dt.date(2026, 11, night)


def test_the_week_is_seven_nights_ending_with_the_current_one():
    week = nights.recent(local(26, 13), nights.WEEK)
    assert (week.first, week.last) == (dt.date(2026, 11, 19), dt.date(2026, 11, 25))
    assert (week.before().first, week.before().last) == (
        dt.date(2026, 11, 12),
        dt.date(2026, 11, 18),
    )


def test_the_query_starts_before_the_first_night_in_any_zone():
    start = nights.query_start(local(26, 13), nights.WEEK)
    assert start < dt.datetime(2026, 11, 19, 22, tzinfo=NY)


def test_usual_time_wraps_round_midnight():
    assert (
        nights.usual_time([cramp(20, "23:30"), cramp(21, "00:30"), cramp(22, "01:00")]) == "00:30"
    )
    assert (
        nights.usual_time([cramp(20, "02:10"), cramp(21, "03:20"), cramp(22, "04:50")]) == "03:30"
    )


@pytest.mark.parametrize(
    "hhmm, said", [("03:00", "3 a.m."), ("00:15", "12:15 a.m."), ("23:30", "11:30 p.m.")]
)
def test_clock_words(hhmm, said):
    assert nights.clock_words(C, hhmm) == said


def test_three_nights_a_week_for_two_weeks_needs_a_doctor():
    now = local(26, 13)
    steady = [cramp(d) for d in (12, 14, 16, 19, 21, 23)]
    assert nights.needs_doctor(steady, now)
    assert not nights.needs_doctor([cramp(d) for d in (12, 14, 19, 21)], now)
    rising = [cramp(d) for d in (19, 21, 23)]
    assert nights.needs_doctor(rising, now)
    many_in_one_night = [cramp(25, t) for t in ("01:00", "02:00", "03:00", "04:00")]
    assert not nights.needs_doctor(many_in_one_night, now)


def test_doctor_card_when_empty():
    text = nights.doctor_card_text(C, [], local(26, 13))
    assert "No cramps logged in the last 30 nights." in text
