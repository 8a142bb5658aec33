"""Reading slot values the way Alexa resolved them (entity resolution ids, not raw words)."""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest

MATCH = "ER_SUCCESS_MATCH"


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
    found = (request.intent.slots or {}).get(name)
    if found is None or not found.value:
        return SlotValue(None, None)
    for authority in getattr(found.resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        code = getattr(status, "value", status)
        if code == MATCH and authority.values:
            return SlotValue(authority.values[0].value.id, found.value)
    return SlotValue(None, found.value)
