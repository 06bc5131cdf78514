"""How a `privilege-escalation` edge through `iam:SetDefaultPolicyVersion` cites the older version it makes default.

The edge's `granted_by` names the version's statements with a policy id of its own (the version is
not the managed policy's document in force); the explorer reads that id back to show the version's
document. Kept apart from `policy_versions` so that readers need not import the evaluator.
"""

from __future__ import annotations

from graph.model import ManagedPolicy, PolicyVersion

SET_DEFAULT = "iam:SetDefaultPolicyVersion"
_NO_ID = "(no VersionId)"
_TAIL = f" (made default with {SET_DEFAULT})"


def version_label(policy: ManagedPolicy, version: PolicyVersion) -> str:
    """`<policy ARN> version <VersionId> (made default with iam:SetDefaultPolicyVersion)`."""
    return f"{policy.arn} version {version.version_id or _NO_ID}{_TAIL}"


def labelled_version(label: str) -> tuple[str, str | None] | None:
    """The (policy ARN, VersionId) a `version_label` names, or None for any other policy id."""
    if not label.endswith(_TAIL) or " version " not in label:
        return None
    arn, _, name = label[:-len(_TAIL)].rpartition(" version ")
    return arn, None if name == _NO_ID else name
