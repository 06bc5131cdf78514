"""How a throttled or timed-out call is retried: botocore's retry conditions with our back-off.

botocore decides *whether* a call is retried (throttling codes, 5xx, timeouts, connection errors,
a retry quota per client) and, in adaptive mode, slows the client down after throttling. Only the
*delay* between attempts is ours: truncated binary exponential back-off with "equal jitter", so
every retry waits at least half its nominal delay. botocore's own back-off uses full jitter
(`rand(0, 1) * 2**attempt` seconds), which may retry at once; ours guarantees that a throttled
call backs off, and its base is a setting, so tests can inject delays of milliseconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from botocore.retries import quota, standard


class RetryMode(StrEnum):
    """botocore's retry modes the collector uses."""

    ADAPTIVE = "adaptive"
    """Retries, and a client-side rate limit that slows down after throttling (the default)."""
    STANDARD = "standard"
    """Retries only (tests: the adaptive rate limit paces calls in whole seconds)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failing call is retried."""

    attempts: int = 11
    """Attempts per call, the first included (botocore's `total_max_attempts`)."""
    base_delay: float = 1.0
    """Nominal wait in seconds before the first retry of a throttled call; doubles with each retry."""
    max_delay: float = 20.0
    """No wait is longer than this."""
    transient_scale: float = 0.05
    """Factor on the delay after a timeout or 5xx (not throttling), as in botocore."""
    mode: RetryMode = RetryMode.ADAPTIVE

    def nominal_delay(self, retry: int, *, throttled: bool) -> float:
        """The nominal wait before retry number `retry` (1 for the first retry)."""
        scale = 1.0 if throttled else self.transient_scale
        return min(self.max_delay, scale * self.base_delay * 2 ** (retry - 1))


class _Backoff:
    """botocore's `BaseRetryBackoff` interface: the delay before the next attempt, in seconds."""

    def __init__(self, policy: RetryPolicy, throttling: standard.ThrottlingErrorDetector,
                 jitter: Callable[[], float] = random.random) -> None:
        self._policy = policy
        self._throttling = throttling
        self._jitter = jitter

    def delay_amount(self, context: standard.RetryContext) -> float:
        nominal = self._policy.nominal_delay(context.attempt_number,
                                             throttled=self._throttling.is_throttling_error_from_context(context))
        return nominal * (0.5 + 0.5 * self._jitter())


def install(client: Any, policy: RetryPolicy) -> None:
    """Replaces the retry handler botocore registered on `client` by one with `policy`'s back-off.

    botocore's handler is registered under the unique id `retry-config-<service>`; ours takes that
    id, so there is still exactly one. The adaptive rate limiter (its own handlers) is kept.
    """
    service = client.meta.service_model.service_id.hyphenize()
    events = client.meta.events
    adapter = standard.RetryEventAdapter()
    throttling = standard.ThrottlingErrorDetector(adapter)
    retry_quota = standard.RetryQuotaChecker(quota.RetryQuota(), throttling)
    handler = standard.RetryHandler(
        retry_policy=standard.RetryPolicy(retry_checker=standard.StandardRetryConditions(max_attempts=policy.attempts),
                                          retry_backoff=_Backoff(policy, throttling)),
        retry_event_adapter=adapter, retry_quota=retry_quota, service_name=service)
    unique_id = f"retry-config-{service}"
    events.unregister(f"needs-retry.{service}", unique_id=unique_id)
    events.register(f"after-call.{service}", retry_quota.release_retry_quota)
    events.register(f"needs-retry.{service}", handler.needs_retry, unique_id=unique_id)
