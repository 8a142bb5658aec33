"""The store-safe edition, asked about a history it does not keep.

Its interaction model has one NoHistoryIntent in place of the history intents, built from
their plain samples ("how many cramps have I had", "delete my history"), so the person hears
plainly that nothing is kept, rather than a guess. A history intent that still arrives (a
model older than the deployment) gets the same answer.
"""

from __future__ import annotations

from ask_sdk_model import Response

from ..speech import Speech
from ..turn import Turn

# The intents of the full edition's history journeys (interaction_model/parts/history.json).
HISTORY_INTENTS = (
    "LogCrampIntent",
    "KeepCountIntent",
    "CrampCountIntent",
    "LastCrampIntent",
    "WhichLegIntent",
    "CrampTrendIntent",
    "CrampHistoryIntent",
    "DoctorSummaryIntent",
    "DeleteHistoryIntent",
)
INTENTS = ("NoHistoryIntent", *HISTORY_INTENTS)


def keeps_nothing(t: Turn) -> Response:
    """'How many cramps have I had?': nothing is kept, so nothing to count, log or delete."""
    speech = Speech(t.phrase("no_history"), t.phrase("not_in_cramp"))
    return t.reply(speech, reprompt=Speech(t.phrase("help_reprompt")))
