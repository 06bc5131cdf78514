"""Every who-can entry's path starts at that principal and ends at the resource asked about.

A row naming one principal while showing another origin's path (e.g. the `"*"` grant's) tells the
user the wrong reason for the access; the JSON's `path[0].from` is what scripts follow. Checked on
every resource of a generated organization, where many callers share one evaluation
(graph.edges.shared) and a `"*"` grant fans out to other accounts (graph.edges.lazy).
"""

from __future__ import annotations

import pytest

from graph import snapshot as snapshot_module
from graph.build import AccessGraph, build_graph
from graph.query import who_can
from graph.synthetic import generate_organization

_ACTIONS = {
    "AWS::S3::Bucket": "s3:GetObject",
    "AWS::KMS::Key": "kms:Decrypt",
    "AWS::SQS::Queue": "sqs:SendMessage",
    "AWS::SNS::Topic": "sns:Publish",
    "AWS::Lambda::Function": "lambda:InvokeFunction",
    "AWS::SecretsManager::Secret": "secretsmanager:GetSecretValue",
    "AWS::ECR::Repository": "ecr:BatchGetImage",
}


@pytest.fixture(scope="module")
def graph() -> AccessGraph:
    return build_graph(snapshot_module.parse_snapshot(generate_organization(12, seed=3)))


@pytest.mark.parametrize("with_action", [False, True], ids=["any-action", "typical-action"])
def test_each_path_runs_from_its_principal_to_the_resource(graph: AccessGraph, with_action: bool) -> None:
    asked = 0
    for arn, resource in graph.resources.items():
        action = _ACTIONS.get(resource.type) if with_action else None
        answer = who_can(graph, arn, action=action)
        for entry in answer.principals:
            hops = entry.path.hops
            assert hops, (arn, entry.principal)
            assert hops[0].source == entry.principal, (arn, action, entry.principal, hops[0].source)
            assert hops[-1].target == arn, (arn, entry.principal)
            assert all(a.target == b.source for a, b in zip(hops, hops[1:])), (arn, entry.principal)
            if action is not None:
                # the last hop must grant the action asked about (SPEC §4: paths whose last hop allows it)
                assert hops[-1].actions, (arn, entry.principal)
            asked += 1
    assert asked > 1000  # the organization's org-wide grants alone give thousands of entries
