"""Errors a user can cause, and the exit codes the command line maps them to.

Every error that bad input can produce is an `XPathError` with a location (a JSON path into the
snapshot or request, or a file name) so the command line can print one clear line and exit 2,
never a traceback. AWS access failures exit 3.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of `xpath-tui` (SPEC section 4)."""

    OK = 0
    """Success."""
    GATE = 1
    """A `findings` or `diff` gate tripped."""
    BAD_INPUT = 2
    """Bad input or usage."""
    AWS_FAILURE = 3
    """Nothing could be read from AWS."""


class XPathError(Exception):
    """Base of every error that is the input's fault, not the program's."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class SnapshotError(XPathError):
    """A snapshot file that cannot be read or does not follow format v1."""


class PolicyError(XPathError):
    """A policy document of the wrong shape (bad Effect, unknown operator form, ...)."""


class RequestError(XPathError):
    """An evaluation request (`simulate`) of the wrong shape."""


class QueryError(XPathError):
    """A question that cannot be answered as asked (unknown ARN, bad action, ...)."""


class CollectError(XPathError):
    """Live collection failed as a whole (nothing could be read)."""

    exit_code = ExitCode.AWS_FAILURE
