"""Screens for devices with a display (Echo Show, Spot): APL documents built from plain data.

Journeys call `show(handler_input, screen)` with a `Screen` from one of the builders below; on
a device without `Alexa.Presentation.APL` nothing is added, so its answer is byte for byte what
it was without screens. Speech is never changed because a screen exists.
"""

from .apl import Screen, show, supports_apl
from .builders import chart_screen, cramp_screen, emergency_screen, page_screen, tip_screen
from .timing import Cue, countdown

__all__ = [
    "Cue",
    "Screen",
    "chart_screen",
    "countdown",
    "cramp_screen",
    "emergency_screen",
    "page_screen",
    "show",
    "supports_apl",
    "tip_screen",
]
