"""Alexa's size limits, enforced on every response after the journeys have built it.

A response over 24 KiB (session attributes included, which the client sends back and the
skill echoes) or a card over 8,000 characters is rejected by Alexa: the person would hear
an error instead of the answer. Cards are cut to fit; if the whole response is still too
big, the largest session attributes are dropped (logged by name, never by value) until it
fits. The journeys keep their state small; this guard is the backstop.
"""

from __future__ import annotations

import json
import logging

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from .envelope import session_attributes

MAX_RESPONSE_BYTES = 24 * 1024
MAX_CARD_CHARS = 8000  # title and content together
# The envelope around response and attributes ("version", "userAgent", keys): well under this.
ENVELOPE_BYTES = 512
ELLIPSIS = "\u2026"

log = logging.getLogger(__name__)
_SERIALIZER = DefaultSerializer()


def _json_bytes(value) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def fit_card(response: Response) -> None:
    card = response.card
    if not isinstance(card, SimpleCard):
        return
    title, content = card.title or "", card.content or ""
    if len(title) + len(content) <= MAX_CARD_CHARS:
        return
    title = title[:200]
    card.title = title
    card.content = content[: MAX_CARD_CHARS - len(title) - 1] + ELLIPSIS


def fit_attributes(response: Response, attributes: dict) -> list[str]:
    """Drop the largest session attributes until the whole response fits; their names."""
    budget = MAX_RESPONSE_BYTES - ENVELOPE_BYTES - _json_bytes(_SERIALIZER.serialize(response))
    # The usual case, in one serialisation: the n one-key objects measured below add up to
    # the whole object plus n - 1 bytes (a pair of braces each, less the n - 1 commas).
    if not attributes or _json_bytes(attributes) + len(attributes) - 1 <= budget:
        return []
    sizes = {key: _json_bytes({key: value}) for key, value in attributes.items()}
    dropped = []
    while attributes and sum(sizes.values()) > budget:
        largest = max(sizes, key=sizes.__getitem__)
        attributes.pop(largest)
        sizes.pop(largest)
        dropped.append(largest)
    return dropped


class ResponseLimits(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        if response is None:
            return
        fit_card(response)
        dropped = fit_attributes(response, session_attributes(handler_input))
        if dropped:
            log.warning("response over 24 KiB: dropped session attributes %s", sorted(dropped))
