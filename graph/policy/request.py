"""Reading an evaluation request from JSON (SPEC section 5), with locations in every error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graph.errors import PolicyError, RequestError
from graph.policy.document import Policy, parse_policy
from graph.policy.evaluator import Request, ResourcePolicyKind
from graph.policy.principals import parse_caller

_FIELDS = frozenset({"principal", "action", "resource", "resource_account", "identity_policies",
                     "permission_boundary", "session_policies", "resource_policy", "scps", "rcps", "context",
                     "known_absent", "resource_policy_kind", "unknown_context"})


def _document(raw: Any, location: str, *, identity_based: bool = False) -> Policy:
    """A DOC: a policy object or string, or `{"policy_id": ..., "document": ...}`."""
    policy_id = None
    if isinstance(raw, dict) and "document" in raw and "Statement" not in raw:
        policy_id = raw.get("policy_id")
        if policy_id is not None and not isinstance(policy_id, str):
            raise RequestError("policy_id must be a string", f"{location}.policy_id")
        raw, location = raw["document"], f"{location}.document"
    try:
        policy = parse_policy(raw, policy_id=policy_id, location=location)
    except PolicyError as error:
        raise RequestError(error.message, error.location or location) from None
    if identity_based:
        _needs_resources(policy)
    return policy


def _documents(raw: Any, location: str, *, identity_based: bool = False) -> tuple[Policy, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RequestError("must be a list of policy documents", location)
    return tuple(_document(item, f"{location}[{index}]", identity_based=identity_based)
                 for index, item in enumerate(raw))


def _needs_resources(policy: Policy) -> None:
    """Identity policies, boundaries and session policies need Resource or NotResource in every statement.

    IAM refuses such a document (IAM Resource element reference: "Statements must include either a
    Resource or a NotResource element"); only resource policies (trust policies, legacy SNS/SQS)
    may leave it out, meaning their own resource. Reading it as "every resource" would widen access.
    """
    for statement in policy.statements:
        if statement.resources is None and statement.not_resources is None:
            raise RequestError("a statement of an identity policy, boundary or session policy needs Resource or "
                               "NotResource", statement.location)


def _levels(raw: Any, location: str) -> tuple[tuple[Policy, ...], ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(level, list) for level in raw):
        raise RequestError("must be null or a list of levels, each a list of policy documents", location)
    return tuple(_documents(level, f"{location}[{index}]") for index, level in enumerate(raw))


def _string(raw: Mapping[str, Any], name: str, location: str, *, required: bool = True) -> str | None:
    value = raw.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise RequestError(f"{name} must be a non-empty string", f"{location}.{name}")
    return value


def _context(raw: Any, location: str) -> dict[str, str | tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RequestError("context must be an object of condition keys", location)
    context: dict[str, str | tuple[str, ...]] = {}
    for key, value in raw.items():
        where = f"{location}.{key}"
        if isinstance(value, list):
            if not all(isinstance(item, (str, int, float, bool)) for item in value):
                raise RequestError("context values must be strings, numbers or booleans", where)
            context[key] = tuple(_text(item) for item in value)
        elif isinstance(value, (str, int, float, bool)):
            context[key] = _text(value)
        else:
            raise RequestError("context values must be strings, numbers, booleans or lists of them", where)
    return context


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_ARN = re.compile(r"arn:[^:]+:[^:]+:[^:]*:[^:]*:.+", re.DOTALL)
"""arn:partition:service:region:account-id:resource (region and account may be empty)."""


def infer_resource_policy_kind(action: str, resource: str) -> ResourcePolicyKind:
    """Trust policy for role assumption on a role ARN, key policy for a KMS key, else generic."""
    lowered = action.lower()
    if lowered.startswith(("sts:assumerole", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext")) \
            and ":role/" in resource:
        return ResourcePolicyKind.TRUST
    if lowered.startswith("kms:") and resource.startswith("arn:") and ":key/" in resource:
        return ResourcePolicyKind.KMS
    return ResourcePolicyKind.GENERIC


def request_from_json(raw: Any, *, location: str = "request") -> Request:
    """Build a `Request` from its SPEC section 5 JSON form.

    Besides the SPEC fields, accepts `known_absent` (keys known to be absent in three-valued
    mode), `unknown_context` (bool) and `resource_policy_kind` (generic|trust|kms; inferred from
    the action and resource when omitted). Policy documents may be objects, JSON strings,
    URL-encoded strings, or `{"policy_id": ..., "document": ...}`.

    Raises:
        RequestError: with the location of the offending field.
    """
    if not isinstance(raw, dict):
        raise RequestError("a request must be a JSON object", location)
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise RequestError(f"unknown field {unknown[0]!r}", f"{location}.{unknown[0]}")
    principal = _string(raw, "principal", location)
    action = _string(raw, "action", location)
    resource = _string(raw, "resource", location)
    assert principal is not None and action is not None and resource is not None
    if action != "*" and ":" not in action:
        raise RequestError(f"action {action!r} is not of the form service:Action", f"{location}.action")
    if resource != "*" and _ARN.fullmatch(resource) is None:
        raise RequestError(f"resource {resource!r} is not an ARN (arn:partition:service:region:account:resource) "
                           "or \"*\"", f"{location}.resource")
    try:
        parse_caller(principal)
    except ValueError as error:
        raise RequestError(str(error), f"{location}.principal") from None
    resource_account = _string(raw, "resource_account", location, required=False)
    boundary_raw = raw.get("permission_boundary")
    resource_policy_raw = raw.get("resource_policy")
    known_absent_raw = raw.get("known_absent", [])
    if not isinstance(known_absent_raw, list) or not all(isinstance(key, str) for key in known_absent_raw):
        raise RequestError("known_absent must be a list of condition keys", f"{location}.known_absent")
    unknown_context = raw.get("unknown_context", False)
    if not isinstance(unknown_context, bool):
        raise RequestError("unknown_context must be true or false", f"{location}.unknown_context")
    kind_raw = raw.get("resource_policy_kind")
    if kind_raw is None:
        kind = infer_resource_policy_kind(action, resource)
    else:
        try:
            kind = ResourcePolicyKind(kind_raw)
        except ValueError:
            raise RequestError("resource_policy_kind must be generic, trust or kms",
                               f"{location}.resource_policy_kind") from None
    return Request(
        principal=principal, action=action, resource=resource, resource_account=resource_account,
        identity_policies=_documents(raw.get("identity_policies"), f"{location}.identity_policies",
                                     identity_based=True),
        permission_boundary=None if boundary_raw is None else _document(boundary_raw,
                                                                         f"{location}.permission_boundary",
                                                                         identity_based=True),
        session_policies=_documents(raw.get("session_policies"), f"{location}.session_policies",
                                    identity_based=True),
        resource_policy=None if resource_policy_raw is None else _document(resource_policy_raw,
                                                                           f"{location}.resource_policy"),
        scps=_levels(raw.get("scps"), f"{location}.scps"),
        rcps=_levels(raw.get("rcps"), f"{location}.rcps"),
        context=_context(raw.get("context"), f"{location}.context"),
        unknown_context=unknown_context,
        known_absent=frozenset(key.lower() for key in known_absent_raw),
        resource_policy_kind=kind.value,
    )
