"""pass-role edges: a principal passes a role to a service (or changes code that runs as it).

The rule (SEMANTICS §3.4; AWS "Granting a user permissions to pass a role to an AWS service",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html): the caller needs
iam:PassRole on the role (iam:PassedToService / iam:AssociatedResourceArn conditions apply), the
service's own create/run actions, the role must trust the service, and the role must be in the
caller's account ("you can't pass a role to a service in another account").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from graph.build import build_graph
from graph.query import find_paths, who_can
from tests.escalation.helpers import edges_of, function, service_trust
from tests.graph.scenarios import (
    A,
    B,
    account,
    allow,
    bucket,
    deny,
    doc,
    grant,
    managed,
    organization,
    role,
    role_arn,
    root,
    snapshot,
    trusts,
    user,
    user_arn,
)

PRIV = role_arn(A, "Privileged")
DEV = user_arn(A, "dev")

LAMBDA_NEEDS = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]


def _world(statements: list[dict[str, Any]], service: str = "lambda.amazonaws.com", *, profile: bool = False,
           role_account: str = A, org: Any = None) -> Any:
    privileged = role(role_account, "Privileged", service_trust(service), allow("s3:*"))
    if profile:
        privileged = replace(privileged, instance_profile_arns=(f"arn:aws:iam::{role_account}:instance-profile/P",))
    dev = user(A, "dev", *statements)
    if role_account == A:
        return snapshot(account(A, users=(dev,), roles=(privileged,)), org=org)
    return snapshot(account(A, users=(dev,)), account(role_account, roles=(privileged,)), org=org)


def _pass_edges(snap: Any, target: str = PRIV) -> list[dict[str, Any]]:
    return edges_of(build_graph(snap), DEV, target, "pass-role")


def test_lambda_create_and_invoke_gives_the_edge_listing_the_permissions() -> None:
    # exactly the three permissions of the documented Lambda path
    found = _pass_edges(_world([allow(LAMBDA_NEEDS)]))
    assert len(found) == 1
    assert found[0]["actions"] == tuple(LAMBDA_NEEDS)
    assert found[0]["status"] == "allowed"
    assert found[0]["granted_by"], "the statements behind the hop are cited"
    assert any(g.policy == "trust-policy" and g.resource == PRIV for g in found[0]["granted_by"])


@pytest.mark.parametrize("missing", LAMBDA_NEEDS)
def test_lambda_path_lacking_one_permission_has_no_edge(missing: str) -> None:
    # without PassRole the role cannot be handed over; without CreateFunction nothing runs as it;
    # without InvokeFunction (or an event source mapping) the new code never runs
    assert _pass_edges(_world([allow([a for a in LAMBDA_NEEDS if a != missing])])) == []


def test_event_source_mapping_replaces_invoke() -> None:
    # the function can run from an event source instead of a direct invocation
    found = _pass_edges(_world([allow(["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"])]))
    assert [e["actions"] for e in found] == [("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping")]


def test_role_that_does_not_trust_the_service_has_no_edge() -> None:
    # an EC2 role cannot be used by a Lambda function: the service could not assume it
    assert _pass_edges(_world([allow(LAMBDA_NEEDS)], "ec2.amazonaws.com")) == []


def test_passed_to_service_mismatch_has_no_edge() -> None:
    # PassRole limited to EC2 does not let the role be passed to Lambda
    limited = allow("iam:PassRole", PRIV, Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})
    assert _pass_edges(_world([limited, allow(LAMBDA_NEEDS[1:])])) == []


def test_passed_to_service_match_is_decided_not_conditional() -> None:
    # the service is known for each path, so the condition is decided
    limited = allow("iam:PassRole", PRIV, Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})
    found = _pass_edges(_world([limited, allow(LAMBDA_NEEDS[1:])]))
    assert [e["status"] for e in found] == ["allowed"]


def test_associated_resource_arn_leaves_the_edge_conditional() -> None:
    # the ARN of the resource the caller will create is not known: reported, not dropped
    limited = allow("iam:PassRole", PRIV,
                    Condition={"ArnLike": {"iam:AssociatedResourceArn": f"arn:aws:lambda:*:{A}:function:ci-*"}})
    found = _pass_edges(_world([limited, allow(LAMBDA_NEEDS[1:])]))
    assert [e["status"] for e in found] == ["conditional"]
    assert any(c.key.lower() == "iam:associatedresourcearn" for c in found[0]["conditions"])


def test_role_in_another_account_cannot_be_passed() -> None:
    # "a role can't be passed across accounts": PassRole on * and lambda:* still give no edge
    snap = _world([allow(["iam:PassRole", "lambda:*"])], role_account=B)
    assert _pass_edges(snap, role_arn(B, "Privileged")) == []


def test_function_name_limited_by_policy_is_chosen_by_the_caller() -> None:
    # the caller names the function it creates, so a policy limited to ci-* functions is enough
    scoped = f"arn:aws:lambda:*:{A}:function:ci-*"
    found = _pass_edges(_world([allow("iam:PassRole", PRIV), allow(LAMBDA_NEEDS[1:], scoped)]))
    assert [e["status"] for e in found] == ["allowed"]


def test_scp_denying_pass_role_removes_the_edge() -> None:
    # SCPs limit every permission of the member account's principals
    org = organization(scps=((doc(deny("iam:PassRole")), (A,)),))
    assert _pass_edges(_world([allow(LAMBDA_NEEDS)], org=org)) == []


def test_ec2_needs_an_instance_profile() -> None:
    # EC2 takes a role through an instance profile; without one the role cannot reach an instance
    needs = ["iam:PassRole", "ec2:RunInstances"]
    assert [e["actions"] for e in _pass_edges(_world([allow(needs)], "ec2.amazonaws.com", profile=True))] == [tuple(needs)]
    assert _pass_edges(_world([allow(needs)], "ec2.amazonaws.com", profile=False)) == []
    assert _pass_edges(_world([allow("iam:PassRole")], "ec2.amazonaws.com", profile=True)) == []


SERVICES = [
    ("cloudformation.amazonaws.com", ["iam:PassRole", "cloudformation:CreateStack"]),
    ("glue.amazonaws.com", ["iam:PassRole", "glue:CreateDevEndpoint"]),
    ("glue.amazonaws.com", ["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"]),
    ("codebuild.amazonaws.com", ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"]),
    ("sagemaker.amazonaws.com", ["iam:PassRole", "sagemaker:CreateNotebookInstance",
                                 "sagemaker:CreatePresignedNotebookInstanceUrl"]),
    ("ecs-tasks.amazonaws.com", ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"]),
]


@pytest.mark.parametrize(("service", "needs"), SERVICES)
def test_each_service_path_needs_all_its_permissions(service: str, needs: list[str]) -> None:
    # the documented combination gives the edge; dropping any one permission removes it
    found = _pass_edges(_world([allow(needs)], service))
    assert [e["actions"] for e in found] == [tuple(needs)]
    for missing in needs:
        assert _pass_edges(_world([allow([a for a in needs if a != missing])], service)) == [], missing


def test_update_function_code_reaches_the_function_role() -> None:
    # new code runs as the function's execution role at its next invocation
    fn = function(A, "worker", PRIV)
    privileged = role(A, "Privileged", service_trust("lambda.amazonaws.com"), allow("s3:*"))
    snap = snapshot(account(A, users=(user(A, "dev", allow("lambda:UpdateFunctionCode", fn.arn)),),
                            roles=(privileged,), resources=(fn,)))
    assert [e["actions"] for e in _pass_edges(snap)] == [("lambda:UpdateFunctionCode",)]
    lacking = snapshot(account(A, users=(user(A, "dev", allow("lambda:GetFunction", fn.arn)),),
                               roles=(privileged,), resources=(fn,)))
    assert _pass_edges(lacking) == []


def test_function_policy_lets_another_account_update_code() -> None:
    # cross-account: the function policy must name the caller's account AND the caller's own
    # identity policy must allow it (SEMANTICS §2.3)
    fn = function(A, "worker", PRIV, grant({"AWS": root(B)}, "lambda:UpdateFunctionCode",
                                           f"arn:aws:lambda:us-east-1:{A}:function:worker"))
    privileged = role(A, "Privileged", service_trust("lambda.amazonaws.com"), allow("s3:*"))
    outsider = user(B, "ops", allow("lambda:UpdateFunctionCode"))
    idle = user(B, "idle", allow("s3:ListAllMyBuckets"))
    snap = snapshot(account(A, roles=(privileged,), resources=(fn,)), account(B, users=(outsider, idle)))
    graph = build_graph(snap)
    assert [e["actions"] for e in edges_of(graph, user_arn(B, "ops"), PRIV, "pass-role")] == [("lambda:UpdateFunctionCode",)]
    assert edges_of(graph, user_arn(B, "idle"), PRIV, "pass-role") == []


def _chain(ci_statements: list[dict[str, Any]]) -> Any:
    """B's deployer assumes A's CI role, which can pass A's privileged role to Lambda."""
    data = bucket(A, "payroll")
    privileged = role(A, "Privileged", service_trust("lambda.amazonaws.com"),
                      allow("s3:GetObject", "arn:aws:s3:::payroll/*"))
    ci = role(A, "CI", trusts({"AWS": root(B)}), *ci_statements)
    deployer = user(B, "deployer", allow("sts:AssumeRole", role_arn(A, "CI")))
    return snapshot(account(A, roles=(privileged, ci), resources=(data,)), account(B, users=(deployer,)))


def test_cross_account_chain_through_pass_role_reaches_the_data() -> None:
    # B/deployer -assume-role-> A/CI -pass-role (lambda)-> A/Privileged -identity-policy-> payroll objects
    graph = build_graph(_chain([allow(LAMBDA_NEEDS)]))
    answer = who_can(graph, "arn:aws:s3:::payroll", action="s3:GetObject")
    entry = next(p for p in answer.principals if p.principal == user_arn(B, "deployer"))
    assert [str(h.kind) for h in entry.path.hops] == ["assume-role", "pass-role", "identity-policy"]
    paths = find_paths(graph, user_arn(B, "deployer"), "arn:aws:s3:::payroll", action="s3:GetObject")
    assert any([str(h.kind) for h in p.hops] == ["assume-role", "pass-role", "identity-policy"] for p in paths.paths)


def test_cross_account_chain_without_invoke_does_not_reach() -> None:
    # the CI role lacks lambda:InvokeFunction: the chain stops, B's deployer is not listed
    graph = build_graph(_chain([allow(LAMBDA_NEEDS[:2])]))
    answer = who_can(graph, "arn:aws:s3:::payroll", action="s3:GetObject")
    assert user_arn(B, "deployer") not in {p.principal for p in answer.principals}


def test_edges_switch_drops_the_kind() -> None:
    # build_graph(edge_kinds=...) is what --edges uses: without pass-role the chain is gone
    graph = build_graph(_chain([allow(LAMBDA_NEEDS)]), edge_kinds={"member", "assume-role", "identity-policy"})
    answer = who_can(graph, "arn:aws:s3:::payroll", action="s3:GetObject")
    assert user_arn(B, "deployer") not in {p.principal for p in answer.principals}


def test_managed_policy_boundary_limits_service_actions() -> None:
    # a permissions boundary without lambda:InvokeFunction caps the identity policy
    boundary = managed(A, "Boundary", allow(["iam:PassRole", "lambda:CreateFunction"]))
    dev = user(A, "dev", allow(LAMBDA_NEEDS), boundary=boundary.arn)
    privileged = role(A, "Privileged", service_trust("lambda.amazonaws.com"), allow("s3:*"))
    snap = snapshot(account(A, users=(dev,), roles=(privileged,), policies=(boundary,)))
    assert _pass_edges(snap) == []


def _instance_world(*statements: dict[str, Any], profile: bool = True) -> Any:
    from graph.model import Properties, Resource

    privileged = role(A, "Privileged", service_trust("ec2.amazonaws.com"), allow("s3:*"))
    if profile:
        privileged = replace(privileged, instance_profile_arns=(f"arn:aws:iam::{A}:instance-profile/P",))
    instance = Resource(f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc", "AWS::EC2::Instance", A, "us-east-1", "i-0abc",
                        None, Properties.from_dict({"IamInstanceProfile": {"Arn": f"arn:aws:iam::{A}:instance-profile/P"}}))
    return snapshot(account(A, users=(user(A, "dev", *statements),), roles=(privileged,), resources=(instance,)))


INSTANCE = f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc"
RUN_SHELL = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"


@pytest.mark.parametrize("action", ["ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey"])
def test_commands_on_an_existing_instance_run_as_its_role(action: str) -> None:
    # a shell on the instance has the instance profile's role credentials (instance metadata)
    assert [e["actions"] for e in _pass_edges(_instance_world(allow(action, INSTANCE)))] == [(action,)]


def test_send_command_needs_the_instance_and_the_document() -> None:
    # ssm:SendCommand authorizes both the instance and the SSM document it runs
    both = _pass_edges(_instance_world(allow("ssm:SendCommand", [INSTANCE, RUN_SHELL])))
    assert [e["actions"] for e in both] == [("ssm:SendCommand",)]
    assert _pass_edges(_instance_world(allow("ssm:SendCommand", INSTANCE))) == []


def test_instance_without_the_profile_role_or_permission_has_no_edge() -> None:
    # no profile holding the role: the instance does not run as it; DescribeInstances is no shell
    assert _pass_edges(_instance_world(allow("ssm:StartSession", INSTANCE), profile=False)) == []
    assert _pass_edges(_instance_world(allow("ec2:DescribeInstances"))) == []


def test_ec2_instances_feed_pass_role_without_a_not_modelled_warning() -> None:
    # Instances are collected for the SSM / instance-connect paths to their role; they are not access
    # targets, so answers must not warn that they are "not modelled" (a DynamoDB table still does).
    from graph.model import Properties, Resource

    instance = Resource("arn:aws:ec2:us-east-1:111111111111:instance/i-0abc", "AWS::EC2::Instance", "111111111111",
                        "us-east-1", "i-0abc", None, Properties.from_dict({}))
    table = Resource("arn:aws:dynamodb:us-east-1:111111111111:table/t", "AWS::DynamoDB::Table", "111111111111",
                     "us-east-1", "t", None, Properties.from_dict({}))
    ag = build_graph(snapshot(account(A, resources=(instance, table))))
    assert not any("AWS::EC2::Instance" in w for w in ag.warnings)
    assert any("AWS::DynamoDB::Table are not modelled" in w for w in ag.warnings)
