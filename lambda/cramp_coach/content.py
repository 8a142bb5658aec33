"""The words the skill says, loaded from content/ (TOML data) once per container.

content/en/ is the shared English base; content/<locale>/ overrides items by id and
phrases by key, and holds locale.toml (emergency number, default time zone, ...).
TOML because a clinician can review and edit it without touching Python, it allows
comments beside each fact, and the standard library reads it (tomllib). The Lambda zip also
carries each file's data as JSON beside it (written by infra/package.py from the TOML), which
the C JSON parser reads many times faster than tomllib, pure Python, parses TOML.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFAULT_LOCALE = "en-US"
# A locale as Alexa writes one. Anything else (path parts, NUL, lists) gets the default,
# and never reaches the file system.
_LOCALE_PATTERN = re.compile(r"[a-z]{2,3}-[A-Z]{2}")
PHRASES_FILE = "phrases"
LOCALE_FILE = "locale"
# The tables of content/<locale>/phrases.toml, by journey: Content.phrase(key, table).
PHRASES, HISTORY, BEDTIME, SCREEN = "phrases", "history", "bedtime", "screen"
# A placeholder that begins a sentence inside a phrase ("Not yet. {count} in"): its value
# ("one cramp") is capitalised there. One that ends one ("{when}."): a value that has its own
# full stop ("around 3 a.m.") does not get a second.
_SENTENCE_START = re.compile(r"[.!?]\s+\{(\w+)\}")
_SENTENCE_END = re.compile(r"\{(\w+)\}\.")


@functools.cache  # keyed by a phrase's own text: as many entries as the content has phrases
def _sentence_edges(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The placeholders that begin a sentence, and those that end one, in a phrase."""
    return frozenset(_SENTENCE_START.findall(text)), frozenset(_SENTENCE_END.findall(text))


def content_dir() -> Path:
    """content/ beside the package (Lambda zip) or at the repository root."""
    if os.environ.get("CRAMP_CONTENT_DIR"):
        return Path(os.environ["CRAMP_CONTENT_DIR"])
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "content", here.parents[1] / "content"):
        if (candidate / "sources.toml").is_file():
            return candidate
    raise FileNotFoundError("content/ not found beside the package or at the repository root")


@dataclass(frozen=True)
class Item:
    """One piece of content: what is said, what the card shows, and where it comes from."""

    id: str
    topic: str
    speech: str
    card: str
    sources: tuple[str, ...]
    fields: Mapping[str, Any] = field(repr=False)

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


class Content:
    """All content for one locale, with base English filled in under it.

    A topic's TOML files are parsed the first time the topic is asked for: a cramping
    user's first answer needs only a few topics, and parsing TOML is most of the cost of
    that answer in a fresh container.
    """

    def __init__(
        self, locale: str, topic_files: dict[str, list[Path]], tables: dict, facts: dict, sources
    ):
        self.locale = locale
        self._topic_files = topic_files  # topic -> its files, base language first
        self._topics: dict[str, dict[str, Item]] = {}
        self._tables = tables
        self._facts = facts
        self._sources = sources

    def _topic(self, topic: str) -> dict[str, Item]:
        items = self._topics.get(topic)
        if items is None:
            raws: dict[str, dict] = {}
            for path in self._topic_files.get(topic, ()):
                for raw in _read(path).get("item", []):
                    # A locale's item overrides only the fields it gives (say, just the card).
                    raws[raw["id"]] = {**raws.get(raw["id"], {}), **raw}
            items = {item_id: _item(topic, raw) for item_id, raw in raws.items()}
            self._topics[topic] = items
        return items

    def items(self, topic: str) -> list[Item]:
        return list(self._topic(topic).values())

    def item(self, topic: str, item_id: str) -> Item:
        return self._topic(topic)[item_id]

    def find(self, topic: str, item_id: str) -> Item | None:
        return self._topic(topic).get(item_id)

    def topics(self) -> list[str]:
        return sorted(self._topic_files)

    def phrase(self, key: str, table: str = PHRASES, **values: object) -> str:
        """The phrase `key` of a table in phrases.toml, its {placeholders} filled in: the one
        phrase look-up (Turn.phrase passes the turn's content)."""
        text = self._tables[table][key]
        if not values:
            return text
        filled = {name: str(value) for name, value in values.items()}
        starts, ends = _sentence_edges(text)
        for name in starts & filled.keys():
            filled[name] = filled[name][:1].upper() + filled[name][1:]
        for name in ends & filled.keys():
            if filled[name].endswith("."):
                filled[name] = filled[name][:-1]
        return text.format(**filled)

    def muscle_name(self, muscle: str, side: str | None = None) -> str:
        """'calf', 'left calf', 'back of right thigh': the muscle as a person would name it."""
        names = self._tables["muscles_sided"]
        template = names.get(muscle, names["any"])
        return " ".join(template.format(side=side if side in ("left", "right") else "").split())

    def table(self, name: str) -> Mapping[str, str]:
        return MappingProxyType(self._tables.get(name, {}))

    def fact(self, key: str) -> str:
        return self._facts[key]

    def source_names(self, ids: tuple[str, ...] | list[str]) -> list[str]:
        return [self._sources[source_id]["name"] for source_id in ids]

    @property
    def sources(self) -> Mapping[str, Mapping[str, str]]:
        return MappingProxyType(self._sources)


def _item(topic: str, raw: dict) -> Item:
    return Item(
        id=raw["id"],
        topic=topic,
        speech=raw["speech"],
        card=raw.get("card", raw["speech"]),
        sources=tuple(raw.get("sources", ())),
        fields=MappingProxyType(raw),
    )


def compiled_path(path: Path) -> Path:
    """Where the zip keeps a TOML file's data as JSON: content/en/relief.toml.json."""
    return path.with_name(path.name + ".json")


def _read(path: Path) -> dict:
    compiled = compiled_path(path)
    if compiled.is_file():  # only in the zip: the same data, parsed at build time
        return json.loads(compiled.read_bytes())
    import tomllib  # here: the zip's first answer reads JSON and never needs the parser

    with path.open("rb") as handle:
        return tomllib.load(handle)


def _layers(root: Path, locale: str) -> list[Path]:
    language = locale.split("-")[0]
    return [layer for layer in (root / language, root / locale) if layer.is_dir()]


@functools.cache
def _root() -> Path:
    """content_dir(), found once per container: every answer looks its content up."""
    return content_dir()


@functools.cache
def _supported_locales() -> frozenset[str]:
    """The locales with their own locale file, listed once (not a file check per request)."""
    return frozenset(path.parent.name for path in _root().glob(f"*/{LOCALE_FILE}.toml"))


def reload() -> None:
    """Forget the content read so far (for a tool or test that points CRAMP_CONTENT_DIR
    somewhere else); a container reads its content once."""
    for cached in (_root, _supported_locales, _load):
        cached.cache_clear()


def content_for(locale) -> Content:
    """The content for a request's locale; unknown or malformed locales get the default one.

    Checked before the cache, so the cache holds one entry per supported locale, however
    many different locale strings requests carry."""
    readable = isinstance(locale, str) and _LOCALE_PATTERN.fullmatch(locale)
    if not readable or locale not in _supported_locales():
        locale = DEFAULT_LOCALE
    return _load(locale)


@functools.cache
def _load(locale: str) -> Content:
    root = _root()
    topic_files: dict[str, list[Path]] = {}
    tables: dict[str, dict[str, str]] = {}
    facts: dict[str, str] = {}
    for layer in _layers(root, locale):
        for path in sorted(layer.glob("*.toml")):
            if path.stem == LOCALE_FILE:
                facts.update(_read(path).get("locale", {}))
            elif path.stem == PHRASES_FILE:
                for name, entries in _read(path).items():
                    tables.setdefault(name, {}).update(entries)
            else:
                topic_files.setdefault(path.stem, []).append(path)
    return Content(locale, topic_files, tables, facts, _read(root / "sources.toml"))
