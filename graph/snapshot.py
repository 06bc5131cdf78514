"""Reading, checking and writing snapshots (format v1, SPEC section 3).

This is the one place that turns raw snapshot JSON into the typed model of `graph.model` and
back. Reading always validates first (`graph.schema`: the JSON Schema plus semantic checks), so
every model object comes from a document known to be well formed, and bad input fails with the
location of the first problem instead of a traceback deep inside the evaluator.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import SnapshotError
from graph.gc_pause import collector_paused
from graph.model import (
    Account, CollectionError, Group, IdentityProvider, InlinePolicy, ManagedPolicy, Organization, OrganizationalUnit,
    OrgAccount, OrgPolicy, OrgPolicyType, OrgRoot, PolicyDocument, PolicyVersion, Properties, Resource, Role, Snapshot,
    Tags, User,
)
from graph.outline import AccountOutline, SnapshotOutline
from graph.schema import Problem, matches_definition, matches_schema, schema_problems
from graph.schema.checks import default_version_index, semantic_problems
from graph.schema.documents import DocumentDecodeError, DocumentMemo

FORMAT = "xpath-snapshot"
VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"

__all__ = ["FORMAT", "VERSION", "DecodedSnapshot", "OpenedSnapshot", "Problem", "decode_snapshot", "load_snapshot",
           "open_snapshot", "parse_snapshot",
           "read_document", "save_snapshot", "snapshot_to_dict", "validate_snapshot"]


def read_document(path: str | Path) -> Any:
    """The decoded JSON of a `.json` or `.json.gz` file (gzip is recognised by its magic bytes too).

    Args:
        path: The file.

    Returns:
        The decoded JSON value, not yet checked.

    Raises:
        SnapshotError: The file cannot be read, is a truncated or corrupt gzip, or is not JSON.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SnapshotError(f"cannot read the file: {error.strerror or error}", location=name) from error
    except ValueError as error:  # a name holding a NUL byte (found by fuzzing)
        raise SnapshotError(f"cannot read the file: {error}", location=repr(name)) from error
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as error:
            raise SnapshotError(f"truncated or corrupt gzip file ({error})", location=name) from error
    elif name.endswith(".gz"):
        raise SnapshotError("the name ends in .gz but the file is not gzip-compressed", location=name)
    try:
        return json.loads(data)
    except UnicodeDecodeError as error:
        raise SnapshotError(f"not UTF-8 text (byte {error.start})", location=name) from error
    except json.JSONDecodeError as error:
        raise SnapshotError(f"not valid JSON: {error.msg}",
                            location=f"{name}, line {error.lineno} column {error.colno}") from error
    except RecursionError as error:
        raise SnapshotError("JSON nested too deeply to read (hostile or corrupt file)", location=name) from error


def validate_snapshot(raw_or_path: Any) -> list[Problem]:
    """Every problem of a snapshot, each with its location; empty when the snapshot is valid.

    Args:
        raw_or_path: A decoded document, or the path (`str` or `Path`) of a `.json` / `.json.gz` file.

    Returns:
        The problems sorted by location (keys alphabetically, list indexes as numbers). A file that cannot be decoded, and a document of another
        format or version, give a single problem (nothing else can be checked).
    """
    with collector_paused():
        if isinstance(raw_or_path, str | Path):
            try:
                raw = read_document(raw_or_path)
            except SnapshotError as error:
                return [Problem(error.location or str(raw_or_path), error.message)]
        else:
            raw = raw_or_path
        return _problems(raw, None)


def _problems(raw: Any, memo: DocumentMemo | None) -> list[Problem]:
    header = _header_problems(raw)
    if header:
        return header
    problems = schema_problems(raw) + semantic_problems(raw, memo)
    return sorted(problems, key=lambda problem: _natural_key(problem.location))


def load_snapshot(path: str | Path) -> Snapshot:
    """Reads, checks and models a snapshot file.

    Args:
        path: A `.json` or `.json.gz` snapshot.

    Returns:
        The immutable snapshot model.

    Raises:
        SnapshotError: The file is unreadable or invalid; names the first problem and how many more.
    """
    with collector_paused():
        return parse_snapshot(read_document(path), origin=str(path))


@dataclass(frozen=True, slots=True)
class OpenedSnapshot:
    """A snapshot modelled as soon as its structure is known good, its other checks still to run.

    `load_snapshot` runs every check before it models anything; on a large organization the checks
    that the schema cannot express (policy document shapes, ARNs of the right account, duplicates,
    the organization's references) take a third of the load. The explorer shows the organization
    from `snapshot` at once and calls `verify` before it answers anything (in its graph builder):
    the same problems stop it, with the same message as `load_snapshot`, only later.
    """

    snapshot: Snapshot
    """The model, equal to what `load_snapshot` gives when `verify` passes. Not to be queried before."""
    origin: str
    """Where the snapshot came from (the file name), as error locations name it."""
    _raw: Any = field(repr=False, compare=False)
    _memo: DocumentMemo = field(repr=False, compare=False)

    def problems(self) -> list[Problem]:
        """Every problem of the snapshot, sorted by location as `validate_snapshot` sorts them (empty: valid)."""
        # Opened means the header and the schema passed (`_open`): only the semantic checks can find more,
        # and running the schema gate again would cost a sixth of the load.
        with collector_paused():
            return sorted(semantic_problems(self._raw, self._memo), key=lambda problem: _natural_key(problem.location))

    def verify(self) -> Snapshot:
        """The snapshot, once every check passed.

        Returns:
            `snapshot`.

        Raises:
            SnapshotError: The snapshot is invalid; the same error `load_snapshot` raises on this file.
        """
        _raise_first(self.problems(), self.origin)
        return self.snapshot


def open_snapshot(path: str | Path) -> OpenedSnapshot:
    """Reads a snapshot file and models it once its structure is checked; see `OpenedSnapshot`.

    Args:
        path: A `.json` or `.json.gz` snapshot.

    Returns:
        The model, with the rest of its checks to run (`OpenedSnapshot.verify`).

    Raises:
        SnapshotError: The file is unreadable, is not a snapshot of this version, breaks the schema,
            or cannot be modelled (a policy document that does not decode, a managed policy without
            a default version); names the first problem and how many more, like `load_snapshot`.
    """
    return decode_snapshot(path).open()


def _open(raw: Any, memo: DocumentMemo, origin: str) -> OpenedSnapshot:
    with collector_paused():
        if _header_problems(raw) or not matches_schema(raw):
            _raise_first(_problems(raw, None), origin)
        try:
            snapshot = _model(raw, memo)
        except _Unmodellable as error:
            _raise_first(_problems(raw, memo), origin)
            raise SnapshotError(f"cannot be modelled: {error}", location=origin) from error
        return OpenedSnapshot(snapshot, origin, raw, memo)


@dataclass(frozen=True, slots=True)
class DecodedSnapshot:
    """A snapshot file decoded and outlined, not checked yet: the explorer's very first look at it.

    `outline` (the organization's tree, each account's sizes and collection errors) is shown at
    once; `open` then checks the structure and builds the model (`OpenedSnapshot`), whose remaining
    checks run before anything is answered. A document the outline cannot be read from has no
    outline: `open` says what is wrong with it.
    """

    origin: str
    """Where the snapshot came from (the file name), as error locations name it."""
    outline: SnapshotOutline | None
    """What a first screen shows; None where the document is not shaped as the outline reads it."""
    _raw: Any = field(repr=False, compare=False)
    _memo: DocumentMemo = field(repr=False, compare=False)

    def open(self) -> OpenedSnapshot:
        """Checks the structure and models the snapshot; see `open_snapshot`.

        Raises:
            SnapshotError: As `open_snapshot`, with the same message.
        """
        return _open(self._raw, self._memo, self.origin)


def decode_snapshot(path: str | Path) -> DecodedSnapshot:
    """Reads a snapshot file and outlines it; see `DecodedSnapshot`.

    Args:
        path: A `.json` or `.json.gz` snapshot.

    Returns:
        The decoded document and its outline, nothing checked yet but the parts the outline reads.

    Raises:
        SnapshotError: The file cannot be read, is a truncated or corrupt gzip, or is not JSON.
    """
    with collector_paused():
        raw = read_document(path)
        memo = DocumentMemo()
        return DecodedSnapshot(str(path), _outline(raw, _Documents(memo)), raw, memo)


def _outline(raw: Any, documents: _Documents) -> SnapshotOutline | None:
    """The outline of a document, read only where it has the shape the schema gives it (else None)."""
    if _header_problems(raw):
        return None
    collected_at, source, accounts = raw.get("collected_at"), raw.get("source"), raw.get("accounts")
    organization = raw.get("organization")
    if not (isinstance(collected_at, str) and isinstance(source, str) and isinstance(accounts, list)):
        return None
    if organization is not None and not matches_definition("organization", organization):
        return None
    outlines = []
    for account in accounts:
        outline = _account_outline(account)
        if outline is None:
            return None
        outlines.append(outline)
    try:
        modelled = _organization(organization, documents) if organization is not None else None
    except ValueError:  # a policy document or type the model cannot hold: `open` locates it
        return None
    return SnapshotOutline(collected_at, source, modelled, tuple(outlines))


def _account_outline(raw: Any) -> AccountOutline | None:
    if not isinstance(raw, dict) or not matches_definition("account_id", raw.get("id")) \
            or not matches_definition("optional_string", raw.get("name")):
        return None
    details = raw.get("authorization_details") or {}
    if not isinstance(details, dict):
        return None
    users, roles = details.get("UserDetailList") or [], details.get("RoleDetailList") or []
    resources, errors = raw.get("resources") or [], raw.get("errors") or []
    if not all(isinstance(items, list) for items in (users, roles, resources, errors)):
        return None
    if not all(matches_definition("collection_error", entry) for entry in errors):
        return None
    return AccountOutline(raw["id"], raw.get("name"), len(users), len(roles), len(resources),
                          tuple(_collection_error(entry) for entry in errors))


def parse_snapshot(raw: Any, *, origin: str = "<snapshot>") -> Snapshot:
    """Checks and models an already-decoded snapshot document.

    Args:
        raw: The decoded JSON document.
        origin: Where it came from (a file name), used in error locations.

    Returns:
        The immutable snapshot model.

    Raises:
        SnapshotError: The document is invalid; names the first problem and how many more.
    """
    with collector_paused():
        return _parse(raw, origin)


def _parse(raw: Any, origin: str) -> Snapshot:
    memo = DocumentMemo()
    _raise_first(_problems(raw, memo), origin)
    return _model(raw, memo)


def _raise_first(problems: list[Problem], origin: str) -> None:
    """Raises the first problem, saying how many more there are; returns when there is none."""
    if problems:
        first = problems[0]
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''}; `xpath-tui validate` lists them all)" \
            if more else ""
        raise SnapshotError(first.message + suffix, location=f"{origin}: {first.location}")


class _Unmodellable(ValueError):
    """Something the model cannot hold, in a document that passed the schema (the full check says where)."""


def _model(raw: dict[str, Any], memo: DocumentMemo) -> Snapshot:
    """The model of a document that satisfies the schema (raises `_Unmodellable` where it still cannot be built)."""
    organization = raw.get("organization")
    documents = _Documents(memo)
    return Snapshot(
        collected_at=raw["collected_at"],
        source=raw["source"],
        organization=_organization(organization, documents) if organization is not None else None,
        accounts=tuple(_account(account, documents) for account in raw["accounts"]),
        version=raw["version"],
    )


def _header_problems(raw: Any) -> list[Problem]:
    if not isinstance(raw, dict):
        return [Problem("<document>", "a snapshot must be a JSON object")]
    problems = []
    if raw.get("format") != FORMAT:
        problems.append(Problem("format", f"not an xpath-tui snapshot: format must be {FORMAT!r} "
                                          f"(got {raw.get('format')!r})"))
    version = raw.get("version")
    if version != VERSION or isinstance(version, bool):
        problems.append(Problem("version", f"unsupported snapshot version {version!r} "
                                           f"(this xpath-tui reads version {VERSION})"))
    return problems


def _natural_key(location: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", location))


# --- reading: validated raw JSON -> model -------------------------------------------------------

class _Documents:
    """The `PolicyDocument`s of one load: one per distinct canonical text, its text written once."""

    __slots__ = ("_by_text", "_memo")

    def __init__(self, memo: DocumentMemo) -> None:
        self._memo = memo
        self._by_text: dict[str, PolicyDocument] = {}

    def __call__(self, value: Any) -> PolicyDocument:
        try:
            text = self._memo.text(value)
        except DocumentDecodeError as error:
            raise _Unmodellable(str(error)) from error
        except RecursionError as error:
            raise _Unmodellable("policy document nested too deeply to read") from error
        document = self._by_text.get(text)
        if document is None:
            document = self._by_text[text] = PolicyDocument(text)
        return document


def _tags(entries: list[dict[str, str]] | None) -> Tags:
    return tuple(sorted((entry["Key"], entry["Value"]) for entry in entries or ()))


def _inline(entries: list[dict[str, Any]] | None, documents: _Documents) -> tuple[InlinePolicy, ...]:
    return tuple(InlinePolicy(entry["PolicyName"], documents(entry["PolicyDocument"])) for entry in entries or ())


def _attached(entries: list[dict[str, Any]] | None) -> tuple[str, ...]:
    return tuple(entry["PolicyArn"] for entry in entries or ())


def _boundary(entry: dict[str, Any]) -> str | None:
    boundary = entry.get("PermissionsBoundary")
    return boundary["PermissionsBoundaryArn"] if boundary else None


def _account(raw: dict[str, Any], documents: _Documents) -> Account:
    account_id: str = raw["id"]
    details = raw.get("authorization_details") or {}
    users = tuple(User(
        arn=entry["Arn"], name=entry["UserName"], account_id=account_id, path=entry.get("Path", "/"),
        user_id=entry.get("UserId"), inline_policies=_inline(entry.get("UserPolicyList"), documents),
        managed_policy_arns=_attached(entry.get("AttachedManagedPolicies")),
        group_names=tuple(entry.get("GroupList") or ()), permissions_boundary_arn=_boundary(entry),
        tags=_tags(entry.get("Tags")),
    ) for entry in details.get("UserDetailList") or ())
    groups = tuple(Group(
        arn=entry["Arn"], name=entry["GroupName"], account_id=account_id, path=entry.get("Path", "/"),
        group_id=entry.get("GroupId"), inline_policies=_inline(entry.get("GroupPolicyList"), documents),
        managed_policy_arns=_attached(entry.get("AttachedManagedPolicies")),
    ) for entry in details.get("GroupDetailList") or ())
    roles = tuple(Role(
        arn=entry["Arn"], name=entry["RoleName"], account_id=account_id,
        trust_policy=documents(entry["AssumeRolePolicyDocument"]), path=entry.get("Path", "/"),
        role_id=entry.get("RoleId"), inline_policies=_inline(entry.get("RolePolicyList"), documents),
        managed_policy_arns=_attached(entry.get("AttachedManagedPolicies")),
        permissions_boundary_arn=_boundary(entry), tags=_tags(entry.get("Tags")),
        instance_profile_arns=tuple(profile["Arn"] for profile in entry.get("InstanceProfileList") or ()),
        max_session_duration=entry.get("MaxSessionDuration"),
    ) for entry in details.get("RoleDetailList") or ())
    return Account(
        id=account_id, name=raw.get("name"), users=users, groups=groups, roles=roles,
        managed_policies=tuple(_managed_policy(entry, documents) for entry in details.get("Policies") or ()),
        identity_providers=tuple(IdentityProvider(
            arn=entry["arn"], type=entry["type"], url=entry.get("url"), client_ids=tuple(entry.get("client_ids") or ()),
        ) for entry in raw.get("identity_providers") or ()),
        resources=tuple(Resource(
            arn=entry["arn"], type=entry["type"], account_id=account_id, region=entry.get("region"),
            name=entry.get("name"), policy=documents(entry["policy"]) if entry.get("policy") is not None else None,
            properties=Properties.from_dict(entry.get("properties") or {}),
        ) for entry in raw.get("resources") or ()),
        errors=tuple(_collection_error(entry) for entry in raw.get("errors") or ()),
    )


def _collection_error(entry: dict[str, Any]) -> CollectionError:
    return CollectionError(service=entry["service"], operation=entry["operation"], resource=entry.get("resource"),
                           code=entry["code"], message=entry.get("message", ""))


def _managed_policy(entry: dict[str, Any], documents: _Documents) -> ManagedPolicy:
    default = default_version_index(entry)
    if default is None:
        raise _Unmodellable(f"managed policy {entry['Arn']} has no default version")
    return ManagedPolicy(
        arn=entry["Arn"], name=entry["PolicyName"], path=entry.get("Path", "/"),
        document=documents(entry["PolicyVersionList"][default]["Document"]), policy_id=entry.get("PolicyId"),
        default_version_id=entry.get("DefaultVersionId"), attachment_count=entry.get("AttachmentCount"),
        permissions_boundary_usage_count=entry.get("PermissionsBoundaryUsageCount"),
        other_versions=tuple(PolicyVersion(
            version.get("VersionId"), documents(version["Document"]),
            version["CreateDate"] if isinstance(version.get("CreateDate"), str) else None,
        ) for index, version in enumerate(entry["PolicyVersionList"]) if index != default),
    )


def _organization(raw: dict[str, Any], documents: _Documents) -> Organization:
    return Organization(
        id=raw["id"], management_account_id=raw["management_account_id"],
        roots=tuple(OrgRoot(entry["id"], entry["name"]) for entry in raw.get("roots") or ()),
        organizational_units=tuple(OrganizationalUnit(entry["id"], entry["name"], entry["parent_id"])
                                   for entry in raw.get("organizational_units") or ()),
        accounts=tuple(OrgAccount(entry["id"], entry.get("name"), entry["parent_id"])
                       for entry in raw.get("accounts") or ()),
        policies=tuple(OrgPolicy(entry["id"], entry["name"], OrgPolicyType(entry["type"]), documents(entry["document"]),
                                 tuple(entry["targets"])) for entry in raw.get("policies") or ()),
    )


# --- writing: model -> SPEC section 3 JSON ------------------------------------------------------

def snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as a format v1 document, policy documents as objects.

    Reading the result back (`parse_snapshot`) gives a snapshot equal to `snapshot`.

    Args:
        snapshot: The model.

    Returns:
        A JSON-serialisable document.
    """
    return {
        "format": FORMAT, "version": snapshot.version, "collected_at": snapshot.collected_at,
        "source": snapshot.source,
        "organization": _organization_dict(snapshot.organization) if snapshot.organization else None,
        "accounts": [_account_dict(account) for account in snapshot.accounts],
    }


def save_snapshot(snapshot: Snapshot, path: str | Path) -> None:
    """Writes a snapshot atomically: a temporary file in the same directory, then a rename.

    An interruption (Ctrl-C, a full disk) leaves the previous file, if any, untouched. A name ending
    in `.gz` writes gzip (with a fixed timestamp, so the same snapshot gives the same bytes).

    Args:
        snapshot: The model to write.
        path: The target file.

    Raises:
        OSError: The directory is not writable, or the disk is full.
    """
    target = Path(path)
    data = json.dumps(snapshot_to_dict(snapshot), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if target.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _inline_dict(policies: tuple[InlinePolicy, ...]) -> list[dict[str, Any]]:
    return [{"PolicyName": policy.name, "PolicyDocument": policy.document.as_dict()} for policy in policies]


def _attached_dict(arns: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"PolicyName": _policy_name(arn), "PolicyArn": arn} for arn in arns]


def _optional(entry: dict[str, Any], **values: Any) -> dict[str, Any]:
    entry.update({key: value for key, value in values.items() if value is not None})
    return entry


def _boundary_dict(entry: dict[str, Any], arn: str | None) -> dict[str, Any]:
    if arn is not None:
        entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    return entry


def _tags_dict(tags: Tags) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags]


def _account_dict(account: Account) -> dict[str, Any]:
    users = [_boundary_dict(_optional({"Path": user.path, "UserName": user.name}, UserId=user.user_id) | {
        "Arn": user.arn, "UserPolicyList": _inline_dict(user.inline_policies), "GroupList": list(user.group_names),
        "AttachedManagedPolicies": _attached_dict(user.managed_policy_arns), "Tags": _tags_dict(user.tags),
    }, user.permissions_boundary_arn) for user in account.users]
    groups = [_optional({"Path": group.path, "GroupName": group.name}, GroupId=group.group_id) | {
        "Arn": group.arn, "GroupPolicyList": _inline_dict(group.inline_policies),
        "AttachedManagedPolicies": _attached_dict(group.managed_policy_arns),
    } for group in account.groups]
    roles = [_boundary_dict(_optional({"Path": role.path, "RoleName": role.name}, RoleId=role.role_id) | {
        "Arn": role.arn, "AssumeRolePolicyDocument": role.trust_policy.as_dict(),
        "InstanceProfileList": [{"InstanceProfileName": _policy_name(arn), "Arn": arn}
                                for arn in role.instance_profile_arns],
        "RolePolicyList": _inline_dict(role.inline_policies),
        "AttachedManagedPolicies": _attached_dict(role.managed_policy_arns), "Tags": _tags_dict(role.tags),
    } | _optional({}, MaxSessionDuration=role.max_session_duration), role.permissions_boundary_arn)
        for role in account.roles]
    policies = [_optional({"PolicyName": policy.name}, PolicyId=policy.policy_id) | {
        "Arn": policy.arn, "Path": policy.path,
    } | _optional({}, DefaultVersionId=policy.default_version_id, AttachmentCount=policy.attachment_count,
                  PermissionsBoundaryUsageCount=policy.permissions_boundary_usage_count) | {
        "PolicyVersionList": [_optional({"Document": policy.document.as_dict()},
                                        VersionId=policy.default_version_id) | {"IsDefaultVersion": True}] + [
            _optional({"Document": version.document.as_dict()}, VersionId=version.version_id,
                      CreateDate=version.create_date) | {"IsDefaultVersion": False}
            for version in policy.other_versions],
    } for policy in account.managed_policies]
    return {
        "id": account.id, "name": account.name,
        "authorization_details": {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
                                  "Policies": policies},
        "identity_providers": [{"arn": provider.arn, "type": provider.type, "url": provider.url,
                                "client_ids": list(provider.client_ids)} for provider in account.identity_providers],
        "resources": [{"arn": resource.arn, "type": resource.type, "region": resource.region, "name": resource.name,
                       "policy": resource.policy.as_dict() if resource.policy is not None else None,
                       "properties": resource.properties.as_dict()} for resource in account.resources],
        "errors": [{"service": error.service, "operation": error.operation, "resource": error.resource,
                    "code": error.code, "message": error.message} for error in account.errors],
    }


def _organization_dict(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.id, "management_account_id": organization.management_account_id,
        "roots": [{"id": root.id, "name": root.name} for root in organization.roots],
        "organizational_units": [{"id": unit.id, "name": unit.name, "parent_id": unit.parent_id}
                                 for unit in organization.organizational_units],
        "accounts": [{"id": account.id, "name": account.name, "parent_id": account.parent_id}
                     for account in organization.accounts],
        "policies": [{"id": policy.id, "name": policy.name, "type": policy.type.value,
                      "document": policy.document.as_dict(), "targets": list(policy.targets)}
                     for policy in organization.policies],
    }
