"""Each screen as a function of plain data: words, numbers and a night flag in, a Screen out."""

from __future__ import annotations

from typing import Any

from . import figures
from .apl import Screen, data_file

THEMES = "themes.json"
CHART_HEIGHT = 100  # the bars' AVG box is 14 columns of 10 by this


def theme(night: bool) -> dict[str, str]:
    return dict(data_file(THEMES)["night" if night else "day"])


def cramp_screen(
    *,
    technique: str,
    title: str,
    instruction: str,
    marks: list[dict],
    ask_wait_ms: int,
    ask: str,
    still: str,
    better: str,
    night: bool,
) -> Screen:
    """The stretch as a figure, the instruction in large type, the counted hold, then the
    two answers to 'Is it easing?' as touch targets (they send the same answers as voice)."""
    first = marks[0]["label"] if marks else ""
    return Screen(
        "cramp",
        {
            "theme": theme(night),
            "title": title,
            "instruction": instruction,
            "figure": figures.pose(technique) or {},
            "hasFigure": figures.pose(technique) is not None,
            "hold": {"first": first, "marks": marks[:4], "askWaitMs": max(0, ask_wait_ms)},
            "ask": ask,
            "still": still,
            "better": better,
        },
    )


def emergency_screen(*, number: str, action: str, detail: str) -> Screen:
    """The number to call, very large, always in the day theme: it must be readable."""
    return Screen(
        "emergency", {"theme": theme(False), "number": number, "action": action, "detail": detail}
    )


def chart_bars(counts: list[int]) -> dict[str, Any]:
    """AVG paths for one bar a night (a thin mark for a night without cramps)."""
    top = max([*counts, 1])
    bars, empty = [], []
    for n, count in enumerate(counts):
        x = n * 10 + 2
        if count:
            height = max(8, round(count / top * (CHART_HEIGHT - 4)))
            bars.append(f"M{x},{CHART_HEIGHT} h6 v-{height} h-6 z")
        else:
            empty.append(f"M{x},{CHART_HEIGHT} h6 v-2 h-6 z")
    return {"bars": " ".join(bars), "empty": " ".join(empty), "width": len(counts) * 10}


def chart_screen(
    *, title: str, nights: list[tuple[str, int]], trend: str, note: str, night: bool
) -> Screen:
    """The last nights as bars, each labelled, oldest first, and the trend sentence."""
    counts = [count for _, count in nights]
    return Screen(
        "chart",
        {
            "theme": theme(night),
            "title": title,
            "trend": trend,
            "note": note,
            "chart": chart_bars(counts),
            "nights": [{"label": label, "count": str(count)} for label, count in nights],
        },
    )


def page_screen(
    *, title: str, lines: list[str], footnote: str, night: bool, badge: str = ""
) -> Screen:
    """A readable page: the doctor summary, or a tip with its evidence grade as the badge."""
    return Screen(
        "page",
        {
            "theme": theme(night),
            "title": title,
            "badge": badge,
            "lines": [{"text": line} for line in lines if line.strip()],
            "footnote": footnote,
        },
    )


def tip_screen(*, title: str, tip: str, evidence: str, sources: str, night: bool) -> Screen:
    return page_screen(title=title, lines=[tip], footnote=sources, night=night, badge=evidence)
