"""Fuzzing targets and input strategies shared by the suite (short runs) and `benchmarks/fuzz.py` (long runs).

Each `check_*` function takes one input and asserts the robustness contract of SPEC section 8:
the input ends in a result, or in a clean `XPathError` (a one-line message with a location; exit
code 2 on the command line), never another exception. Where two parts of the product answer the
same question (the validator and the reader), they must agree, so a snapshot is never silently
read differently from how it was checked.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click.testing
from hypothesis import strategies as st

from graph.build import build_graph
from graph.errors import PolicyError, RequestError, SnapshotError, XPathError
from graph.policy import Policy, Result, evaluate, explain, parse_policy, request_from_json
from graph.snapshot import load_snapshot, parse_snapshot, validate_snapshot
from tests.robustness.helpers import demo_document, demo_policies

# --- input strategies --------------------------------------------------------------------------

_TRICKY_STRINGS = (
    "", " ", "*", "?", "Allow", "Deny", "allow", "s3:GetObject", "s3:*", "*:*", "sts:AssumeRole", "iam:PassRole",
    "kms:Decrypt", "arn:aws:s3:::shared-data-bucket", "arn:aws:s3:::b/*", "arn:aws:iam::111111111111:root",
    "arn:aws:iam::111111111111:role/App", "arn:aws:sts::111111111111:assumed-role/App/s", "arn:aws:iam::aws:policy/X",
    "arn:", "arn:aws", "arn:aws:iam::", "111111111111", "999999999999", "o-abcdefghij", "r-ab12", "${aws:username}",
    "${aws:PrincipalTag/team}", "${", "${*}", "${?}", "$", "StringEquals", "StringLike", "ForAnyValue:StringLike",
    "ForAllValues:StringEquals", "StringEqualsIfExists", "Null", "Bool", "IpAddress", "DateGreaterThan",
    "NumericLessThan", "ArnLike", "BinaryEquals", "aws:SourceIp", "aws:PrincipalOrgID", "sts:ExternalId",
    "aws:SecureTransport", "true", "false", "10.0.0.0/8", "::1/128", "2026-01-01T00:00:00Z", "1e400", "NaN",
    "lambda.amazonaws.com", "cognito-identity.amazonaws.com", "accounts.google.com", "AWS::S3::Bucket",
    "AWS::KMS::Key", "2012-10-17", "2008-10-17", "\x00", "\x1b[2J", "\u202e", "\ud800", "%7B%22a%22%3A1%7D",
    '{"Statement":[]}', "[bold]x[/bold]",
)
_KEYS = ("Version", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
         "NotResource", "Condition", "AWS", "Service", "Federated", "CanonicalUser", "Id", "id", "arn", "type",
         "policy", "accounts", "organization", "name", "RoleDetailList", "AssumeRolePolicyDocument")

atoms = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(_TRICKY_STRINGS), st.text(max_size=12),
)
"""Scalar JSON values (NaN and infinities too: Python's json module reads them)."""

json_values = st.recursive(
    atoms,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.sampled_from(_KEYS), st.text(max_size=8)), children,
                                               max_size=5)),
    max_leaves=25,
)
"""Arbitrary JSON documents, biased towards the words policies and snapshots use."""


class Mutation(Enum):
    """One edit of a real document."""

    DELETE = "delete"
    REPLACE = "replace"
    DUPLICATE = "duplicate"
    WRAP_IN_LIST = "wrap-in-list"
    AS_JSON_STRING = "as-json-string"
    AS_URL_ENCODED = "as-url-encoded"
    RENAME_KEY = "rename-key"
    EMPTY = "empty"


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _places(child, (*path, index))


def mutate(document: Any, draw: Callable[[st.SearchStrategy[Any]], Any], edits: int) -> Any:
    """A copy of `document` with `edits` random mutations (places and values drawn with `draw`)."""
    result = copy.deepcopy(document)
    for _ in range(edits):
        places = [place for place in _places(result) if place]
        if not places:
            break
        place = places[draw(st.integers(min_value=0, max_value=len(places) - 1))]
        parent = result
        for part in place[:-1]:
            parent = parent[part]
        key = place[-1]
        kind = draw(st.sampled_from(Mutation))
        current = parent[key]
        if kind is Mutation.DELETE:
            del parent[key]
        elif kind is Mutation.REPLACE:
            parent[key] = draw(json_values)
        elif kind is Mutation.DUPLICATE and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(current))
        elif kind is Mutation.DUPLICATE and isinstance(parent, dict):
            parent[draw(st.sampled_from(_KEYS))] = copy.deepcopy(current)
        elif kind is Mutation.WRAP_IN_LIST:
            parent[key] = [current]
        elif kind is Mutation.AS_JSON_STRING:
            parent[key] = json.dumps(current)
        elif kind is Mutation.AS_URL_ENCODED:
            parent[key] = quote(json.dumps(current), safe="")
        elif kind is Mutation.RENAME_KEY and isinstance(parent, dict):
            del parent[key]
            parent[str(key).lower() if draw(st.booleans()) else f"{key}x"] = current
        elif kind is Mutation.EMPTY:
            parent[key] = type(current)() if isinstance(current, (dict, list, str)) else None
    return result


@st.composite
def mutated_demo_snapshots(draw: st.DrawFn, max_edits: int = 4) -> Any:
    """The demo snapshot with a few fields deleted, retyped, duplicated, renamed or re-encoded."""
    return mutate(demo_document(), draw, draw(st.integers(min_value=1, max_value=max_edits)))


@st.composite
def mutated_policies(draw: st.DrawFn, max_edits: int = 3) -> Any:
    """A real policy (the demo's and the GAAD fixture's, AWS managed ones included), mutated."""
    policy = draw(st.sampled_from(real_policies()))
    return mutate(policy, draw, draw(st.integers(min_value=0, max_value=max_edits)))


def real_policies() -> list[Any]:
    """Policies of the demo and of the `aws iam get-account-authorization-details` fixture."""
    found = demo_policies()
    fixture = Path(__file__).resolve().parents[1] / "snapshot" / "data" / "gaad_cli_output.json"
    details = json.loads(fixture.read_text(encoding="utf-8"))
    for policy in details["Policies"]:
        found += [version["Document"] for version in policy["PolicyVersionList"]]
    for role in details["RoleDetailList"]:
        found.append(role["AssumeRolePolicyDocument"])
    return found


_PRINCIPALS = ("arn:aws:iam::111111111111:role/App", "arn:aws:iam::111111111111:user/alice", "*", "111111111111",
               "arn:aws:sts::111111111111:assumed-role/App/session", "lambda.amazonaws.com",
               "arn:aws:iam::999999999999:root", "arn:aws:sts::111111111111:federated-user/bob")
_ACTIONS = ("s3:GetObject", "s3:PutObject", "sts:AssumeRole", "kms:Decrypt", "iam:PassRole", "sqs:SendMessage",
            "lambda:InvokeFunction", "secretsmanager:GetSecretValue")
_RESOURCES = ("arn:aws:s3:::shared-data-bucket/key.txt", "arn:aws:s3:::shared-data-bucket", "*",
              "arn:aws:iam::222222222222:role/CrossAccountS3Access",
              "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab")


@st.composite
def requests(draw: st.DrawFn) -> Any:
    """SPEC section 5 requests from real parts (principals, actions, policies, contexts), then mutated."""
    policies = real_policies()
    pick = st.sampled_from(policies)
    raw: dict[str, Any] = {
        "principal": draw(st.sampled_from(_PRINCIPALS)),
        "action": draw(st.sampled_from(_ACTIONS)),
        "resource": draw(st.sampled_from(_RESOURCES)),
        "resource_account": draw(st.sampled_from(("111111111111", "222222222222"))),
        "identity_policies": draw(st.lists(pick, max_size=3)),
        "permission_boundary": draw(st.none() | pick),
        "session_policies": draw(st.lists(pick, max_size=1)),
        "resource_policy": draw(st.none() | pick),
        "scps": draw(st.none() | st.lists(st.lists(pick, min_size=1, max_size=2), max_size=2)),
        "rcps": draw(st.none() | st.lists(st.lists(pick, min_size=1, max_size=2), max_size=2)),
        "context": draw(st.dictionaries(st.sampled_from(("aws:SourceIp", "sts:ExternalId", "aws:PrincipalTag/team",
                                                         "aws:SecureTransport", "aws:MultiFactorAuthPresent",
                                                         "aws:PrincipalOrgID", "aws:CurrentTime", "s3:prefix")),
                                        st.one_of(st.sampled_from(_TRICKY_STRINGS), st.lists(atoms, max_size=3),
                                                  atoms), max_size=4)),
    }
    return mutate(raw, draw, draw(st.integers(min_value=0, max_value=3)))


@st.composite
def snapshot_bytes(draw: st.DrawFn) -> bytes:
    """The demo file cut short, re-encoded, gzip-truncated or with bytes flipped."""
    text = json.dumps(demo_document())
    kind = draw(st.sampled_from(("truncated", "utf-16", "latin-1", "gzip-truncated", "flipped", "bom")))
    data = text.encode()
    if kind == "truncated":
        return data[:draw(st.integers(min_value=0, max_value=len(data) - 1))]
    if kind == "utf-16":
        return text.encode("utf-16")
    if kind == "latin-1":
        return text.replace("dev", "d\u00e9v").encode("latin-1")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "gzip-truncated":
        packed = gzip.compress(data)
        return packed[:draw(st.integers(min_value=0, max_value=len(packed) - 1))]
    position = draw(st.integers(min_value=0, max_value=len(data) - 1))
    return data[:position] + bytes([draw(st.integers(min_value=0, max_value=255))]) + data[position + 1:]


# --- the contract ------------------------------------------------------------------------------

def assert_clean(error: XPathError) -> None:
    """A clean error: a one-line message, with a location.

    The location may quote the input's own keys as they are (a key can hold a newline or an escape
    sequence); the command line prints it with those made visible, on one line (`check_simulate_cli`).
    """
    assert error.location, f"no location: {str(error)!r}"
    assert "\n" not in error.message, f"more than one line: {error.message!r}"


class Outcome(Enum):
    """How one fuzzed input ended (all of them are acceptable; the counts show how deep the fuzzer got)."""

    RESULT = "result"
    CLEAN_ERROR = "clean error"
    BUILD_REFUSED = "read, then refused by the graph build"
    """The validator accepted it but the policy parser did not (test_validator_agreement.py)."""


class GraphCheck(Enum):
    """Whether a snapshot that reads must also build into a graph (slower: about 0.3 s on the demo)."""

    BUILD = "build"
    SKIP = "skip"


def check_snapshot(raw: Any, graph: GraphCheck = GraphCheck.SKIP) -> Outcome:
    """The reader gives a snapshot or a clean SnapshotError, and agrees with the validator."""
    problems = validate_snapshot(raw)
    try:
        snapshot = parse_snapshot(raw, origin="fuzz.json")
    except SnapshotError as error:
        assert_clean(error)
        assert problems, f"the reader refused what the validator accepted: {error}"
        return Outcome.CLEAN_ERROR
    assert not problems, f"the reader accepted what the validator refused: {problems[:3]}"
    if graph is GraphCheck.BUILD:
        try:
            build_graph(snapshot)
        except XPathError as error:
            # a policy the validator's shape checks accept but the parser refuses: still a clean error
            # (tests/robustness/test_validator_agreement.py pins the gap)
            assert_clean(error)
            return Outcome.BUILD_REFUSED
    return Outcome.RESULT


def check_snapshot_file(data: bytes, folder: Path, suffix: str) -> Outcome:
    """Loading a damaged file gives a snapshot or a clean SnapshotError naming the file."""
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        load_snapshot(path)
    except SnapshotError as error:
        assert_clean(error)
        assert str(path) in (error.location or ""), error
        return Outcome.CLEAN_ERROR
    return Outcome.RESULT


def _policy_uses(policy: Policy) -> Iterator[dict[str, Any]]:
    yield {"principal": "arn:aws:iam::111111111111:role/App", "action": "s3:GetObject",
           "resource": "arn:aws:s3:::shared-data-bucket/k", "resource_account": "111111111111",
           "identity_policies": [{"policy_id": "fuzz", "document": json.loads(policy.text)}]}
    yield {"principal": "arn:aws:iam::999999999999:role/Vendor", "action": "sts:AssumeRole",
           "resource": "arn:aws:iam::111111111111:role/App", "resource_account": "111111111111",
           "resource_policy": json.loads(policy.text), "resource_policy_kind": "trust",
           "identity_policies": [{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}]}


def check_policy(document: Any) -> Outcome:
    """A policy parses or fails cleanly; a parsed policy evaluates as identity and as trust policy."""
    try:
        policy = parse_policy(document)
    except PolicyError as error:
        assert_clean(error)
        return Outcome.CLEAN_ERROR
    for raw in _policy_uses(policy):
        check_request(raw)
    return Outcome.RESULT


def check_request(raw: Any) -> Outcome:
    """A request reads or fails cleanly; a read request evaluates, explains, and gives SPEC section 5 JSON."""
    try:
        request = request_from_json(raw)
    except RequestError as error:
        assert_clean(error)
        return Outcome.CLEAN_ERROR
    for variant in (request, replace(request, unknown_context=True)):
        result = evaluate(variant)
        assert isinstance(result, Result)
        answer = result.to_json()
        assert answer["decision"] in {"allowed", "explicitDeny", "implicitDeny", "conditional"}
        json.dumps(answer)
        assert all(isinstance(line, str) for line in explain(variant))
    return Outcome.RESULT


def check_simulate_cli(raw: Any, runner: click.testing.CliRunner) -> Outcome:
    """`xpath-tui simulate -` answers (exit 0, JSON) or refuses in one line (exit 2), never an internal error."""
    from tui.cli import main

    text = raw if isinstance(raw, str) else json.dumps(raw)
    with runner.isolation(input=text) as (out, err, *_):
        code = 0
        try:
            main(["simulate", "-"])
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else 0
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    assert code in (0, 2), (code, stderr)
    assert "Traceback" not in stdout + stderr and "internal error" not in stderr, stderr
    if code == 0:
        answer = json.loads(stdout)
        results = answer if isinstance(answer, list) else [answer]
        # conditional only on what cannot be decided (an unknown operator: SPEC section 8)
        assert all(result["decision"] in {"allowed", "explicitDeny", "implicitDeny", "conditional"}
                   for result in results)
    else:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("xpath-tui: error: "), stderr
        return Outcome.CLEAN_ERROR
    return Outcome.RESULT


def new_runner() -> click.testing.CliRunner:
    """A CliRunner for `check_simulate_cli`."""
    return click.testing.CliRunner()


__all__ = ["GraphCheck", "Mutation", "Outcome", "assert_clean", "atoms", "check_policy", "check_request", "check_simulate_cli",
           "check_snapshot", "check_snapshot_file", "json_values", "mutate", "mutated_demo_snapshots",
           "mutated_policies", "new_runner", "real_policies", "requests", "snapshot_bytes"]
