"""The snapshot's resource entry (SPEC section 3), shared by the service collectors."""

from __future__ import annotations

import json
from typing import Any

from graph.collect.calls import Outcome, Reply


def policy_document(text: Any) -> Any:
    """A policy as returned by AWS (JSON text) decoded to an object; None stays None.

    Text that is not JSON, or a value that is not text at all, is kept as is: the collector then
    sets it aside with the reason the snapshot reader gives (`repair`), which is more useful than
    dropping it here.
    """
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def resource_entry(arn: str, type_: str, region: str | None, name: str, policy: Any,
                   properties: dict[str, Any], replies: tuple[Reply, ...] = ()) -> dict[str, Any]:
    """One resource of an account, with `None`-valued properties left out.

    Args:
        arn: The resource ARN.
        type_: Its CloudFormation type name.
        region: Its region.
        name: Its name.
        policy: Its resource policy (decoded), None when it has none.
        properties: Service-specific facts.
        replies: The reads behind the entry; those that failed are listed in the `unread`
            property, so a null policy is not mistaken for "no policy".
    """
    kept = {key: value for key, value in properties.items() if value is not None}
    failed = sorted({reply.operation for reply in replies if reply.outcome is Outcome.FAILED})
    if failed:
        kept["unread"] = failed
    return {"arn": arn, "type": type_, "region": region, "name": name, "policy": policy, "properties": kept}
