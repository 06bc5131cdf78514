"""Trust-policy checks: each with a policy that trips it and a near miss that does not."""

from __future__ import annotations

from planted import DATA, DEV, ORG_ID, VENDOR, assume, policy, role

ARN = f"arn:aws:iam::{DATA}:role/Target"
GITHUB = f"arn:aws:iam::{DATA}:oidc-provider/token.actions.githubusercontent.com"


def test_trust_to_everyone_without_pin_is_critical(findings, report):
    # Principal "*" lets every AWS principal assume the role (Principal element reference).
    assert findings("XPT-TRUST-001", roles=[role(DATA, "Target", policy(assume("*")))]) == [("XPT-TRUST-001", ARN)]
    got = report(roles=[role(DATA, "Target", policy(assume({"AWS": "*"})))]).findings
    assert got[0].severity.value == "critical" and got[0].statement.statement == 0


def test_trust_to_everyone_with_external_id_only_is_still_reported(findings):
    # The external ID is not a secret (AWS: "How to use an external ID"), so it does not pin "*".
    trust = policy(assume("*", {"StringEquals": {"sts:ExternalId": "abc"}}))
    assert findings("XPT-TRUST-001", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-001", ARN)]


def test_trust_to_everyone_pinned_to_the_organization_is_not_reported(findings):
    # aws:PrincipalOrgID restricts "*" to principals of our organization.
    trust = policy(assume("*", {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}))
    assert findings("XPT-TRUST-001", roles=[role(DATA, "Target", trust)]) == []


def test_trust_to_everyone_with_if_exists_pin_is_reported(findings):
    # ...IfExists is true when the key is absent, so it pins nobody who omits it (condition operators page).
    trust = policy(assume("*", {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}}))
    assert findings("XPT-TRUST-001", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-001", ARN)]


def test_trust_to_everyone_fenced_by_an_org_deny_is_not_reported(findings):
    # Deny * unless aws:PrincipalOrgID matches: outsiders are explicitly denied (explicit deny wins).
    trust = policy(assume("*"), {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
                                 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}})
    assert findings("XPT-TRUST-001", roles=[role(DATA, "Target", trust)]) == []


def test_deny_fence_on_other_actions_does_not_hide_the_public_trust(findings):
    # A Deny on sts:TagSession does not cover sts:AssumeRole, so the Allow stays public.
    trust = policy(assume("*"), {"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession",
                                 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}})
    assert findings("XPT-TRUST-001", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-001", ARN)]


def test_whole_outside_account_without_external_id(findings, report):
    # Naming an account delegates to every principal it allows; third parties need an external ID
    # (IAM "Access to AWS accounts owned by third parties").
    trust = policy(assume({"AWS": f"arn:aws:iam::{VENDOR}:root"}, sid="Vendor"))
    assert findings("XPT-TRUST-002", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-002", ARN)]
    finding = report(roles=[role(DATA, "Target", trust)]).findings[0]
    assert finding.statement.sid == "Vendor" and "sts:ExternalId" in finding.remediation
    assert dict(finding.details)["external_account"] == VENDOR


def test_whole_outside_account_with_external_id_is_not_reported(findings):
    trust = policy(assume({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "vendor-given-id"}}))
    assert findings("XPT-TRUST-002", roles=[role(DATA, "Target", trust)]) == []


def test_whole_account_inside_the_organization_is_not_reported(findings):
    # DEV is a member of the organization: a trust to its root is the ordinary cross-account pattern.
    assert findings("XPT-TRUST-002", roles=[role(DATA, "Target", policy(assume({"AWS": DEV})))]) == []


def test_trusted_accounts_are_not_outside(findings):
    trust = policy(assume({"AWS": VENDOR}))
    assert findings("XPT-TRUST-002", roles=[role(DATA, "Target", trust)], trusted=(VENDOR,)) == []


def test_third_party_role_without_external_id(findings):
    trust = policy(assume({"AWS": f"arn:aws:iam::{VENDOR}:role/Scanner"}))
    assert findings("XPT-TRUST-003", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-003", ARN)]


def test_third_party_role_with_external_id_is_not_reported(findings):
    trust = policy(assume({"AWS": f"arn:aws:iam::{VENDOR}:role/Scanner"},
                          {"StringEquals": {"sts:ExternalId": "x-123"}}))
    assert findings("XPT-TRUST-003", roles=[role(DATA, "Target", trust)]) == []


def test_negated_external_id_test_is_no_external_id(findings):
    # StringNotEquals on an absent key is true (condition operators page): it requires nothing.
    trust = policy(assume({"AWS": VENDOR}, {"StringNotEquals": {"sts:ExternalId": "x"}}))
    assert findings("XPT-TRUST-002", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-002", ARN)]


def test_oidc_trust_without_sub(findings):
    # Without a sub condition any workload the IdP issues tokens for may assume the role
    # (IAM "Create a role for OpenID Connect federation").
    trust = policy(assume({"Federated": GITHUB},
                          {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
                          action="sts:AssumeRoleWithWebIdentity"))
    assert findings("XPT-TRUST-004", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-004", ARN)]


def test_oidc_trust_with_wildcard_only_sub(findings):
    trust = policy(assume({"Federated": GITHUB}, {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}},
                          action="sts:AssumeRoleWithWebIdentity"))
    assert findings("XPT-TRUST-004", roles=[role(DATA, "Target", trust)]) == [("XPT-TRUST-004", ARN)]


def test_oidc_trust_with_a_repository_sub_is_not_reported(findings):
    trust = policy(assume({"Federated": GITHUB},
                          {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:example/app:*"}},
                          action="sts:AssumeRoleWithWebIdentity"))
    assert findings("XPT-TRUST-004", roles=[role(DATA, "Target", trust)]) == []


def test_saml_trust_is_not_an_oidc_finding(findings):
    saml = f"arn:aws:iam::{DATA}:saml-provider/Okta"
    trust = policy(assume({"Federated": saml}, action="sts:AssumeRoleWithSAML"))
    assert findings("XPT-TRUST-004", roles=[role(DATA, "Target", trust)]) == []
