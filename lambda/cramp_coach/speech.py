"""Speech as SSML: one breath per sentence, pauses, and a quiet voice at night.

Every text that goes into SSML passes through `escape`, so a slot value or content
line with `&`, `<` or `>` can never break the markup.
"""

from __future__ import annotations

import re

MAX_BREAK_SECONDS = 10  # Alexa's limit for one <break>
MAX_SSML_CHARS = 8000  # Alexa's limit for outputSpeech
_BREAK_TIME = re.compile(r"(\d+)(ms|s)")
NIGHT_PROSODY = '<prosody volume="soft">'


def escape(text: str) -> str:
    """What xml.sax.saxutils.escape does, without importing the xml package at cold start."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Speech:
    """A sequence of sentences and pauses, rendered as SSML or plain text."""

    def __init__(self, *sentences: str):
        self._parts: list[str | float] = []
        self._digits: set[str] = set()
        for sentence in sentences:
            self.say(sentence)

    def say(self, *sentences: str) -> Speech:
        self._parts.extend(s for s in sentences if s)
        return self

    def pause(self, seconds: float) -> Speech:
        while seconds > 0:
            chunk = min(seconds, MAX_BREAK_SECONDS)
            self._parts.append(float(chunk))
            seconds -= chunk
        return self

    def extend(self, other: Speech) -> Speech:
        self._parts.extend(other._parts)
        self._digits |= other._digits
        return self

    def read_as_digits(self, *numbers: str) -> Speech:
        """Runs of digits (phone numbers) to say one digit at a time: "nine nine nine", not
        "nine hundred ninety-nine"."""
        self._digits.update(n for n in numbers if n)
        return self

    @property
    def parts(self) -> tuple[str | float, ...]:
        """Sentences and pauses (seconds) in the order they are spoken."""
        return tuple(self._parts)

    @property
    def sentences(self) -> list[str]:
        return [p for p in self._parts if isinstance(p, str)]

    def plain(self) -> str:
        return " ".join(self.sentences)

    def ssml(self, night: bool = False) -> str:
        body = "".join(
            f'<break time="{_seconds(p)}"/>' if isinstance(p, float) else f"<s>{self._text(p)}</s>"
            for p in self._parts
        )
        if night:
            body = f"{NIGHT_PROSODY}{body}</prosody>"
        return f"<speak>{body}</speak>"

    def _text(self, sentence: str) -> str:
        text = escape(sentence)
        if not self._digits:
            return text
        return _DIGIT_RUN.sub(
            lambda m: _as_digits(m.group()) if m.group() in self._digits else m.group(), text
        )


_DIGIT_RUN = re.compile(r"\d+")


def _as_digits(number: str) -> str:
    return f'<say-as interpret-as="digits">{number}</say-as>'


def _seconds(value: float) -> str:
    return f"{int(value)}s" if value == int(value) else f"{int(value * 1000)}ms"


def is_our_ssml(text) -> bool:
    """True if `text` is SSML as `Speech.ssml` renders it: what Repeat may say again.

    The last reply comes back in session attributes, which are client data. Only the
    elements and attributes `Speech` writes pass (speak, s, break with a time of at most
    10 s, prosody volume="soft", say-as interpret-as="digits" around digits), and only the
    three entities `escape` writes; no DOCTYPE, comment, CDATA or processing instruction.
    """
    if not isinstance(text, str) or len(text) > MAX_SSML_CHARS:
        return False
    if "<!" in text or "<?" in text or _FOREIGN_ENTITY.search(text):
        return False  # before parsing: a DOCTYPE could declare entities that expand
    import xml.etree.ElementTree as ET  # here: only Repeat needs it, not every cold start

    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return False
    return root.tag == "speak" and not root.attrib and all(_is_our_element(e) for e in root)


# The entities `escape` writes; any other reference (&#x..;, &nbsp;, &x;) is not ours.
_FOREIGN_ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)")
# Each element Speech writes, with the one attribute set it writes it with.
_OUR_ATTRIBUTES = {
    "s": {},
    "break": None,  # time: checked below
    "prosody": {"volume": "soft"},
    "say-as": {"interpret-as": "digits"},
}


def _is_our_element(element) -> bool:
    """`element` and everything inside it is what Speech writes (speak only at the root)."""
    if element.tag not in _OUR_ATTRIBUTES:
        return False
    if element.tag == "break":
        empty = len(element) == 0 and not element.text
        return empty and set(element.attrib) == {"time"} and _short_break(element.get("time"))
    if element.attrib != _OUR_ATTRIBUTES[element.tag]:
        return False
    if element.tag == "say-as":
        digits = element.text or ""
        return len(element) == 0 and digits.isascii() and digits.isdigit()
    return all(_is_our_element(child) for child in element)


def _short_break(time: str | None) -> bool:
    match = _BREAK_TIME.fullmatch(time or "")
    if not match:
        return False
    amount = int(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    return amount <= MAX_BREAK_SECONDS
