"""Reading and writing snapshots: the model built from raw AWS output, and read -> write -> read identity."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.demo import demo_snapshot_path, load_demo
from graph.model import OrgPolicyType, Snapshot
from graph.schema.documents import decode_document
from graph.snapshot import load_snapshot, parse_snapshot, save_snapshot, snapshot_to_dict, validate_snapshot
from tests.snapshot.snapshot_builders import GAAD_ACCOUNT, Encoding, gaad_snapshot, minimal_snapshot


def _round_trip(snapshot: Snapshot, path: Path) -> Snapshot:
    save_snapshot(snapshot, path)
    return load_snapshot(path)


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_demo_round_trips_to_identical_model_objects(tmp_path: Path, suffix: str) -> None:
    # Issue 2: read -> write -> read gives identical model objects, for the demo.
    demo = load_demo()
    again = _round_trip(demo, tmp_path / f"demo{suffix}")
    assert again == demo
    assert again.accounts[0].roles == demo.accounts[0].roles  # field by field, not only by identity of the whole


@pytest.mark.parametrize("encoding", list(Encoding), ids=lambda encoding: encoding.value)
@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_cli_shaped_authorization_details_round_trip(tmp_path: Path, encoding: Encoding, suffix: str) -> None:
    # Issue 2: the same for the raw response shape of `aws iam get-account-authorization-details`.
    source = tmp_path / f"gaad{suffix}"
    raw = json.dumps(gaad_snapshot(encoding)).encode()
    source.write_bytes(gzip.compress(raw) if suffix.endswith(".gz") else raw)
    first = load_snapshot(source)
    assert _round_trip(first, tmp_path / f"again{suffix}") == first


def test_the_three_document_encodings_give_the_same_model() -> None:
    # AWS returns policies URL-encoded (API), the CLI prints objects; both describe the same account.
    models = {encoding: parse_snapshot(gaad_snapshot(encoding)) for encoding in Encoding}
    assert models[Encoding.OBJECT] == models[Encoding.JSON_STRING] == models[Encoding.URL_ENCODED]


def test_the_writer_writes_policy_documents_as_objects() -> None:
    # SPEC section 3: what we write is the readable form; strings are only accepted on input.
    written = snapshot_to_dict(parse_snapshot(gaad_snapshot(Encoding.URL_ENCODED)))
    role = written["accounts"][0]["authorization_details"]["RoleDetailList"][0]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert validate_snapshot(written) == []


def test_users_come_with_groups_policies_boundary_and_sorted_tags() -> None:
    account = parse_snapshot(gaad_snapshot()).accounts[0]
    users = {user.name: user for user in account.users}
    tomas = users["tomas"]
    assert tomas.arn == "arn:aws:iam::123456789012:user/people/tomas" and tomas.path == "/people/"
    assert tomas.group_names == ("Deployers",)
    assert tomas.managed_policy_arns == ("arn:aws:iam::123456789012:policy/ReadOnlyBuckets",)
    assert tomas.permissions_boundary_arn == "arn:aws:iam::123456789012:policy/DeveloperBoundary"
    # Tags are kept as sorted (key, value) pairs so that equal tag sets compare equal.
    assert users["deploy-bot"].tags == (("automation", "true"), ("team", "platform"))
    assert users["deploy-bot"].inline_policies[0].name == "push-artifacts"
    assert users["deploy-bot"].inline_policies[0].document.as_dict()["Statement"][0]["Sid"] == "PushArtifacts"
    assert users["maria"].group_names == ("Admins", "Deployers")
    assert all(user.account_id == GAAD_ACCOUNT for user in account.users)


def test_roles_come_with_trust_profiles_boundary_and_session_duration() -> None:
    roles = {role.name: role for role in parse_snapshot(gaad_snapshot()).accounts[0].roles}
    web = roles["web-server"]
    assert web.trust_policy.as_dict()["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert web.instance_profile_arns == ("arn:aws:iam::123456789012:instance-profile/web-server",)
    assert web.inline_policies[0].name == "read-config"
    assert roles["DeployRole"].permissions_boundary_arn == "arn:aws:iam::123456789012:policy/DeveloperBoundary"
    assert roles["PartnerAccess"].max_session_duration == 43200
    assert roles["DeployRole"].max_session_duration is None  # absent in the output, not invented
    assert roles["AWSServiceRoleForECS"].service_linked and not roles["DeployRole"].service_linked


def test_a_managed_policy_is_its_default_version() -> None:
    # ReadOnlyBuckets has v3 (default, two buckets) and v2 (s3:* on everything): only v3 is in force.
    policies = {policy.name: policy for policy in parse_snapshot(gaad_snapshot()).accounts[0].managed_policies}
    read_only = policies["ReadOnlyBuckets"]
    assert read_only.default_version_id == "v3"
    assert read_only.document.as_dict()["Statement"][0]["Sid"] == "ReadBuckets"
    assert read_only.attachment_count == 3 and read_only.policy_id == "ANPA4EXAMPLEROBUCKET"
    assert policies["AdministratorAccess"].aws_managed and not read_only.aws_managed


def test_default_version_falls_back_to_default_version_id() -> None:
    # Some exporters drop IsDefaultVersion; DefaultVersionId still says which version is in force.
    document = gaad_snapshot()
    policy = document["accounts"][0]["authorization_details"]["Policies"][0]
    for version in policy["PolicyVersionList"]:
        del version["IsDefaultVersion"]
    policy["DefaultVersionId"] = "v2"
    [model] = [p for p in parse_snapshot(document).accounts[0].managed_policies if p.name == "ReadOnlyBuckets"]
    assert model.document.as_dict()["Statement"][0]["Action"] == "s3:*"


def test_resources_take_the_account_that_holds_them_and_organization_is_modelled() -> None:
    snapshot = parse_snapshot(minimal_snapshot())
    [bucket] = snapshot.accounts[1].resources
    # An S3 ARN has no account field: the owner is the account it was collected in.
    assert bucket.account_id == "222222222222" and bucket.region is None and bucket.properties.as_dict() == {}
    assert snapshot.accounts[1].errors[0].code == "AccessDenied" and snapshot.accounts[1].errors[0].resource is None
    organization = snapshot.organization
    assert organization is not None
    assert [unit.parent_id for unit in organization.organizational_units] == ["r-ab12"]
    assert organization.policies[0].type is OrgPolicyType.SCP and organization.policies[0].targets == ("r-ab12",)


def test_save_is_atomic_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C during the final rename leaves the previous file whole and no temporary file behind.
    target = tmp_path / "snapshot.json"
    save_snapshot(parse_snapshot(minimal_snapshot()), target)
    before = target.read_bytes()

    def interrupted(source: str, destination: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_snapshot(load_demo(), target)
    assert target.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["snapshot.json"]


def test_gzip_output_is_reproducible(tmp_path: Path) -> None:
    # A fixed gzip timestamp: the same snapshot gives the same bytes (reproducible CI artefacts).
    demo = load_demo()
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    save_snapshot(demo, first)
    save_snapshot(demo, second)
    assert first.read_bytes() == second.read_bytes() and first.read_bytes()[:2] == b"\x1f\x8b"


def test_demo_is_found_in_the_source_checkout() -> None:
    # Editable installs read <repo>/demo_data; the wheel case is covered by tests/test_install.py.
    assert demo_snapshot_path() == Path(__file__).resolve().parents[2] / "demo_data" / "demo.json"


_json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=12)
_json_values = st.recursive(_json_scalars, lambda children: st.lists(children, max_size=3) | st.dictionaries(
    st.text(max_size=8), children, max_size=3), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=10), _json_values, max_size=4))
def test_any_document_decodes_the_same_from_all_three_encodings(document: dict[str, object]) -> None:
    # Whatever the text holds (quotes, %, +, non-ASCII), the three encodings AWS uses decode alike.
    text = json.dumps(document)
    assert decode_document(document) == decode_document(text) == decode_document(quote(text, safe="")) == document
