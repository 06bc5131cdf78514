"""`collect --org` against a moto organization: the snapshot holds what AWS holds, field by field.

One collection of the organization of `tests.collect.world` (management account + dev, data and
broken members, reached by assuming the collector role with its external ID), then checks of the
organization tree, IAM, identity providers, one resource of every type, and who-can on the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.build import build_graph
from graph.collect import Collection, CollectOptions, RoleRequest, collect
from graph.model import Account, Resource, ResourceType, Snapshot
from graph.query import who_can
from graph.snapshot import load_snapshot, save_snapshot
from tests.collect.world import BUCKET, BUCKET_REGION, COLLECTOR_ROLE, EXTERNAL_ID, MANAGEMENT, REGION, World

REGIONS = (REGION, BUCKET_REGION)


def org_options(**changes: object) -> CollectOptions:
    """The options of `xpath-tui collect --org --role-name XPathCollector --external-id ... --regions ...`."""
    values: dict[str, object] = {"organization": RoleRequest(COLLECTOR_ROLE, EXTERNAL_ID), "regions": REGIONS,
                                 "workers": 8}
    values.update(changes)
    return CollectOptions(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def collection(world: World) -> Iterator[Collection]:
    yield collect(org_options())


@pytest.fixture(scope="module")
def snapshot(collection: Collection, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The snapshot as written to disk and read back (what users open)."""
    path = Path(tmp_path_factory.mktemp("collect")) / "org.json.gz"
    save_snapshot(collection.snapshot, path)
    return load_snapshot(path)


def account(snapshot: Snapshot, account_id: str) -> Account:
    return next(a for a in snapshot.accounts if a.id == account_id)


def resource(snapshot: Snapshot, arn: str) -> Resource:
    return next(r for a in snapshot.accounts for r in a.resources if r.arn == arn)


def statement_sids(resource_: Resource) -> list[str | None]:
    assert resource_.policy is not None
    return [s.get("Sid") for s in resource_.policy.as_dict()["Statement"]]


def test_every_account_of_the_organization_is_read_by_its_org_name(world: World, collection: Collection,
                                                                    snapshot: Snapshot) -> None:
    # --org lists the organization's accounts (ListAccounts) and names each as the organization does.
    names = {a.id: a.name for a in snapshot.accounts}
    assert names == {MANAGEMENT: "master", world.dev: "dev", world.data: "data", world.broken: "broken"}
    assert snapshot.source == "live"
    # Nothing was denied in this organization, so nothing is recorded and the snapshot is not partial.
    assert [e for a in snapshot.accounts for e in a.errors] == []
    assert not collection.partial
    assert collection.summary.accounts == 4 and collection.summary.unreached_accounts == 0


def test_the_organization_tree_keeps_each_parent(world: World, snapshot: Snapshot) -> None:
    org = snapshot.organization
    assert org is not None
    assert (org.id, org.management_account_id) == (world.org_id, MANAGEMENT)
    assert [(r.id, r.name) for r in org.roots] == [(world.root_id, "Root")]
    # Prod is nested in Workloads: the collector walks OUs recursively.
    assert {(u.name, u.id, u.parent_id) for u in org.organizational_units} == {
        ("Workloads", world.workloads_ou, world.root_id), ("Prod", world.prod_ou, world.workloads_ou)}
    assert {(a.id, a.parent_id) for a in org.accounts} == {
        (MANAGEMENT, world.root_id), (world.dev, world.workloads_ou), (world.data, world.prod_ou),
        (world.broken, world.workloads_ou)}


def test_scps_and_rcps_come_with_their_documents_and_targets(world: World, snapshot: Snapshot) -> None:
    assert snapshot.organization is not None
    policies = {p.id: p for p in snapshot.organization.policies}
    scp, rcp = policies[world.scp_id], policies[world.rcp_id]
    assert (scp.name, scp.type.value, scp.targets) == ("DenyLeaveOrganization", "SERVICE_CONTROL_POLICY",
                                                        (world.workloads_ou,))
    assert scp.document.as_dict()["Statement"][0]["Action"] == "organizations:LeaveOrganization"
    assert (rcp.name, rcp.type.value, rcp.targets) == ("DenyS3OutsideOrg", "RESOURCE_CONTROL_POLICY",
                                                        (world.root_id,))
    assert rcp.document.as_dict()["Statement"][0]["Condition"]["StringNotEqualsIfExists"] == {
        "aws:PrincipalOrgID": world.org_id}
    # AWS's own FullAWSAccess / RCPFullAWSAccess are policies like any other: every level needs an Allow.
    by_name = {p.name: p for p in snapshot.organization.policies}
    assert world.workloads_ou in by_name["FullAWSAccess"].targets
    assert world.root_id in by_name["RCPFullAWSAccess"].targets


def test_users_groups_and_managed_policies_of_dev(world: World, snapshot: Snapshot) -> None:
    dev = account(snapshot, world.dev)
    users = {u.name: u for u in dev.users}
    assert set(users) == {"alice", "bob"}
    alice = users["alice"]
    assert alice.arn == f"arn:aws:iam::{world.dev}:user/alice"
    assert alice.group_names == ("developers",)
    assert alice.managed_policy_arns == (f"arn:aws:iam::{world.dev}:policy/data/ReadSharedData",)
    assert alice.tags == (("team", "analytics"),)
    (group,) = dev.groups
    assert [p.name for p in group.inline_policies] == ["assume-data-reader"]
    assert group.inline_policies[0].document.as_dict()["Statement"][0]["Resource"] == \
        f"arn:aws:iam::{world.data}:role/DataReader"
    (policy,) = dev.managed_policies
    # The snapshot keeps the DEFAULT version (v2, set by create_policy_version), not the first one.
    assert (policy.name, policy.path, policy.default_version_id) == ("ReadSharedData", "/data/", "v2")
    assert policy.document.as_dict()["Statement"][0]["Action"] == ["s3:GetObject", "s3:ListBucket"]


def test_roles_with_trust_policies_and_inline_policies(world: World, snapshot: Snapshot) -> None:
    roles = {r.name: r for r in account(snapshot, world.data).roles}
    assert {"DataReader", "FunctionRole", COLLECTOR_ROLE} <= set(roles)
    trust = roles["DataReader"].trust_policy.as_dict()["Statement"][0]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{world.dev}:root"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "dev-42"}}
    app = next(r for r in account(snapshot, world.dev).roles if r.name == "AppRole")
    assert app.trust_policy.as_dict()["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert [p.name for p in app.inline_policies] == ["read-queue"]


def test_identity_providers(world: World, snapshot: Snapshot) -> None:
    providers = {p.type: p for p in account(snapshot, world.dev).identity_providers}
    oidc, saml = providers["OIDC"], providers["SAML"]
    assert oidc.arn == f"arn:aws:iam::{world.dev}:oidc-provider/token.actions.githubusercontent.com"
    assert (oidc.url, oidc.client_ids) == ("token.actions.githubusercontent.com", ("sts.amazonaws.com",))
    assert saml.arn == f"arn:aws:iam::{world.dev}:saml-provider/Okta"


def test_bucket_policy_and_access_settings(world: World, snapshot: Snapshot) -> None:
    bucket = resource(snapshot, world.bucket_arn)
    # Buckets are global; GetBucketLocation places this one in eu-west-1.
    assert (bucket.type, bucket.name, bucket.region, bucket.account_id) == (
        ResourceType.S3_BUCKET, BUCKET, BUCKET_REGION, world.data)
    assert statement_sids(bucket) == ["DevReads"]
    properties = bucket.properties.as_dict()
    assert properties["public_access_block"] == {"BlockPublicAcls": True, "IgnorePublicAcls": False,
                                                 "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert properties["account_public_access_block"] == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                                         "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    assert properties["object_ownership"] == "BucketOwnerPreferred"
    assert {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
            "Permission": "READ"} in properties["acl"]["Grants"]
    assert properties["encryption"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": world.key_arn,
                                        "BucketKeyEnabled": True}
    assert "unread" not in properties


def test_a_bucket_without_policy_has_a_null_policy_not_an_error(world: World, snapshot: Snapshot) -> None:
    # NoSuchBucketPolicy is an answer ("none"), not a failure (issue 5).
    logs = resource(snapshot, "arn:aws:s3:::data-logs-xp")
    assert logs.policy is None
    assert "public_access_block" not in logs.properties.as_dict()
    assert account(snapshot, world.data).errors == ()


def test_kms_key_policy_grants_and_aliases(world: World, snapshot: Snapshot) -> None:
    key = resource(snapshot, world.key_arn)
    assert (key.type, key.region) == (ResourceType.KMS_KEY, REGION)
    assert statement_sids(key) == ["Owner", "DevDecrypt"]
    properties = key.properties.as_dict()
    assert (properties["KeyManager"], properties["Aliases"]) == ("CUSTOMER", ["alias/shared-data"])
    assert [(g["GranteePrincipal"], g["Operations"]) for g in properties["Grants"]] == [
        (f"arn:aws:iam::{world.dev}:role/AppRole", ["Decrypt"])]


def test_lambda_policy_url_and_role(world: World, snapshot: Snapshot) -> None:
    function = resource(snapshot, world.function_arn)
    (statement,) = function.policy.as_dict()["Statement"] if function.policy else [None]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{world.dev}:root"}
    assert statement["Action"] == "lambda:InvokeFunction"
    properties = function.properties.as_dict()
    # AuthType NONE: the function URL is callable by anyone the function policy admits.
    assert properties["FunctionUrlAuthType"] == "NONE"
    assert properties["Role"] == f"arn:aws:iam::{world.data}:role/FunctionRole"


def test_topic_queue_secret_and_repository(world: World, snapshot: Snapshot) -> None:
    topic, queue = resource(snapshot, world.topic_arn), resource(snapshot, world.queue_arn)
    secret, repository = resource(snapshot, world.secret_arn), resource(snapshot, world.repository_arn)
    assert (topic.type, statement_sids(topic), topic.properties.get("KmsMasterKeyId")) == (
        ResourceType.SNS_TOPIC, ["DevPublishes"], "alias/shared-data")
    assert (queue.type, queue.name, statement_sids(queue), queue.properties.get("KmsMasterKeyId")) == (
        ResourceType.SQS_QUEUE, "data-jobs", ["DevSends"], world.key_arn)
    assert (secret.type, secret.name, statement_sids(secret), secret.properties.get("KmsKeyId")) == (
        ResourceType.SECRET, "db-password", ["DevReadsSecret"], world.key_arn)
    assert (repository.type, repository.name, statement_sids(repository)) == (
        ResourceType.ECR_REPOSITORY, "app-images", ["DevPulls"])


def test_no_secret_value_object_content_or_credential_is_written(collection: Collection, tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    save_snapshot(collection.snapshot, path)
    text = path.read_text()
    # The secret's value and the object's bytes exist in this AWS; the collector must never read them.
    assert "hunter2-never-collected" not in text
    assert "secret,object,content" not in text
    # Neither the caller's keys nor the assumed roles' session credentials are stored.
    assert "AKIAFAKEFAKEFAKEFAKE" not in text and "fake-secret-key-for-moto" not in text
    assert "SessionToken" not in text and "SecretAccessKey" not in text


def test_who_can_reads_the_collected_bucket(world: World, snapshot: Snapshot) -> None:
    answer = who_can(build_graph(snapshot), world.bucket_arn, action="s3:GetObject").to_json()
    principals = {p["principal"]: p for p in answer["principals"]}
    alice = f"arn:aws:iam::{world.dev}:user/alice"
    # Cross-account, both sides allow: the bucket policy names dev's account and alice's own managed
    # policy (default version v2) allows s3:GetObject on the bucket's objects
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
    assert principals[alice]["status"] == "allowed"
    assert principals[alice]["path"][-1]["edge"] == "resource-policy"
    # bob is in dev too, but no policy of his allows s3:GetObject: the account grant does not cover him.
    assert f"arn:aws:iam::{world.dev}:user/bob" not in principals
    # The bucket is SSE-KMS: reading its objects also needs the key, which the answer names.
    assert answer["requires_kms_key"]["key"] == world.key_arn
