"""Speech as SSML: one breath per sentence, pauses, and a quiet voice at night.

Every text that goes into SSML passes through `escape`, so a slot value or content
line with `&`, `<` or `>` can never break the markup.
"""

from __future__ import annotations

MAX_BREAK_SECONDS = 10  # Alexa's limit for one <break>
NIGHT_PROSODY = '<prosody volume="soft" rate="90%">'


def escape(text: str) -> str:
    """What xml.sax.saxutils.escape does, without importing the xml package at cold start."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Speech:
    """A sequence of sentences and pauses, rendered as SSML or plain text."""

    def __init__(self, *sentences: str):
        self._parts: list[str | float] = []
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
        return self

    @property
    def sentences(self) -> list[str]:
        return [p for p in self._parts if isinstance(p, str)]

    def plain(self) -> str:
        return " ".join(self.sentences)

    def ssml(self, night: bool = False) -> str:
        body = "".join(
            f'<break time="{_seconds(p)}"/>' if isinstance(p, float) else f"<s>{escape(p)}</s>"
            for p in self._parts
        )
        if night:
            body = f"{NIGHT_PROSODY}{body}</prosody>"
        return f"<speak>{body}</speak>"


def _seconds(value: float) -> str:
    return f"{int(value)}s" if value == int(value) else f"{int(value * 1000)}ms"
