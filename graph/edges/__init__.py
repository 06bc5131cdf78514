"""Access edges, one module per mechanism: member, assume_role, resource_policy, identity_policy.

`common` holds the edge types and the one function that turns a (caller, target) pair into
edges through the evaluator; `principals` and `statements` find the pairs worth evaluating.
"""
