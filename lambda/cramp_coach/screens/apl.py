"""Is there a screen, and the RenderDocument directive that puts a document on it."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

log = logging.getLogger(__name__)
APL_VERSION = "2023.2"  # every document's "version"; older runtimes get no screen
DOCUMENTS = Path(__file__).parent / "documents"
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Screen:
    """One document (by file name in documents/) and the plain data it shows."""

    document: str
    data: dict[str, Any]

    @property
    def token(self) -> str:
        return f"cramp-coach-{self.document}"

    def datasources(self) -> dict[str, Any]:
        return {"screen": self.data}

    def directive(self) -> RenderDocumentDirective:
        # Imported here: the SDK's APL package costs a cold start ~20 ms, and a device
        # without a screen never gets a document.
        from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

        return RenderDocumentDirective(
            token=self.token, document=document(self.document), datasources=self.datasources()
        )


def supports_apl(envelope: Any) -> bool:
    """context.System.device.supportedInterfaces names Alexa.Presentation.APL, at a runtime
    version that can show our documents. Anything unreadable means no screen."""
    try:
        apl = envelope.context.system.device.supported_interfaces.alexa_presentation_apl
    except AttributeError:
        return False
    if apl is None:
        return False
    runtime = getattr(apl, "runtime", None)
    max_version = getattr(runtime, "max_version", None)
    return max_version is None or _version(max_version) >= _version(APL_VERSION)


def _version(text: str) -> tuple[int, ...]:
    """'2023.2' -> (2023, 2); '1.9' -> (1, 9): year-numbered versions came after 1.x."""
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return (0,)


def show(handler_input: HandlerInput, build: Callable[[], Screen | None]) -> None:
    """Add a screen to this response, only if the device can show it.

    `build` runs only on such a device, and if it fails the answer goes out by voice alone:
    a screen must never cost a cramping person the spoken stretch."""
    if not supports_apl(handler_input.request_envelope):
        return
    try:
        screen = build()
    except Exception:
        log.exception("screen not built; answering by voice alone")
        return
    if screen is not None:
        handler_input.response_builder.add_directive(screen.directive())


@functools.cache
def document(name: str) -> dict[str, Any]:
    """A document from documents/<name>.json with the shared graphics and styles merged in."""
    doc = _read(DOCUMENTS / f"{name}.json")
    shared = _read(DOCUMENTS / "_shared.json")
    doc["import"] = [*shared.get("import", []), *doc.get("import", [])]
    doc["graphics"] = {**shared.get("graphics", {}), **doc.get("graphics", {})}
    doc["resources"] = [*shared.get("resources", []), *doc.get("resources", [])]
    doc["styles"] = {**shared.get("styles", {}), **doc.get("styles", {})}
    doc["layouts"] = {**shared.get("layouts", {}), **doc.get("layouts", {})}
    return {key: value for key, value in doc.items() if value != {} and value != []}


@functools.cache
def data_file(name: str) -> dict[str, Any]:
    return _read(HERE / name)


def _read(path: Path) -> dict[str, Any]:
    return {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}
