"""Builders of a tiny organization to plant one policy in, for the findings tests.

Organization o-exampleorg1 holds 111111111111 (dev), 222222222222 (data) and the management
account 333333333333; 999999999999 is a third party outside it.
"""

from __future__ import annotations

from typing import Any

from graph.model import PolicyDocument, Properties, Resource, Role

ORG_ID = "o-exampleorg1"
DEV, DATA, MGMT, VENDOR = "111111111111", "222222222222", "333333333333", "999999999999"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document with these statements."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def assume(principal: Any, condition: dict[str, Any] | None = None, *, action: str = "sts:AssumeRole",
           sid: str | None = None) -> dict[str, Any]:
    """An Allow statement of a trust policy."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if sid:
        statement["Sid"] = sid
    if condition:
        statement["Condition"] = condition
    return statement


def role(account: str, name: str, trust: dict[str, Any], *, role_id: str | None = None, path: str = "/") -> Role:
    """A role with this trust policy."""
    return Role(f"arn:aws:iam::{account}:role{path}{name}", name, account, PolicyDocument.from_dict(trust),
                path=path, role_id=role_id or f"AROA{account}{len(name):04d}X")


def resource(account: str, arn: str, type_: str, document: dict[str, Any] | None,
             properties: dict[str, Any] | None = None) -> Resource:
    """A resource with this policy and properties."""
    return Resource(arn, type_, account, "us-east-1", arn.rsplit(":", 1)[-1],
                    PolicyDocument.from_dict(document) if document is not None else None,
                    Properties.from_dict(properties or {}))


