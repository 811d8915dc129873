"""Pickle support for frozen dataclasses that hold read-only mappings.

``types.MappingProxyType`` cannot be pickled. These helpers pickle the mapping as a
dict and wrap it again on load, so the object comes back as read-only as it left.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

__all__ = ["reduce_frozen"]


def reduce_frozen(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """Return a ``__reduce__`` value for a frozen dataclass instance."""
    state: dict[str, Any] = {}
    proxies: list[str] = []
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if isinstance(value, MappingProxyType):
            value = dict(value)
            proxies.append(field.name)
        state[field.name] = value
    return (_rebuild, (type(obj), state, tuple(proxies)))


def _rebuild(cls: type, state: dict[str, Any], proxies: tuple[str, ...]) -> Any:
    obj: Any = object.__new__(cls)
    for name, value in state.items():
        object.__setattr__(obj, name, MappingProxyType(value) if name in proxies else value)
    return obj
