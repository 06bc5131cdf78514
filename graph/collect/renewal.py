"""Renewing an account's credentials when AWS rejects them as expired mid-run.

AWS may reject a session before its expiry time (`ExpiredToken`: a revoked session, a skewed
clock). An assumed role's session is then renewed by assuming the role again at once; a profile's
credentials cannot be renewed by the collector. When renewal is impossible or fails, the account's
credentials are `lost`: its remaining reads are recorded as lost without calling AWS (`calls`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from graph.collect.calls import AwsFailure, failure_of


@dataclass(frozen=True, slots=True)
class Lost:
    """Why an account's credentials are unusable for the rest of the run."""

    operation: str
    """`AssumeRole` when assuming the role again failed; `(credentials)` for a profile's."""
    resource: str
    """The role ARN, or the profile's label."""
    code: str
    message: str


class Renewal:
    """Renews one account's credentials when AWS rejects them as expired, once per expiry.

    Several worker threads may be told `ExpiredToken` for the same session at once; a generation
    number makes only the first of them assume the role again, the others retry with its result.
    """

    def __init__(self, label: str, renew: Callable[[], None] | None) -> None:
        """Sets up the renewal of one session.

        Args:
            label: The role ARN (assumed sessions) or the profile's label, for error records.
            renew: Gets fresh credentials into the session (raises ClientError/BotoCoreError);
                None when the collector cannot renew them (a profile's own credentials).
        """
        self.label = label
        self._renew = renew
        self._lock = threading.Lock()
        self._generation = 0
        self._lost: Lost | None = None

    @property
    def generation(self) -> int:
        """How many times the credentials were renewed (read before a call, passed to `renew`)."""
        with self._lock:
            return self._generation

    @property
    def lost(self) -> Lost | None:
        """Set once the credentials expired and could not be renewed: the account's remaining reads are lost."""
        with self._lock:
            return self._lost

    def renew(self, seen: int, code: str) -> bool:
        """Renews the credentials after `code` (an expiry) answered a call made at generation `seen`.

        Returns:
            True when the call should be made again (renewed now, or by another thread since);
            False when the credentials are lost (`lost` says why).
        """
        with self._lock:
            if self._lost is not None:
                return False
            if self._generation != seen:
                return True
            if self._renew is None:
                self._lost = Lost("(credentials)", self.label, code,
                                  "the credentials expired mid-run and the collector cannot renew them "
                                  "(refresh them, e.g. `aws sso login`, and collect again)")
                return False
            try:
                self._renew()
            except (*AwsFailure, KeyError, TypeError) as error:
                self._lost = self._lost_by(error)
                return False
            self._generation += 1
            return True

    def give_up(self, error: Exception) -> None:
        """Records that fresh credentials could not be had (`error`): the account's remaining reads are lost."""
        with self._lock:
            if self._lost is None:
                self._lost = self._lost_by(error)

    def _lost_by(self, error: Exception) -> Lost:
        failed, message = (failure_of(error) if isinstance(error, AwsFailure)
                           else (f"Unexpected{type(error).__name__}", str(error)))
        return Lost("AssumeRole", self.label, failed,
                    f"the session expired mid-run and assuming the role again failed: {message}"[:500])
