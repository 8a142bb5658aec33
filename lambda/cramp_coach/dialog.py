"""Asking for one slot (Dialog.ElicitSlot), so Alexa takes a bare answer ("my hamstring",
"numb") from that slot's own samples only while the question is open. The model has no
sample that is only a slot: such a sample would swallow unrelated words at any time."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, Slot, SlotConfirmationStatus


def elicit(handler_input: HandlerInput, intent: str, slot_name: str) -> None:
    """Add the directive to this reply. Only on an IntentRequest: the launch request keeps
    a plain question, so a launch reply can never be refused for its directive."""
    if not is_request_type("IntentRequest")(handler_input):
        return
    # Imported here: the SDK's dialog package costs a cold start ~6 ms, and a cramp answer
    # never elicits a slot.
    from ask_sdk_model.dialog import ElicitSlotDirective

    handler_input.response_builder.add_directive(
        ElicitSlotDirective(
            slot_to_elicit=slot_name,
            updated_intent=Intent(
                name=intent,
                confirmation_status=IntentConfirmationStatus.NONE,
                slots={
                    slot_name: Slot(name=slot_name, confirmation_status=SlotConfirmationStatus.NONE)
                },
            ),
        )
    )
