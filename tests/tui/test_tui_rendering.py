"""Pure rendering helpers: policy layout with statement line ranges, literal text, the snapshot index."""

from __future__ import annotations

import json

from tui.catalog import Catalog, Ref, RefKind
from tui.literal import literal, visible
from tui.widgets.policy_view import format_policy
from tui_story import A, APP_ROLE, B, BUCKET, CROSS_ROLE, HOSTILE_NAME, story_snapshot


def test_statement_line_ranges_point_at_each_statement() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "One", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "Two", "Effect": "Deny", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "*"},
    ]}
    formatted = format_policy(document)
    lines = formatted.text.splitlines()
    assert json.loads(formatted.text) == document  # still the same JSON, keys in their original order
    (first_a, last_a), (first_b, last_b) = formatted.statement_lines
    assert '"Sid": "One"' in "\n".join(lines[first_a - 1:last_a])
    assert '"Sid": "Two"' in "\n".join(lines[first_b - 1:last_b])
    assert '"Sid": "One"' not in "\n".join(lines[first_b - 1:last_b])
    assert lines[first_b - 1].strip() == "{" and lines[last_b - 1].strip() == "}"


def test_single_object_statement_is_statement_zero() -> None:
    # AWS accepts "Statement" as one object instead of a list (IAM JSON reference, Statement element).
    document = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}, "Id": "x"}
    formatted = format_policy(document)
    assert json.loads(formatted.text) == document
    first, last = formatted.statement_lines[0]
    assert formatted.text.splitlines()[first - 1].strip().startswith('"Statement": {')
    assert formatted.text.splitlines()[last - 1].strip() == "},"


def test_control_characters_become_visible_and_markup_stays_literal() -> None:
    shown = literal(HOSTILE_NAME)
    assert "\x1b" not in shown.plain
    assert shown.plain == "[bold red]pwned[/]\\x1b[31mred"
    assert shown.spans == []  # no style came from the text itself
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"


def test_catalog_arranges_the_organization() -> None:
    catalog = Catalog(story_snapshot())
    root = catalog.top_level()[0]
    units = catalog.children(root)
    assert [catalog.unit_name(unit.id) for unit in units] == ["Data", "Workloads"]  # sorted by name
    assert catalog.children(units[1]) == [Ref(RefKind.ACCOUNT, A)]
    assert catalog.ancestors(Ref(RefKind.RESOURCE, BUCKET)) == [
        Ref(RefKind.ROOT, "r-root"), Ref(RefKind.OU, "ou-data-2222"), Ref(RefKind.ACCOUNT, B),
        Ref(RefKind.RESOURCES, f"{B}/resources", B), Ref(RefKind.RESOURCE_TYPE, "AWS::S3::Bucket", B),
    ]
    assert catalog.short_name(A) == f"dev {A}"
    assert catalog.short_name(CROSS_ROLE) == "role/CrossAccountS3Access"
    assert catalog.counts().errors == 1


def test_grants_resolve_to_their_documents() -> None:
    catalog = Catalog(story_snapshot())

    class G:
        def __init__(self, policy: str, resource: str | None = None) -> None:
            self.policy, self.resource = policy, resource

    bucket_policy = catalog.grant_policy(G("resource-policy", BUCKET))
    assert bucket_policy is not None and bucket_policy.document["Statement"][0]["Sid"] == "DevReadsDirectly"
    trust = catalog.grant_policy(G("trust-policy", CROSS_ROLE))
    assert trust is not None and trust.title.startswith("trust policy of role/CrossAccountS3Access")
    inline = catalog.grant_policy(G(f"{APP_ROLE}/inline/assume-and-read"))
    assert inline is not None and inline.document["Statement"][1]["Sid"] == "ReadShared"
    assert catalog.grant_policy(G("arn:aws:iam::aws:policy/Missing")) is None
