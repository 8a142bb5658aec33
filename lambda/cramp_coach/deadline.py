"""Running a call under a hard deadline: a stuck socket or DNS look-up cannot hold up the user.

Threads, not socket timeouts alone: a timeout does not cover DNS, connection set-up and
retries together. Each kind of call gets its own small pool, so hung calls of one kind (a
Reminders API outage) can never use up the threads another needs (the time-zone look-up on
a cramp answer, or a store write).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")


class DeadlinePassed(Exception):
    """The call did not finish in time (it may still finish later, unseen)."""


class Deadlines:
    """A pool of threads for one kind of call, each call bounded by its deadline."""

    def __init__(self, name: str, workers: int = 4):
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    def run(self, seconds: float, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`call(*args, **kwargs)`'s result or exception; DeadlinePassed after `seconds`."""
        future = self._executor.submit(call, *args, **kwargs)
        try:
            return future.result(timeout=seconds)
        except FutureTimeout as error:
            raise DeadlinePassed(f"{seconds:.3f}s") from error
