"""Builders shared by the evaluator tests: terse policies and requests."""

from __future__ import annotations

from typing import Any

from graph.policy import Policy, Request, parse_policy

A = "111111111111"
"""The caller's account in most cases."""
B = "222222222222"
"""Another account (the resource's, in cross-account cases)."""
USER = f"arn:aws:iam::{A}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/App"
SESSION = f"arn:aws:sts::{A}:assumed-role/App/alice-session"
FED_USER = f"arn:aws:sts::{A}:federated-user/bob"
ROOT_A = f"arn:aws:iam::{A}:root"
ROOT_B = f"arn:aws:iam::{B}:root"
BUCKET = "arn:aws:s3:::data-bucket"
OBJECT = "arn:aws:s3:::data-bucket/reports/q1.csv"


def stmt(effect: str, action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    """A statement; `resource=None` omits Resource; extra keys (Principal, Condition...) are added."""
    statement: dict[str, Any] = {"Effect": effect}
    if action is not None:
        statement["Action"] = action
    if resource is not None:
        statement["Resource"] = resource
    statement.update(extra)
    return statement


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Allow", action, resource, **extra)


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Deny", action, resource, **extra)


def pol(*statements: dict[str, Any], version: str | None = "2012-10-17", policy_id: str | None = None) -> Policy:
    """A policy of the given statements."""
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return parse_policy(document, policy_id=policy_id)


def req(principal: str = USER, action: str = "s3:GetObject", resource: str = OBJECT, *,
        account: str | None = A, identity: tuple[Policy, ...] = (), **fields: Any) -> Request:
    """A request; `account` is the resource's account (same as the caller's by default)."""
    return Request(principal=principal, action=action, resource=resource, resource_account=account,
                   identity_policies=identity, **fields)
