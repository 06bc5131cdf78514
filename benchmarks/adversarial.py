"""Adversarial inputs (issue 10, item 2): each must finish in bounded time and memory, with the right answer.

Usage: python benchmarks/adversarial.py [--scale full|fast] [--cases a,b] [--json] [--timeout S]

Each case runs in its own child process (`--child NAME`), so its peak memory (ru_maxrss) is its
own; the child reports the CPU time (user + system, `time.process_time()`) of the whole case and of
each phase, and what the product answered. Figures in `docs/limits.md` come from `--scale full`.
The suite (`tests/robustness/test_adversarial_sizes.py`) runs every case at `--scale fast` in-process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.build import build_graph  # noqa: E402
from graph.errors import PolicyError, QueryError, RequestError, SnapshotError  # noqa: E402
from graph.policy import (  # noqa: E402
    evaluate, parse_caller, parse_policy, request_from_json, resource_matches,
)
from graph.policy.wildcard import action_matches, glob_matches  # noqa: E402
from graph.query import find_paths, reach, who_can  # noqa: E402
from graph.snapshot import load_snapshot, parse_snapshot, validate_snapshot  # noqa: E402

Figures = dict[str, Any]
"""Phase name to CPU seconds, or to what the product answered."""

DEV = "111111111111"
DATA = "222222222222"


class Scale(StrEnum):
    """How big the inputs are: the sizes issue 10 names, or a tenth-ish for the suite."""

    FULL = "full"
    FAST = "fast"


@dataclass(frozen=True, slots=True)
class Case:
    """One adversarial input and what the product must do with it."""

    name: str
    description: str
    run: Callable[[Scale], Figures]


class _Clock:
    """CPU time of named phases (user + system of this process)."""

    def __init__(self) -> None:
        self.figures: Figures = {}

    def phase(self, name: str, work: Callable[[], Any]) -> Any:
        start = time.process_time()
        result = work()
        self.figures[f"{name}_cpu_s"] = round(time.process_time() - start, 4)
        return result


def _base_snapshot(roles: list[dict[str, Any]], resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A one-account snapshot (no organization) holding these roles and resources."""
    return {
        "format": "xpath-snapshot", "version": 1, "collected_at": "2026-11-27T10:00:00Z", "source": "import",
        "organization": None,
        "accounts": [{"id": DEV, "name": "dev",
                      "authorization_details": {"RoleDetailList": roles}, "resources": resources}],
    }


def _role(name: str, trusted: list[str], statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "RoleName": name, "Arn": f"arn:aws:iam::{DEV}:role/{name}",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17",
                                                                        "Statement": statements}}],
    }


# --- a policy of 10,000 statements ---------------------------------------------------------------

def big_policy(statements: int) -> dict[str, Any]:
    """Statement i allows s3:GetObject on bucket-i; every 10th also needs a tag; the last denies bucket-(n-1)."""
    found: list[dict[str, Any]] = []
    for index in range(statements - 1):
        statement: dict[str, Any] = {"Sid": f"S{index}", "Effect": "Allow", "Action": ["s3:GetObject", f"sqs:Send{index}*"],
                                     "Resource": f"arn:aws:s3:::bucket-{index}/*"}
        if index % 10 == 0:
            statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": f"team-{index}"}}
        found.append(statement)
    found.append({"Sid": "DenyLast", "Effect": "Deny", "Action": "s3:*",
                  "Resource": f"arn:aws:s3:::bucket-{statements - 1}/*"})
    return {"Version": "2012-10-17", "Statement": found}


def _request(policy: Any, resource: str, **extra: Any) -> dict[str, Any]:
    return {"principal": f"arn:aws:iam::{DEV}:role/Big", "action": "s3:GetObject", "resource": resource,
            "resource_account": DEV, "identity_policies": [policy], **extra}


def case_policy_statements(scale: Scale) -> Figures:
    """Parse, evaluate, load in a snapshot and build the graph of a policy of 10,000 statements."""
    count = 10_000 if scale is Scale.FULL else 1_000
    clock = _Clock()
    document = clock.phase("build_input", lambda: big_policy(count))
    clock.phase("parse", lambda: parse_policy(document))
    second_last = count - 2  # an unconditioned Allow unless it is a multiple of 10
    second_last -= 1 if second_last % 10 == 0 else 0
    asks = {
        "allowed": _request(document, f"arn:aws:s3:::bucket-{second_last}/k"),
        "denied": _request(document, f"arn:aws:s3:::bucket-{count - 1}/k"),
        "no_statement": _request(document, "arn:aws:s3:::elsewhere/k"),
        "tag_unknown": _request(document, "arn:aws:s3:::bucket-10/k"),
    }
    requests = {name: request_from_json(raw) for name, raw in asks.items()}
    requests["tag_unknown"] = replace(requests["tag_unknown"], unknown_context=True)
    decisions = clock.phase("evaluate_4", lambda: {name: str(evaluate(r).decision) for name, r in requests.items()})
    clock.figures["decisions"] = decisions
    roles = [_role("Big", [f"arn:aws:iam::{DEV}:root"], document["Statement"])]
    resources = [{"arn": f"arn:aws:s3:::bucket-{second_last}", "type": "AWS::S3::Bucket", "region": "us-east-1",
                  "name": f"bucket-{second_last}", "policy": None}]
    raw = _base_snapshot(roles, resources)
    snapshot = clock.phase("load_snapshot", lambda: parse_snapshot(raw))
    graph = clock.phase("build_graph", lambda: build_graph(snapshot))
    answer = clock.phase("who_can", lambda: who_can(graph, f"arn:aws:s3:::bucket-{second_last}", action="s3:GetObject"))
    clock.figures["who_can_principals"] = sorted(entry.principal for entry in answer.principals)
    clock.figures["statements"] = count
    return clock.figures


CROWDED = "arn:aws:s3:::crowded"
FIRST_NAMED = 100_000_000_000
"""The account statement 0 of `many_principals_snapshot` names (statement i names FIRST_NAMED + i)."""


def named_principal(index: int, first: int = FIRST_NAMED) -> str:
    """What statement `index` names: an account root, a role of the account, or a role session, in turn."""
    account = first + index
    return (f"arn:aws:iam::{account}:root", f"arn:aws:iam::{account}:role/reader-{index}",
            f"arn:aws:sts::{account}:assumed-role/reader-{index}/session")[index % 3]


class Scoping(StrEnum):
    """What the statements of `many_principals_snapshot` grant: every object, or each its own key prefix."""

    WHOLE = "whole"
    OWN_PREFIX = "own-prefix"
    """Statement i grants `crowded/p<i>/*`: every caller gets a prefix group of its own."""


def many_principals_snapshot(statements: int, *, first: int = FIRST_NAMED, denied: int | None = None,
                             scoping: Scoping = Scoping.WHOLE) -> dict[str, Any]:
    """A bucket policy of `statements` statements, each granting s3:GetObject to another account's principal.

    Statement i names account `first + i` (its root, a role or a role session: `named_principal`) on
    every object of the bucket, or (`Scoping.OWN_PREFIX`) on the key prefix `p<i>/`;
    with `denied`, a last statement denies every principal of that account (by its root). The
    bucket's own account holds a role `Reader` that the policy also names, and a role `Bystander`
    that nothing grants the bucket. Other accounts are not collected: each stands for its principals.
    """
    found: list[dict[str, Any]] = [
        {"Sid": f"S{index}", "Effect": "Allow", "Principal": {"AWS": named_principal(index, first)},
         "Action": "s3:GetObject",
         "Resource": f"{CROWDED}/p{index}/*" if scoping is Scoping.OWN_PREFIX else f"{CROWDED}/*"}
        for index in range(statements)]
    found.append({"Sid": "OwnReader", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/Reader"},
                  "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [CROWDED, f"{CROWDED}/*"]})
    if denied is not None:
        found.append({"Sid": "DenyOne", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{first + denied}:root"},
                      "Action": "s3:*", "Resource": [CROWDED, f"{CROWDED}/*"]})
    bucket = {"arn": CROWDED, "type": "AWS::S3::Bucket", "region": "us-east-1", "name": "crowded",
              "policy": {"Version": "2012-10-17", "Statement": found}}
    unrelated = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]
    roles = [_role("Reader", [f"arn:aws:iam::{DEV}:root"], unrelated),
             _role("Bystander", [f"arn:aws:iam::{DEV}:root"], unrelated)]
    return _base_snapshot(roles, [bucket])


def crowded_questions(statements: int, *, first: int = FIRST_NAMED, denied: int | None = None,
                      scoping: Scoping = Scoping.WHOLE) -> Figures:
    """What a user pays on `many_principals_snapshot`: CPU of the build, who-can on the bucket with and
    without an action, and paths from one named account, and what each answered."""
    snapshot = parse_snapshot(many_principals_snapshot(statements, first=first, denied=denied, scoping=scoping))
    clock = _Clock()
    graph = clock.phase("build", lambda: build_graph(snapshot))
    reading = clock.phase("who_can_get_object", lambda: who_can(graph, CROWDED, action="s3:GetObject"))
    everything = clock.phase("who_can", lambda: who_can(graph, CROWDED))
    source = str(first + statements // 2)
    paths = clock.phase("paths", lambda: find_paths(graph, source, CROWDED, action="s3:GetObject"))
    clock.figures["cpu_s"] = round(sum(value for key, value in clock.figures.items() if key.endswith("_cpu_s")), 4)
    clock.figures["who_can_get_object"] = sorted(entry.principal for entry in reading.principals)
    clock.figures["who_can"] = sorted(entry.principal for entry in everything.principals)
    clock.figures["paths"] = [[(hop.source, hop.target, [grant.sid for grant in hop.granted_by], hop.scope)
                               for hop in path.hops] for path in paths.paths]
    return clock.figures


def case_resource_policy_principals(scale: Scale) -> Figures:
    """A bucket policy whose statements each name another account: build + who-can + paths per size."""
    sizes = (800, 1_600, 10_000) if scale is Scale.FULL else (100, 200)
    figures: Figures = {}
    for scoping in Scoping:
        for size in sizes:
            found = crowded_questions(size, scoping=scoping)
            name = f"{size}" if scoping is Scoping.WHOLE else f"{size}_{scoping.value.replace('-', '_')}"
            for key in ("build_cpu_s", "who_can_get_object_cpu_s", "who_can_cpu_s", "paths_cpu_s", "cpu_s"):
                figures[f"{name}_{key}"] = found[key]
            figures[f"{name}_who_can_principals"] = len(found["who_can"])
    return figures


# --- a 50 MB snapshot ----------------------------------------------------------------------------

def case_large_snapshot(scale: Scale) -> Figures:
    """Load and validate a synthetic organization written as a ~50 MB (uncompressed) snapshot."""
    from graph.synthetic import generate_organization

    accounts = 540 if scale is Scale.FULL else 20
    clock = _Clock()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.json"
        text = clock.phase("generate", lambda: json.dumps(generate_organization(accounts, 1)))
        path.write_text(text, encoding="utf-8")
        clock.figures["snapshot_mb"] = round(len(text.encode()) / 1e6, 1)
        del text
        snapshot = clock.phase("load", lambda: load_snapshot(path))
        clock.figures["accounts"] = len(snapshot.accounts)
        del snapshot
        problems = clock.phase("validate", lambda: validate_snapshot(path))
        clock.figures["problems"] = len(problems)
    return clock.figures


# --- a trust cycle of 1,000 roles ----------------------------------------------------------------

def trust_ring(roles: int, extra_trusts: int) -> dict[str, Any]:
    """Role i trusts role i-1 (a cycle) and `extra_trusts` others; role 0 reads bucket `ring-data`."""
    found = []
    for index in range(roles):
        trusted = [f"arn:aws:iam::{DEV}:role/R{(index - 1) % roles}"]
        trusted += [f"arn:aws:iam::{DEV}:role/R{(index * 7 + k * 13) % roles}" for k in range(extra_trusts)]
        statements: list[dict[str, Any]] = [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]
        if index == 0:
            statements.append({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ring-data/*"})
        found.append(_role(f"R{index}", trusted, statements))
    bucket = {"arn": "arn:aws:s3:::ring-data", "type": "AWS::S3::Bucket", "region": "us-east-1", "name": "ring-data",
              "policy": None}
    return _base_snapshot(found, [bucket])


def case_trust_cycle(scale: Scale) -> Figures:
    """who-can, paths and reach on a cycle of 1,000 roles, and on the same cycle with 3 extra trusts per role."""
    roles = 1_000 if scale is Scale.FULL else 200
    clock = _Clock()
    target = "arn:aws:s3:::ring-data"
    ring = clock.phase("ring_build_graph", lambda: build_graph(parse_snapshot(trust_ring(roles, 0))))
    answer = clock.phase("ring_who_can_20_hops", lambda: who_can(ring, target, action="s3:GetObject", max_hops=20))
    clock.figures["ring_who_can_principals"] = len(answer.principals)
    far = f"arn:aws:iam::{DEV}:role/R1"  # R1 -> R2 -> ... -> R(n-1) -> R0 -> bucket: n hops
    paths = clock.phase("ring_paths_100_hops", lambda: find_paths(ring, far, target, action="s3:GetObject",
                                                                  max_hops=100, limit=100))
    clock.figures["ring_paths"] = {"found": len(paths.paths), "truncated": paths.truncated}
    try:
        find_paths(ring, far, target, max_hops=roles + 1)
        clock.figures["ring_paths_beyond_limit"] = "answered"
    except QueryError as error:
        clock.figures["ring_paths_beyond_limit"] = f"QueryError: {error}"
    clock.phase("ring_reach_20_hops", lambda: reach(ring, far, max_hops=20))
    mesh = clock.phase("mesh_build_graph", lambda: build_graph(parse_snapshot(trust_ring(roles, 3))))
    clock.figures["mesh_edges"] = mesh.graph.number_of_edges()
    answer = clock.phase("mesh_who_can_20_hops", lambda: who_can(mesh, target, action="s3:GetObject", max_hops=20))
    clock.figures["mesh_who_can_principals"] = len(answer.principals)
    paths = clock.phase("mesh_paths_20_hops_limit_1000",
                        lambda: find_paths(mesh, far, target, action="s3:GetObject", max_hops=20, limit=1000))
    clock.figures["mesh_paths"] = {"found": len(paths.paths), "truncated": paths.truncated}
    reached = clock.phase("mesh_reach_20_hops", lambda: reach(mesh, far, max_hops=20))
    clock.figures["mesh_reach_resources"] = len(reached.resources)
    clock.figures["roles"] = roles
    return clock.figures


# --- a 20,000-character ARN ----------------------------------------------------------------------

def case_long_arn(scale: Scale) -> Figures:
    """A role and a bucket with 20,000-character ARNs: parse, match, evaluate, graph and table output."""
    length = 20_000 if scale is Scale.FULL else 5_000
    clock = _Clock()
    path = "/" + "p" * (length - 40) + "/"
    role_arn = f"arn:aws:iam::{DEV}:role{path}LongRole"
    bucket = "b" * (length - len("arn:aws:s3:::"))
    bucket_arn = f"arn:aws:s3:::{bucket}"
    clock.figures["arn_chars"] = len(role_arn)
    caller = clock.phase("parse_caller", lambda: parse_caller(role_arn))
    clock.figures["caller_kind"] = str(caller.kind)
    clock.figures["matches"] = clock.phase("match", lambda: [
        resource_matches("arn:aws:s3:::b*b/*", bucket_arn + "/k"),
        resource_matches("arn:aws:s3:::" + "b?" * 50 + "*", bucket_arn),
        resource_matches(f"arn:aws:iam::{DEV}:role/*", role_arn),
        resource_matches("arn:aws:s3:::*c*", bucket_arn),
    ])
    request = request_from_json({
        "principal": role_arn, "action": "s3:GetObject", "resource": bucket_arn + "/k", "resource_account": DEV,
        "identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b*/*",
             "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{DEV}:role/p*"}}}]}],
    })
    clock.figures["decision"] = str(clock.phase("evaluate", lambda: evaluate(request).decision))
    role = _role("LongRole", [f"arn:aws:iam::{DEV}:root"],
                 [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*"}])
    role["Arn"], role["Path"] = role_arn, path
    raw = _base_snapshot([role], [{"arn": bucket_arn, "type": "AWS::S3::Bucket", "region": "us-east-1",
                                   "name": bucket, "policy": None}])
    graph = clock.phase("load_and_build", lambda: build_graph(parse_snapshot(raw)))
    answer = clock.phase("who_can", lambda: who_can(graph, bucket_arn, action="s3:GetObject"))
    clock.figures["who_can_principals"] = len(answer.principals)
    clock.figures["table_chars"] = clock.phase("table_output", lambda: len(_table_text(answer)))
    return clock.figures


def _table_text(answer: Any) -> str:
    import io
    from contextlib import redirect_stdout

    from tui.output import print_who_can

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        print_who_can(answer)
    return buffer.getvalue()


# --- deeply nested JSON --------------------------------------------------------------------------

def case_deep_json(scale: Scale) -> Figures:
    """100,000 levels of nesting in a snapshot file, a policy string and a simulate request: clean errors."""
    depth = 100_000
    clock = _Clock()
    nested = "[" * depth + "]" * depth
    outcomes: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "deep.json"
        plain.write_text(nested, encoding="utf-8")
        packed = Path(folder) / "deep.json.gz"
        packed.write_bytes(gzip.compress(nested.encode()))
        for name, path in (("snapshot_json", plain), ("snapshot_gzip", packed)):
            outcomes[name] = clock.phase(name, lambda p=path: _outcome(lambda: load_snapshot(p)))
    policy = '{"Statement":' + nested + "}"
    outcomes["policy_string"] = clock.phase("policy_string", lambda: _outcome(lambda: parse_policy(policy)))
    outcomes["request"] = clock.phase("request", lambda: _outcome(
        lambda: request_from_json(_request(policy, "arn:aws:s3:::b/k"))))
    clock.figures["outcomes"] = outcomes
    clock.figures["depth"] = depth if scale is Scale.FULL else depth
    return clock.figures


def _outcome(work: Callable[[], Any]) -> str:
    try:
        work()
    except (SnapshotError, PolicyError, RequestError) as error:
        return f"{type(error).__name__}: {error}"
    return "accepted"


# --- wildcard patterns that make naive matching exponential --------------------------------------

def case_wildcards(scale: Scale) -> Figures:
    """`*a*a*a...*b` against `aaaa...` (no b): in actions, resources and StringLike conditions."""
    stars = 5_000 if scale is Scale.FULL else 1_000
    length = 20_000 if scale is Scale.FULL else 5_000
    clock = _Clock()
    pattern = "*a" * stars + "*b"
    subject = "a" * length
    results = {
        "glob": clock.phase("glob", lambda: glob_matches(pattern, subject)),
        "glob_question_marks": clock.phase("glob_question_marks", lambda: glob_matches("*a?" * stars + "*b", subject)),
        "action": clock.phase("action", lambda: action_matches("s3:" + pattern, "s3:" + subject)),
        "resource": clock.phase("resource", lambda: resource_matches("arn:aws:s3:::" + pattern,
                                                                     "arn:aws:s3:::" + subject)),
        "glob_matching_end": clock.phase("glob_matching_end", lambda: glob_matches(pattern, subject + "b")),
    }
    clock.figures["matches"] = results
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:" + pattern, "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::" + pattern},
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"StringLike": {"aws:userid": pattern, "s3:prefix": [pattern] * 20}}}]}
    context = {"aws:userid": subject, "s3:prefix": [subject] * 20}
    request = request_from_json({"principal": f"arn:aws:iam::{DEV}:role/R", "action": "s3:" + subject,
                                 "resource": "arn:aws:s3:::" + subject, "resource_account": DEV,
                                 "identity_policies": [policy], "context": context})
    clock.figures["decision"] = str(clock.phase("evaluate", lambda: evaluate(request).decision))
    matching = replace(request, context={"aws:userid": subject + "b", "s3:prefix": (subject + "b",)})
    clock.figures["decision_when_condition_matches"] = str(
        clock.phase("evaluate_match", lambda: evaluate(matching).decision))
    clock.figures["stars"] = stars
    return clock.figures


CASES: tuple[Case, ...] = (
    Case("policy_10k_statements", "a policy of 10,000 statements: parse, evaluate, in a snapshot, graph build",
         case_policy_statements),
    Case("resource_policy_principals", "a bucket policy of 800, 1,600 and 10,000 statements, each naming another "
         "account (on every object, then each on its own key prefix): build, who-can with and without an action, "
         "paths from one account, per size",
         case_resource_policy_principals),
    Case("snapshot_50mb", "a ~50 MB snapshot (540 synthetic accounts): load and validate", case_large_snapshot),
    Case("trust_cycle_1000", "a trust cycle of 1,000 roles (and a mesh of 4 trusts per role): who-can, paths, reach",
         case_trust_cycle),
    Case("arn_20000_chars", "a 20,000-character ARN: parse, match, evaluate, graph, table", case_long_arn),
    Case("json_100000_levels", "JSON nested 100,000 levels: snapshot, gzip snapshot, policy, request",
         case_deep_json),
    Case("wildcards_exponential", "*a*a*...*b against aaaa...: actions, resources, StringLike", case_wildcards),
)
_BY_NAME = {case.name: case for case in CASES}


def run_child(name: str, scale: Scale) -> Figures:
    """Runs one case in this process; returns its figures plus total CPU time and peak memory."""
    start = time.process_time()
    figures = _BY_NAME[name].run(scale)
    figures["total_cpu_s"] = round(time.process_time() - start, 3)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def run_case(name: str, scale: Scale, timeout: float) -> Figures:
    """One case in a child process; a child that fails or runs out of time is reported, never hidden."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--scale", str(scale)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"child exited {completed.returncode}: {last}"}
    figures: Figures = json.loads(completed.stdout)
    return figures


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError as error:
        model = f"unknown ({error.strerror})"
    import os

    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.system()}


def main(argv: list[str] | None = None) -> int:
    """Command line of the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=[s.value for s in Scale], default=Scale.FULL.value)
    parser.add_argument("--cases", default=",".join(_BY_NAME), help="comma-separated case names")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per case")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    scale = Scale(options.scale)
    if options.child:
        print(json.dumps(run_child(options.child, scale)))
        return 0
    names = [name for name in options.cases.split(",") if name]
    unknown = [name for name in names if name not in _BY_NAME]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r} (known: {', '.join(_BY_NAME)})")
    report = {"machine": machine(), "scale": str(scale), "cases": {}}
    for name in names:
        report["cases"][name] = run_case(name, scale, options.timeout)
        if not options.json:
            figures = report["cases"][name]
            print(f"{name}: {_BY_NAME[name].description}")
            for key, value in figures.items():
                print(f"    {key}: {value}")
            sys.stdout.flush()
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        print(json.dumps(report["machine"]))
    return 0 if all("error" not in figures for figures in report["cases"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
