"""Broken snapshots, each with the one problem a user must be told about and where it is.

Shared by the validator tests (`validate_snapshot`) and the command tests (`xpath-tui validate`).
Each case starts from `minimal_snapshot()` and breaks exactly one thing, so exactly one problem
is expected.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.snapshot.snapshot_builders import minimal_snapshot

Mutation = Callable[[dict[str, Any]], None]

DEV_ROLE = "accounts[0].authorization_details.RoleDetailList[0]"
DEV_TRUST = f"{DEV_ROLE}.AssumeRolePolicyDocument"
BUCKET = "accounts[1].resources[0]"


@dataclass(frozen=True, slots=True)
class Broken:
    """One broken snapshot."""

    name: str
    location: str
    """The exact location the problem must be reported at (for files: a fragment of it)."""
    fragment: str
    """A fragment of the message."""
    mutate: Mutation | None = None
    raw_bytes: Callable[[], bytes] | None = None
    suffix: str = ".json"

    def write(self, directory: Path) -> Path:
        """The broken snapshot as a file in `directory`."""
        path = directory / f"{self.name}{self.suffix}"
        if self.raw_bytes is not None:
            path.write_bytes(self.raw_bytes())
        else:
            path.write_text(json.dumps(self.document()), encoding="utf-8")
        return path

    def document(self) -> dict[str, Any]:
        """The broken document (document cases only)."""
        assert self.mutate is not None
        document = minimal_snapshot()
        self.mutate(document)
        return document


def _trust_statement(document: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = document["accounts"][0]["authorization_details"]["RoleDetailList"][0][
        "AssumeRolePolicyDocument"]["Statement"][0]
    return statement


def _bucket(document: dict[str, Any]) -> dict[str, Any]:
    bucket: dict[str, Any] = document["accounts"][1]["resources"][0]
    return bucket


def _truncated_gzip() -> bytes:
    data = gzip.compress(json.dumps(minimal_snapshot()).encode(), mtime=0)
    return data[: len(data) // 2]


def _bad_json() -> bytes:
    text = json.dumps(minimal_snapshot(), indent=2)
    return text.replace('"source": "import",', '"source": "import"', 1).encode()  # a missing comma


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
    return mutate


def _duplicate_account(document: dict[str, Any]) -> None:
    document["accounts"].append(json.loads(json.dumps(document["accounts"][0])))


def _trust(change: Callable[[dict[str, Any]], None]) -> Mutation:
    return lambda document: change(_trust_statement(document))


def _ou_cycle(document: dict[str, Any]) -> None:
    units = document["organization"]["organizational_units"]
    units.append({"id": "ou-ab12-zzzzzzzz", "name": "Loop", "parent_id": "ou-ab12-yyyyyyyy"})
    units.append({"id": "ou-ab12-yyyyyyyy", "name": "Loop2", "parent_id": "ou-ab12-zzzzzzzz"})


# Each entry: (why this is a problem, the case).
BROKEN: tuple[Broken, ...] = (
    # Not JSON: the reader names the line and column. The comma is missing at the end of line 5
    # ("source"), so the decoder stops at the next token, line 6 column 3 ("organization").
    Broken("bad-json", "bad-json.json, line 6 column 3", "not valid JSON: Expecting ',' delimiter",
           raw_bytes=_bad_json),
    # A gzip file cut in half (an interrupted copy): never a traceback from the gzip module.
    Broken("truncated-gzip", "truncated-gzip.json.gz", "truncated or corrupt gzip", raw_bytes=_truncated_gzip,
           suffix=".json.gz"),
    # A future format version must be refused, not half-read (SPEC section 3: version 1).
    Broken("wrong-version", "version", "unsupported snapshot version 2", _set(("version",), 2)),
    Broken("wrong-format", "format", "format must be 'xpath-snapshot'", _set(("format",), "cartography")),
    # A required field missing (IAM roles always have a RoleName).
    Broken("missing-role-name", DEV_ROLE, "missing required field 'RoleName'",
           _delete(("accounts", 0, "authorization_details", "RoleDetailList", 0, "RoleName"))),
    # Wrong type: resources is a list of resources.
    Broken("resources-not-a-list", "accounts[1].resources", "must be a list (got object)",
           _set(("accounts", 1, "resources"), {"arn": "arn:aws:s3:::b"})),
    Broken("source-unknown", "source", "must be one of live, demo, synthetic, import", _set(("source",), "scraped")),
    # Account ids are exactly 12 digits (AWS account identifiers).
    Broken("short-account-id", "accounts[0].id", "'11111' is not a 12-digit account id",
           _set(("accounts", 0, "id"), "11111")),
    Broken("duplicate-account", "accounts[2].id", "duplicate account id 111111111111 (also accounts[0])",
           _duplicate_account),
    Broken("arn-not-an-arn", f"{BUCKET}.arn", "'s3://b' is not an ARN", _set(("accounts", 1, "resources", 0, "arn"),
                                                                             "s3://b")),
    # A role listed in account 111111111111 whose ARN says 222222222222 cannot be right.
    Broken("role-in-wrong-account", f"{DEV_ROLE}.Arn", "belongs to account 222222222222",
           _set(("accounts", 0, "authorization_details", "RoleDetailList", 0, "Arn"),
                "arn:aws:iam::222222222222:role/App")),
    # A KMS key ARN naming another account than the one it was collected in.
    Broken("resource-in-wrong-account", f"{BUCKET}.arn", "belongs to account 999999999999",
           _set(("accounts", 1, "resources", 0, "arn"), "arn:aws:kms:us-east-1:999999999999:key/k")),
    # Policy grammar (IAM JSON policy reference: Effect is Allow or Deny, Statement an object or list).
    Broken("statement-without-effect", f"{DEV_TRUST}.Statement[0]", "statement has no Effect",
           _trust(lambda statement: statement.pop("Effect"))),
    Broken("effect-permit", f"{DEV_TRUST}.Statement[0]", "Effect must be Allow or Deny (got 'Permit')",
           _trust(lambda statement: statement.update(Effect="Permit"))),
    Broken("statement-is-a-string", f"{BUCKET}.policy.Statement", "Statement must be an object or a list",
           lambda document: _bucket(document)["policy"].update(Statement="allow everything")),
    Broken("policy-is-a-list", f"{BUCKET}.policy", "must be an object or a string or null (got list)",
           lambda document: _bucket(document).update(policy=[{"Effect": "Allow"}])),
    Broken("policy-string-of-a-list", f"{BUCKET}.policy", "policy document must be an object (got list)",
           lambda document: _bucket(document).update(policy='[{"Effect": "Allow"}]')),
    Broken("action-and-notaction", f"{DEV_TRUST}.Statement[0]", "both Action and NotAction",
           _trust(lambda statement: statement.update(NotAction="sts:TagSession"))),
    # Principal: "*" or an object keyed by AWS, Service, Federated or CanonicalUser.
    Broken("principal-unknown-type", f"{DEV_TRUST}.Statement[0].Principal.User", "unknown principal type 'User'",
           _trust(lambda statement: statement.update(Principal={"User": "bob"}))),
    Broken("principal-list", f"{DEV_TRUST}.Statement[0].Principal", 'Principal must be "*" or an object',
           _trust(lambda statement: statement.update(Principal=["arn:aws:iam::111111111111:root"]))),
    Broken("principal-not-arn", f"{DEV_TRUST}.Statement[0].Principal.AWS", "AWS principal 'bob' is not",
           _trust(lambda statement: statement.update(Principal={"AWS": "bob"}))),
    # A role trust policy must say whom it trusts (IAM rejects a trust policy without Principal).
    Broken("trust-without-principal", f"{DEV_TRUST}.Statement[0]", "neither Principal nor NotPrincipal",
           _trust(lambda statement: statement.pop("Principal"))),
    Broken("condition-not-object", f"{DEV_TRUST}.Statement[0].Condition", "Condition must be an object",
           _trust(lambda statement: statement.update(Condition="aws:SourceIp=1.2.3.4"))),
    # A policy string that is neither JSON nor URL-encoded JSON.
    Broken("undecodable-policy-string", f"{BUCKET}.policy", "not JSON nor URL-encoded JSON",
           lambda document: _bucket(document).update(policy="%7B%22Version%22%3A")),
    # The organization tree: parents, policy targets and the management account must resolve.
    Broken("unknown-org-parent", "organization.accounts[1].parent_id", "unknown parent ou-ab12-missing1",
           _set(("organization", "accounts", 1, "parent_id"), "ou-ab12-missing1")),
    Broken("unknown-policy-target", "organization.policies[0].targets[1]", "unknown target 333333333333",
           lambda document: document["organization"]["policies"][0]["targets"].append("333333333333")),
    Broken("management-not-member", "organization.management_account_id", "is not in organization.accounts",
           _set(("organization", "management_account_id"), "333333333333")),
    Broken("ou-cycle", "organization.organizational_units[1].parent_id", "its own ancestor", _ou_cycle),
    Broken("collected-at-not-a-date", "collected_at", "is not an ISO 8601 date", _set(("collected_at",), "yesterday")),
)
