"""Checks of the arguments public functions take, refused with :class:`peermap.ArgumentError`.

The project's rule is that no exception but its own reaches a user: an argument of the
wrong kind (a list where a grade is named, a string where a dataset belongs, text where
a whole number is counted) is refused here in plain words, naming the keyword, the kind
of value given and what is accepted, before a library deep inside trips over it.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

from peermap.exceptions import ArgumentError

if TYPE_CHECKING:  # pragma: no cover
    from peermap.dataset import Dataset

__all__ = ["dataset_argument", "kind_of", "whole_number"]


def kind_of(value: object) -> str:
    """Say what kind of value was given, in plain words (``a list``, ``None``, ``text``)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"{value} (true or false)"
    if isinstance(value, str):
        return "text"
    name = type(value).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def dataset_argument(ds: object, what: str) -> Dataset:
    """Return ``ds`` when it is a :class:`~peermap.Dataset`; refuse anything else."""
    from peermap.dataset import Dataset

    if not isinstance(ds, Dataset):
        raise ArgumentError(
            f"{what} needs a peermap.Dataset (from peermap.read_dataset), got {kind_of(ds)}"
        )
    return ds


def whole_number(value: object, name: str, least: int = 0) -> int:
    """Return ``value`` as an int when it is a whole number of at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        given = repr(value) if isinstance(value, numbers.Real | str) else kind_of(value)
        raise ArgumentError(f"{name}={given}; expected a whole number, {least} or more")
    return int(value)
