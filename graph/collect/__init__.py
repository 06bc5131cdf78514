"""Live collection from AWS accounts into a snapshot (`xpath-tui collect`).

The only package of the project that imports boto3. `collect(CollectOptions(...), progress)`
returns a `Collection` (the validated snapshot, a summary and warnings); the command line saves
it with `graph.snapshot.save_snapshot`. Progress is reported through a callback so that this
package stays headless.
"""

from __future__ import annotations

from graph.collect.collector import Collection, CollectOptions, CollectSummary, Loss, collect
from graph.collect.retries import RetryMode, RetryPolicy
from graph.collect.sessions import RoleRequest, client_config
from graph.collect.work import Phase, ProgressEvent, Service

__all__ = ["CollectOptions", "CollectSummary", "Collection", "Loss", "Phase", "ProgressEvent", "RetryMode",
           "RetryPolicy", "RoleRequest", "Service", "client_config", "collect"]
