"""A small thread-safe least-recently-used map, kept per application for per-process caches."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from flask import current_app

V = TypeVar("V")


class LRU(Generic[V]):
    """At most `size` entries; reading one makes it the last to be dropped."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def app_cache(name: str, size: int) -> LRU:
    """The application's cache called `name`, made on first use.

    One per application, so that apps on other databases (as in tests) never
    share entries.
    """
    key = f"consult.cache.{name}"
    cache = current_app.extensions.get(key)
    if cache is None:
        cache = current_app.extensions.setdefault(key, LRU(size))
    return cache
