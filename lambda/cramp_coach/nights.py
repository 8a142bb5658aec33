"""Cramp history arithmetic and wording: nights, windows, trends, the cards' text.

Pure functions over store.Cramp lists, so they are tested without DynamoDB. A "night" is
the local date the night began: a 2 a.m. cramp belongs to the night before.
"""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass

from .content import HISTORY, Content
from .records import Cramp, night_of

WEEK = 7
FORTNIGHT = 14
MONTH = 30
FREQUENT_NIGHTS_A_WEEK = 3  # three or more nights a week for two weeks: see a doctor


@dataclass(frozen=True)
class Window:
    """Nights first..last inclusive."""

    first: dt.date
    last: dt.date

    def holds(self, cramp: Cramp) -> bool:
        return self.first <= cramp.night <= self.last

    def before(self) -> Window:
        length = (self.last - self.first).days + 1
        return Window(self.first - dt.timedelta(days=length), self.first - dt.timedelta(days=1))

    def nights(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def current_night(local_now: dt.datetime) -> dt.date:
    """The night now belongs to (until 22:00, the one that began yesterday evening)."""
    return night_of(local_now)


def last_night(local_now: dt.datetime) -> dt.date:
    """What people mean by 'last night', at 3 a.m. or at 3 p.m.: the night begun yesterday."""
    return local_now.date() - dt.timedelta(days=1)


def recent(local_now: dt.datetime, nights: int) -> Window:
    end = current_night(local_now)
    return Window(end - dt.timedelta(days=nights - 1), end)


def query_start(local_now: dt.datetime, nights: int) -> dt.datetime:
    """A UTC moment safely before the first of `nights` nights (a day of slack for zones)."""
    first = recent(local_now, nights).first - dt.timedelta(days=1)
    return dt.datetime.combine(first, dt.time(0), tzinfo=local_now.tzinfo).astimezone(dt.UTC)


def within(cramps: list[Cramp], window: Window) -> list[Cramp]:
    return [c for c in cramps if window.holds(c)]


def nights_with_cramps(cramps: list[Cramp]) -> int:
    return len({c.night for c in cramps})


def needs_doctor(cramps: list[Cramp], local_now: dt.datetime) -> bool:
    """Frequent (3+ nights a week, two weeks running) or rising to 3+ nights this week."""
    this_week = recent(local_now, WEEK)
    now = nights_with_cramps(within(cramps, this_week))
    before = nights_with_cramps(within(cramps, this_week.before()))
    frequent = now >= FREQUENT_NIGHTS_A_WEEK and before >= FREQUENT_NIGHTS_A_WEEK
    rising = now >= FREQUENT_NIGHTS_A_WEEK and now > before
    return frequent or rising


# --- words ----------------------------------------------------------------------------


def count_words(content: Content, n: int) -> str:
    if n == 0:
        return content.phrase("count_none", HISTORY)
    return (
        content.phrase("count_one", HISTORY)
        if n == 1
        else content.phrase("count_many", HISTORY, n=n)
    )


def nights_words(content: Content, n: int) -> str:
    return (
        content.phrase("nights_one", HISTORY)
        if n == 1
        else content.phrase("nights_many", HISTORY, n=n)
    )


def clock_words(content: Content, hhmm: str) -> str:
    """'03:00' -> '3 a.m.', '23:30' -> '11:30 p.m.'."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    suffix = content.phrase("am" if hour < 12 else "pm", HISTORY)
    twelve = hour % 12 or 12
    return f"{twelve} {suffix}" if minute == 0 else f"{twelve}:{minute:02d} {suffix}"


def date_words(content: Content, day: dt.date, short: bool = False) -> str:
    return content.phrase(
        "short_date_format" if short else "date_format",
        HISTORY,
        weekday=day.strftime("%A"),
        weekday_short=day.strftime("%a"),
        month=day.strftime("%B"),
        month_short=day.strftime("%b"),
        day=day.day,
    )


def night_words(content: Content, night: dt.date, local_now: dt.datetime) -> str:
    if night == last_night(local_now):
        return content.phrase("last_night", HISTORY)
    if night == current_night(local_now):
        return content.phrase("tonight", HISTORY)
    return content.phrase("night_of", HISTORY, date=date_words(content, night))


def when_words(content: Content, cramp: Cramp, local_now: dt.datetime) -> str:
    night = night_words(content, cramp.night, local_now)
    if cramp.time_known and cramp.local_time:
        return content.phrase(
            "when_time", HISTORY, night=night, time=clock_words(content, cramp.local_time)
        )
    return content.phrase("when_night", HISTORY, night=night)


def muscle_words(content: Content, muscle: str, side: str | None) -> str:
    if muscle not in content.table("muscles") or muscle == "any":
        return content.phrase("muscle_any", HISTORY)
    return content.muscle_name(muscle, side)


def usual_time(cramps: list[Cramp]) -> str | None:
    """The median clock time of cramps with a known time, to the half hour ('03:00')."""
    minutes = []
    for c in cramps:
        if c.time_known and c.local_time:
            hour, minute = (int(part) for part in c.local_time.split(":"))
            minutes.append(((hour - 12) % 24) * 60 + minute)  # counted from noon: nights stay whole
    if not minutes:
        return None
    import statistics  # here: only the history answers need it (fractions, random: ~3 ms cold)

    middle = round(statistics.median(minutes) / 30) * 30
    hour = (middle // 60 + 12) % 24
    return f"{hour:02d}:{middle % 60:02d}"


def breakdown(content: Content, values: list[str | None], table: str) -> str:
    counted = collections.Counter(values).most_common()
    names: dict[str | None, str] = {None: content.phrase("side_none", HISTORY)}
    if table == "muscles":
        names.update(content.table("muscles"))
    else:
        names.update(
            {
                "left": content.phrase("side_left", HISTORY),
                "right": content.phrase("side_right", HISTORY),
            }
        )
    return ", ".join(f"{names.get(value, value)} {n}" for value, n in counted)


# --- cards ----------------------------------------------------------------------------


def history_card_text(content: Content, cramps: list[Cramp], local_now: dt.datetime) -> str:
    """14 nights as a text chart, weekly totals, muscles, sides, usual time."""
    fortnight = recent(local_now, FORTNIGHT)
    shown = within(cramps, fortnight)
    per_night = collections.Counter(c.night for c in shown)
    lines = [content.phrase("card_chart_heading", HISTORY)]
    for night in fortnight.nights():
        bar = "#" * per_night[night] if per_night[night] else "-"
        lines.append(f"{date_words(content, night, short=True)}  {bar}")
    this_week = recent(local_now, WEEK)
    for key, window in (("card_week_this", this_week), ("card_week_before", this_week.before())):
        inside = within(shown, window)
        lines.append(
            content.phrase(
                key if inside else key + "_none",
                HISTORY,
                count=count_words(content, len(inside)),
                nights=nights_words(content, nights_with_cramps(inside)),
            )
        )
    if shown:
        lines.extend(pattern_lines(content, shown))
    return "\n".join(lines)


def pattern_lines(content: Content, shown: list[Cramp]) -> list[str]:
    """Which muscles, which sides, and the usual time of night: for both cards."""
    lines = [
        content.phrase(
            "card_muscles", HISTORY, list=breakdown(content, [c.muscle for c in shown], "muscles")
        ),
        content.phrase(
            "card_sides", HISTORY, list=breakdown(content, [c.side for c in shown], "sides")
        ),
    ]
    usual = usual_time(shown)
    if usual:
        lines.append(content.phrase("card_usual_time", HISTORY, time=clock_words(content, usual)))
    return lines


def doctor_card_text(content: Content, cramps: list[Cramp], local_now: dt.datetime) -> str:
    """30 nights: one line per cramp (date, time, muscle), then totals, in plain text."""
    month = recent(local_now, MONTH)
    shown = within(cramps, month)
    lines = [
        content.phrase(
            "card_doctor_range",
            HISTORY,
            first=date_words(content, month.first),
            last=date_words(content, month.last),
        )
    ]
    if not shown:
        lines.append(content.phrase("card_doctor_none", HISTORY))
    for c in shown:
        time = (
            clock_words(content, c.local_time)
            if c.time_known and c.local_time
            else content.phrase("card_time_unknown", HISTORY)
        )
        night = date_words(content, c.night, short=True)
        muscle = muscle_words(content, c.muscle, c.side)
        lines.append(
            content.phrase("card_doctor_line", HISTORY, night=night, time=time, muscle=muscle)
        )
    if shown:
        lines.append("")
        lines.append(
            content.phrase(
                "card_doctor_totals",
                HISTORY,
                count=count_words(content, len(shown)),
                nights=nights_words(content, nights_with_cramps(shown)),
            )
        )
        lines.extend(pattern_lines(content, shown))
    lines.append(content.phrase("card_doctor_note", HISTORY))
    return "\n".join(lines)
