"""Exception classes raised by peermap, defined once.

Each subclasses a built-in so that callers can catch either the precise peermap
class or the familiar built-in (``except ValueError`` catches every validation
problem).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from peermap._problems import ValidationReport

__all__ = [
    "ArgumentError",
    "BoundaryError",
    "CRSError",
    "ExternalAssetError",
    "IntegrityError",
    "KeyMaterialError",
    "MissingDependencyError",
    "PeermapWarning",
    "PrivacyError",
    "UnknownNameError",
    "ValidationError",
]


class ValidationError(ValueError):
    """Input does not satisfy record schema v1.

    Attributes
    ----------
    report : ValidationReport or None
        Every problem found, when the error comes from reading a dataset.
    """

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class IntegrityError(ValidationError):
    """A received file cannot be trusted: damaged, truncated, altered, or made with another key.

    A subclass of :class:`ValidationError`, so callers that catch bad input catch it too;
    catch it alone to tell a suspect file from badly formed records.
    """


class PrivacyError(ValidationError):
    """Input carries direct identifiers (names, postcodes, NHS numbers, ...).

    Raised whatever ``strict`` says: identifying data is never accepted, and the
    offending values are never echoed in the message.
    """


class KeyMaterialError(ValueError):
    """A partnership key is missing, malformed or too short.

    The message never contains the key itself.
    """


class ArgumentError(ValueError, TypeError):
    """An argument to a peermap function is not one it takes (its type or its value).

    The message names the argument as its keyword (``min_reliability=``), says what was
    given (its kind, or its value when that is no record) and what is accepted.
    A subclass of both :class:`ValueError` and :class:`TypeError`, so that callers
    catching either built-in keep catching it.
    """


class UnknownNameError(ArgumentError, KeyError):
    """A name asked for is not there: a table of a dataset, a layer of a map, a column.

    A subclass of :class:`ArgumentError` and of :class:`KeyError`, so that a lookup by
    name fails as a mapping's does and as the project's own.
    """

    def __str__(self) -> str:
        # KeyError quotes its message; this one is a sentence.
        return str(self.args[0]) if self.args else ""


class BoundaryError(ValueError):
    """A boundary file cannot be used (overlaps, duplicate codes, unknown columns)."""


class CRSError(ValueError):
    """Coordinates whose reference system is missing or ambiguous."""


class ExternalAssetError(RuntimeError):
    """A page refers to a resource on the network where it must be self-contained."""


class MissingDependencyError(ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra that brings it.

    A subclass of :class:`ModuleNotFoundError`, so ``except ImportError`` catches it.
    """


class PeermapWarning(UserWarning):
    """Something the analyst should know that does not stop the work."""
