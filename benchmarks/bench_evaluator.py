"""Evaluations per second of the policy evaluator on realistic policies (one core).

Run: `python benchmarks/bench_evaluator.py [--seconds N]`. Rates use process CPU time, so a busy
machine does not understate them. Each scenario is a typical request of
the graph builder: a role with three identity policies (one AWS-managed-sized), a permissions
boundary, three SCP levels, an RCP level and a bucket policy with an org condition; a
cross-account AssumeRole against a trust policy with an ExternalId; and the same in
three-valued mode. Policies are parsed once (as the graph does); every evaluation is a full
`evaluate` call. "warm" means the evaluator's per-policy-group memos have seen the
(caller, resource) combinations before, as when the graph evaluates many principals that share
managed policies against the same resources; "cold" means every request is new (the loop goes
over its 20,000 requests again until the time is up, so from the second pass on the callers are
known); "first sight" evaluates each of its requests once, every caller and object never seen
before, which is the true cold cost (caller parsed, derived keys made, Principal naming). The header
gives the CPU, the load and the CPU time of a fixed pure-Python loop, since a loaded or slower
machine inflates CPU time too.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.policy import Request, evaluate, parse_policy  # noqa: E402

A, B = "111111111111", "222222222222"

_READ_ONLY = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Sid": f"Read{index}", "Effect": "Allow", "Action": [f"{service}:Get*", f"{service}:List*", f"{service}:Describe*"],
     "Resource": "*"}
    for index, service in enumerate(["ec2", "rds", "lambda", "sqs", "sns", "dynamodb", "cloudwatch", "logs",
                                     "iam", "kms", "secretsmanager", "ecr", "ecs", "eks", "elasticloadbalancing"])
]}, policy_id="arn:aws:iam::aws:policy/ReadOnlySubset")
_APP = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Sid": "Data", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
     "Resource": [f"arn:aws:s3:::data-{index}/*" for index in range(8)] + ["arn:aws:s3:::shared-data-bucket/*"]},
    {"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{B}:role/*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
]}, policy_id=f"arn:aws:iam::{A}:policy/App")
_TAGS = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}]})
_BOUNDARY = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole", "ec2:*", "kms:Decrypt"], "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]})
_FULL = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
_REGION = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"], "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
    {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"], "Resource": "*"}]})
_RCP = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sts:*", "kms:*"], "Resource": "*",
     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"},
                   "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]})
_BUCKET = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::shared-data-bucket", "arn:aws:s3:::shared-data-bucket/*"],
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}},
    {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::shared-data-bucket", "arn:aws:s3:::shared-data-bucket/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
_TRUST = parse_policy({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}}},
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

_SCPS = ((_FULL,), (_FULL, _REGION), (_FULL,))


def _s3_request(index: int, *, unique: bool = False) -> Request:
    session = index if unique else index % 50
    key = index if unique else index % 97
    return Request(principal=f"arn:aws:sts::{A}:assumed-role/App/session-{session}", action="s3:GetObject",
                   resource=f"arn:aws:s3:::shared-data-bucket/reports/{key}.csv", resource_account=B,
                   identity_policies=(_READ_ONLY, _APP, _TAGS), permission_boundary=_BOUNDARY,
                   resource_policy=_BUCKET, scps=_SCPS, rcps=((_RCP,),),
                   context={"aws:PrincipalOrgID": "o-abc123", "aws:RequestedRegion": "us-east-1",
                            "aws:SecureTransport": "true", "aws:PrincipalTag/team": "data"})


def _s3_cold_request(index: int) -> Request:
    return _s3_request(index, unique=True)


def _s3_new_object_request(index: int) -> Request:
    request = _s3_request(index)
    return Request(principal=request.principal, action=request.action,
                   resource=f"arn:aws:s3:::shared-data-bucket/reports/{index}-{index % 7}.csv",
                   resource_account=request.resource_account, identity_policies=request.identity_policies,
                   permission_boundary=request.permission_boundary, resource_policy=request.resource_policy,
                   scps=request.scps, rcps=request.rcps, context=request.context)


def _trust_request(index: int) -> Request:
    return Request(principal=f"arn:aws:iam::{A}:role/App", action="sts:AssumeRole",
                   resource=f"arn:aws:iam::{B}:role/Target{index % 20}", resource_account=B,
                   identity_policies=(_READ_ONLY, _APP), permission_boundary=_BOUNDARY, resource_policy=_TRUST,
                   scps=_SCPS, rcps=((_RCP,),), resource_policy_kind="trust",
                   context={"sts:ExternalId": "ext-123", "aws:PrincipalOrgID": "o-abc123",
                            "aws:RequestedRegion": "us-east-1"})


def _three_valued_request(index: int) -> Request:
    return Request(principal=f"arn:aws:iam::{A}:role/App", action="sts:AssumeRole",
                   resource=f"arn:aws:iam::{B}:role/Target{index % 20}", resource_account=B,
                   identity_policies=(_READ_ONLY, _APP), permission_boundary=_BOUNDARY, resource_policy=_TRUST,
                   scps=_SCPS, rcps=((_RCP,),), resource_policy_kind="trust", unknown_context=True,
                   context={"aws:PrincipalOrgID": "o-abc123"})


def _rate(build: Callable[[int], Request], seconds: float, *, warm: bool) -> tuple[float, str]:
    """Evaluations per CPU second over pre-built requests (building them is not the evaluator's cost)."""
    requests = [build(index) for index in range(20_000)]
    if warm:
        for request in requests[:5_000]:
            evaluate(request)
    decision = evaluate(requests[0]).decision.value
    count, start = 0, time.process_time()
    while True:
        for request in requests:
            evaluate(request)
        count += len(requests)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return count / elapsed, decision


SCENARIOS: tuple[tuple[str, Callable[[int], Request], bool], ...] = (
    ("cross-account s3:GetObject, SCP+RCP+boundary+bucket policy, 4,850 distinct callerxobject (warm)",
     _s3_request, True),
    ("same, every request a new caller and object (cold: no memo hits on caller/resource)", _s3_cold_request, False),
    ("same, 50 callers, every request a new object (as the graph: few callers, many resources)",
     _s3_new_object_request, False),
    ("cross-account sts:AssumeRole against a trust policy with ExternalId (warm)", _trust_request, True),
    ("same, three-valued: ExternalId unknown -> conditional (warm)", _three_valued_request, True),
)


def _first_sight_rate(seconds: float) -> tuple[float, str]:
    """Evaluations per CPU second when each request is evaluated once, its caller and object never seen."""
    offset, count, elapsed, decision = 1_000_000, 0, 0.0, ""
    while elapsed < seconds:
        requests = [_s3_cold_request(offset + index) for index in range(20_000)]
        offset += len(requests)
        start = time.process_time()
        for request in requests:
            result = evaluate(request)
        elapsed += time.process_time() - start
        count += len(requests)
        decision = result.decision.value
    return count / elapsed, decision


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError as error:
        return f"unknown ({error.strerror})"
    return platform.processor() or "unknown"


def _reference_loop() -> float:
    """CPU seconds of ten million pure-Python additions: compares this machine with another."""
    start = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.process_time() - start


def main() -> None:
    """Print the machine, then evaluations per CPU second for each scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="CPU time per scenario")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {_cpu_model()}, {os.cpu_count()} cores, load {load:.1f}; Python {platform.python_version()}; "
          f"reference loop (10M additions) {_reference_loop():.2f} s CPU")
    print("rates are evaluations per second of process CPU time, one core")
    for name, build, warm in SCENARIOS:
        rate, decision = _rate(build, args.seconds, warm=warm)
        print(f"{rate:>10,.0f} evaluations/s  {name}  -> {decision}")
    rate, decision = _first_sight_rate(args.seconds)
    print(f"{rate:>10,.0f} evaluations/s  same as cold, each request evaluated once (first sight of every caller "
          f"and object)  -> {decision}")


if __name__ == "__main__":
    main()
