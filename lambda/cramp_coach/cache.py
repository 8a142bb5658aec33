"""A small cache for the container's life (warm invocations share it), bounded in size."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A dict that starts afresh when it reaches `limit` entries: memory stays bounded
    however many users or devices one container sees, and nothing in it is ever needed
    (losing it costs one extra look-up)."""

    def __init__(self, limit: int = 10_000):
        self.limit = limit
        self._items: dict[K, V] = {}

    def get(self, key: K, default: V | None = None) -> V | None:
        return self._items.get(key, default)

    def put(self, key: K, value: V) -> None:
        if key not in self._items and len(self._items) >= self.limit:
            self._items.clear()
        self._items[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def clear(self) -> None:
        self._items.clear()
