"""Reading slot values the way Alexa resolved them (entity resolution ids, not raw words).

Everything in a request is client data: values are parsed here, at the edge, into typed
values, and anything that does not parse is treated as not said.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest

MATCH = "ER_SUCCESS_MATCH"
# The days a cramp can have been on: datetime can shift them by a day or a time zone either
# way, and their sort keys read back (a four-digit year). Item-level bounds (how far back a
# person may log) belong to the journey.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
# What a person says into one slot is a few words; anything longer is cut here, before it can
# reach a card (8,000 characters in all) or the session.
MAX_HEARD_CHARS = 200
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class SlotValue:
    id: str | None  # the canonical id from the slot type, when Alexa matched one
    heard: str | None  # what the user said, when anything

    @property
    def unmatched(self) -> bool:
        return self.heard is not None and self.id is None


def slot(handler_input: HandlerInput, name: str) -> SlotValue:
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return SlotValue(None, None)
    slots = request.intent.slots
    found = slots.get(name) if isinstance(slots, dict) else None
    heard = getattr(found, "value", None)
    if not isinstance(heard, str) or not heard:
        return SlotValue(None, None)
    heard = heard[:MAX_HEARD_CHARS]
    resolutions = getattr(getattr(found, "resolutions", None), "resolutions_per_authority", None)
    for authority in resolutions if isinstance(resolutions, list) else []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if getattr(status, "value", status) == MATCH:
            resolved = _first_id(getattr(authority, "values", None))
            if resolved:
                return SlotValue(resolved, heard)
    return SlotValue(None, heard)


def _first_id(values) -> str | None:
    """The first resolved id in an authority's values ([{}] and [null] hold none)."""
    for wrapper in values if isinstance(values, list) else []:
        resolved = getattr(getattr(wrapper, "value", None), "id", None)
        if isinstance(resolved, str) and resolved:
            return resolved
    return None


def names_a_day(value: str | None) -> bool:
    """Whether an AMAZON.DATE value names one calendar day ("2026-11-25"), plausible or not;
    "2026-W48", "PRESENT_REF" or "XXXX-11-25" do not."""
    return isinstance(value, str) and bool(_ISO_DAY.fullmatch(value))


def calendar_day(value: str | None) -> dt.date | None:
    """AMAZON.DATE's one calendar day as a date; None for anything else, and for days no
    cramp can have been on (year 1, year 999): those would overflow or break sort keys."""
    if value is None or not names_a_day(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:  # 2026-13-45
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def aware_moment(value) -> dt.datetime | None:
    """An ISO date-time with a zone, as the skill writes into its session, within the days
    above; None for anything else (session attributes come back from the client)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:  # we write aware times; naive is not ours
        return None
    return moment if EARLIEST_DAY <= moment.date() <= LATEST_DAY else None
