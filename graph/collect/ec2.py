"""EC2 instances: the instance profile each one runs with (for pass-role edges through SSM).

Read-only: one paged `ec2:DescribeInstances` per region. Terminated instances are left out (they
run nothing). The instance profile's role is found in the role's `InstanceProfileList` (IAM).
"""

from __future__ import annotations

from typing import Any

from graph.collect.account import Scope
from graph.collect.entries import resource_entry
from graph.collect.work import Done, Service

INSTANCE_TYPE = "AWS::EC2::Instance"
_GONE_STATES = frozenset({"terminated", "shutting-down"})


def list_instances(scope: Scope) -> Done:
    """Lists the region's instances and adds each running (or stopped) one with its instance profile."""
    listing = scope.reader(Service.EC2).pages("DescribeInstances", scope.region)
    if not listing.ok:
        return Done()
    added = 0
    for reservation in listing.data.get("Reservations", ()):
        for instance in reservation.get("Instances", ()) if isinstance(reservation, dict) else ():
            if isinstance(instance, dict) and _add(scope, instance, reservation.get("OwnerId")):
                added += 1
    return Done(resources=added)


def _add(scope: Scope, instance: dict[str, Any], owner: object) -> bool:
    state = (instance.get("State") or {}).get("Name")
    instance_id = instance.get("InstanceId")
    if not isinstance(instance_id, str) or state in _GONE_STATES:
        return False
    if isinstance(owner, str) and owner and owner != scope.account.id:
        return False  # listed through a shared reservation: another account's instance
    profile = instance.get("IamInstanceProfile") or {}
    tags = instance.get("Tags") or []
    name = next((str(t.get("Value")) for t in tags if isinstance(t, dict) and t.get("Key") == "Name"), None)
    scope.account.add_resource(resource_entry(
        scope.arn("ec2", f"instance/{instance_id}"), INSTANCE_TYPE, scope.region, name or instance_id,
        None,
        {"IamInstanceProfile": {"Arn": profile.get("Arn")} if profile.get("Arn") else None,
         "State": state, "Tags": tags or None},
    ))
    return True
