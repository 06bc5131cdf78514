"""Findings as a SARIF 2.1.0 log, for code-scanning dashboards.

Every check is a rule of `tool.driver`; every finding is a result whose location is a logical
location named by the role or resource ARN. A physical location (the snapshot file) is added only
when the findings were read from a file. Severity maps to SARIF levels: critical and high are
`error`, medium is `warning`, low and info are `note`; the numeric `security-severity` property is
the one GitHub code scanning reads.
"""

from __future__ import annotations

import hashlib
from typing import Any

from graph.findings.model import CheckInfo, Finding, FindingsReport, Severity

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "xpath-tui"
TOOL_URI = "https://github.com/xpath-tui/xpath-tui"

_LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
           Severity.LOW: "note", Severity.INFO: "note"}
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "0.0"}


def _rule(check: CheckInfo) -> dict[str, Any]:
    return {
        "id": check.id,
        "name": check.name,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.description},
        "helpUri": check.help_uri,
        "help": {"text": f"{check.description} See {check.help_uri}"},
        "defaultConfiguration": {"level": _LEVELS[check.severity]},
        "properties": {"security-severity": _SECURITY_SEVERITY[check.severity],
                       "severity": check.severity.value, "tags": ["security", "aws", "iam"]},
    }


def _fingerprint(finding: Finding) -> str:
    return hashlib.sha256("\x1f".join(map(str, finding.key)).encode()).hexdigest()[:32]


def _result(finding: Finding, rule_index: int, artifact_uri: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": finding.arn, "kind": "resource"}],
    }
    if artifact_uri is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact_uri}}
    message = f"{finding.title}. Proof: {finding.proof()}. Fix: {finding.remediation}"
    properties: dict[str, Any] = {"severity": finding.severity.value, "remediation": finding.remediation,
                                  "account": finding.account_id}
    if finding.statement is not None:
        properties["statement"] = finding.statement.to_json()
    if finding.path:
        properties["path"] = [hop.to_json() for hop in finding.path]
    if finding.details:
        properties["details"] = dict(finding.details)
    return {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"xpathFinding/v1": _fingerprint(finding)},
        "properties": properties,
    }


def to_sarif(report: FindingsReport, *, tool_version: str, artifact_uri: str | None = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log of a findings report.

    Args:
        report: The findings and the checks that ran (every check becomes a rule).
        tool_version: The xpath-tui version, for `tool.driver.version`.
        artifact_uri: The snapshot file the findings were read from, if any (a relative or
            absolute URI); results then carry it as their physical location.

    Returns:
        A JSON-ready dictionary that validates against the SARIF 2.1.0 schema.
    """
    index = {check.id: position for position, check in enumerate(report.checks)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": tool_version, "informationUri": TOOL_URI,
                            "rules": [_rule(check) for check in report.checks]}},
        "results": [_result(finding, index[finding.check_id], artifact_uri) for finding in report.findings],
        "columnKind": "unicodeCodePoints",
    }
    if artifact_uri is not None:
        run["artifacts"] = [{"location": {"uri": artifact_uri}, "roles": ["analysisTarget"]}]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
