"""The policy evaluator: decides a request exactly as AWS does, and says why.

Pure functions, no I/O, no UI imports. The rules follow SEMANTICS.md sections 2 to 7 and AWS's
IAM documentation; `docs/evaluator.md` lists them with the contested choices.

Public API (other parts code against these names):

- `parse_policy(document, *, policy_id=None, location="policy") -> Policy`: a dict, JSON string
  or URL-encoded JSON string; raises `graph.errors.PolicyError` with a location such as
  `policy.Statement[2].Condition.StringEquals`. Cached by document text, like
  `policy_from_text(text, policy_id=None)`.
- `Policy.statements` (normalized `Statement`s: `effect`, `actions`/`not_actions` (lower-cased),
  `resources`/`not_resources`, `principals`/`not_principals` (`PrincipalSet`), `conditions`
  (`Clause`s), `sid`, `index`), `Policy.may_apply_to_action(action)` (cheap pre-filter) and
  `Policy.statements_for_action(action)`.
- `Request` (frozen): principal (user/role ARN, assumed-role or federated-user session ARN, account
  root ARN or id, service principal, IdP, or `"*"`), action, resource, resource_account,
  identity_policies, permission_boundary, session_policies, resource_policy, scps / rcps (one
  tuple per level, root to account; None: they do not apply), context (case-insensitive keys),
  unknown_context (absent keys are unknown), known_absent (lower-cased keys known absent),
  resource_policy_kind ("generic" | "trust" | "kms").
- `evaluate(request, *, trace=None) -> Result`: `Result.decision` is a `Decision`
  (allowed / explicitDeny / implicitDeny / conditional); `matched` holds the deciding
  `StatementRef`s (the Denies, or the Allows that allow); `conditions` is the allowing
  alternative with the fewest residual `Condition`s and `alternatives` lists them all;
  `deny_conditions` / `deny_alternatives` are the Denies that might apply; `contested` marks the
  SEMANTICS 2.2 session-ARN row. A certain allow with a possibly-applying Deny is CONDITIONAL
  with empty `conditions` and non-empty `deny_conditions`. `Result.to_json()` is SPEC section 5.
- `request_from_json(raw, *, location="request") -> Request`: SPEC section 5 input; raises
  `RequestError` with the location.
- `explain(request) -> list[str]`: a human-readable trace of which statement decided and why
  the others did not apply.
- Matching helpers: `action_matches(pattern, action)`, `resource_matches(pattern, arn)` (cached,
  linear time). Catalogue helpers live in `graph.policy.actions`.
"""

from __future__ import annotations

from graph.policy.document import Effect, Policy, Statement, parse_policy, policy_from_text
from graph.policy.evaluator import Request, ResourcePolicyKind, Result, TraceEntry, evaluate
from graph.policy.explain import explain
from graph.policy.principals import Caller, CallerKind, Match, PrincipalSet, parse_caller
from graph.policy.request import request_from_json
from graph.policy.results import Condition, Decision, PolicyType, StatementRef
from graph.policy.wildcard import action_matches, resource_matches

__all__ = [
    "Caller", "CallerKind", "Condition", "Decision", "Effect", "Match", "Policy", "PolicyType", "PrincipalSet",
    "Request", "ResourcePolicyKind", "Result", "Statement", "StatementRef", "TraceEntry", "action_matches",
    "evaluate", "explain", "parse_caller", "parse_policy", "policy_from_text", "request_from_json",
    "resource_matches",
]
