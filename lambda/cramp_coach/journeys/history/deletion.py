"""Deleting everything kept about a user: on request (confirmed first) and when the skill
is disabled."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from ...content import HISTORY
from ...observability import metric_event
from ...speech import Speech
from ...storage import StoreError, user_key
from ...turn import Asking, Turn, turn

log = logging.getLogger(__name__)


class DeleteHistoryHandler(AbstractRequestHandler):
    """'Delete my history': confirm first (no storage touched yet)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteHistoryIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        return t.reply(
            Speech(t.phrase("delete_confirm", HISTORY)),
            reprompt=Speech(t.phrase("delete_reprompt", HISTORY)),
            asking=Asking.DELETE,
        )


def delete_yes(t: Turn) -> Response:
    try:
        deleted = t.store.delete_user(t.user_id)
    except StoreError:
        return t.reply(Speech(t.phrase("unreachable", HISTORY)), end=True)
    return t.reply(
        Speech(t.phrase("delete_done" if deleted else "delete_nothing", HISTORY)), end=True
    )


def delete_no(t: Turn) -> Response:
    return t.reply(Speech(t.phrase("delete_kept", HISTORY)), end=True)


class SkillDisabledHandler(AbstractRequestHandler):
    """The user disabled the skill: delete everything kept about them."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        try:
            deleted = t.store.delete_user(t.user_id) if t.user_id else 0
            log.info("skill disabled: deleted %d items", deleted)
        except StoreError:
            # The salted key (never the raw id) so the deletion can be finished by hand.
            metric_event("skill_disabled_delete_failed", user_key=user_key(t.user_id))
        return handler_input.response_builder.response
