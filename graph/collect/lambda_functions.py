"""Lambda functions: function policy, function URL auth type, execution role.

`FunctionUrlAuthType` is `NONE` (anyone on the internet may invoke the URL, subject to the
function policy) or `AWS_IAM`; absent when the function has no URL. Policies of aliases and
versions are not read (only the unqualified function's).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from graph.collect.account import Scope
from graph.collect.entries import policy_document, resource_entry
from graph.collect.work import Done, Service, Work
from graph.model import ResourceType

_NONE = ("ResourceNotFoundException",)


def list_functions(scope: Scope) -> Done:
    """Lists the region's functions and schedules the reads of each one."""
    listing = scope.reader(Service.LAMBDA).pages("ListFunctions", scope.region)
    if not listing.ok:
        return Done()
    return Done(more=tuple(Work(Service.LAMBDA, scope.account.id, scope.region,
                                partial(read_function, scope, function))
                           for function in listing.data.get("Functions", ())))


def read_function(scope: Scope, function: dict[str, Any]) -> Done:
    """Reads one function's policy and URL configuration and adds it."""
    reader = scope.reader(Service.LAMBDA)
    arn, name = function["FunctionArn"], function["FunctionName"]
    # ResourceNotFoundException means "no policy" / "no URL" here (and, rarely, a function just deleted).
    policy = reader.call("GetPolicy", arn, absent=_NONE, FunctionName=name)
    url = reader.call("GetFunctionUrlConfig", arn, absent=_NONE, FunctionName=name)
    scope.account.add_resource(resource_entry(
        arn, ResourceType.LAMBDA_FUNCTION.value, scope.region, name, policy_document(policy.data.get("Policy")),
        {
            "Role": function.get("Role"), "Runtime": function.get("Runtime"),
            "FunctionUrlAuthType": url.data.get("AuthType"), "FunctionUrl": url.data.get("FunctionUrl"),
        },
        (policy, url),
    ))
    return Done(resources=1)
