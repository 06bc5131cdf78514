"""`pass-role` edges: a caller passes a role to a service, or uses an existing resource that
runs as a role, and so runs code with the role's permissions (SEMANTICS §3.4).

Creating a resource that runs as role R (edge caller → R) needs all of:
- `iam:PassRole` on R, decided with `iam:PassedToService` set to the service (a policy that tests
  `iam:AssociatedResourceArn` leaves the edge conditional: the new resource's ARN is not known);
- the service actions of one documented way to run code (`LAUNCHES`), on a resource the caller
  names itself (so any name its policies allow);
- R's trust policy admits the service principal (with `aws:SourceAccount` = R's account);
- R in the caller's account: roles cannot be passed across accounts, so only R's own account's
  principals are candidates;
- for EC2, an instance profile that holds R.

Existing functions: `lambda:UpdateFunctionCode` on a function whose execution role is R is enough
(the new code runs at the function's next invocation); the function's policy can grant it to
another account, whose principals then get the edge (both sides must allow, as the evaluator
decides). `lambda:InvokeFunction` is listed too when the caller also has it.

Existing instances (`AWS::EC2::Instance` resources whose `IamInstanceProfile` holds a role):
`ssm:SendCommand` (on the instance and the `AWS-RunShellScript` document), `ssm:StartSession` or
`ec2-instance-connect:SendSSHPublicKey` on the instance runs commands with the role's credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from graph import context
from graph.edges.assume_role import role_target
from graph.edges.common import Caller, EdgeKind, EdgeSpec, PolicyKind
from graph.edges.iam_actions import (
    Check,
    Decisions,
    Holders,
    Outcome,
    any_chosen,
    best,
    combine,
    decide,
    named_principals,
    short_arn,
    unbounded,
)
from graph.edges.principals import PrincipalIndex, service_caller
from graph.edges.resource_policy import Scope, named_callers
from graph.edges.resources import resource_target
from graph.edges.statements import statement_shapes
from graph.model import Resource, ResourceType, Role, Snapshot

_REGION = "us-east-1"
"""Region of the resources a caller would create (any region does; policies naming one are tried too)."""


class Profile(StrEnum):
    """Whether the service needs the role in an instance profile."""

    NONE = "none"
    INSTANCE_PROFILE = "instance-profile"


@dataclass(frozen=True, slots=True)
class Step:
    """One service action on a resource the caller creates (`{account}` is filled in)."""

    action: str
    resource: str


@dataclass(frozen=True, slots=True)
class Launch:
    """One documented way to run code as a passed role through a service."""

    service: str
    """The short name shown in labels ("lambda")."""
    principal: str
    """The service principal the role must trust, and the value of `iam:PassedToService`."""
    alternatives: tuple[tuple[Step, ...], ...]
    """Each alternative needs all its steps; one alternative is enough."""
    profile: Profile = Profile.NONE


def _arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{_REGION}:{{account}}:{rest}"


LAUNCHES: tuple[Launch, ...] = (
    Launch("lambda", "lambda.amazonaws.com", (
        (Step("lambda:CreateFunction", _arn("lambda", "function:xpath-probe")),
         Step("lambda:InvokeFunction", _arn("lambda", "function:xpath-probe"))),
        (Step("lambda:CreateFunction", _arn("lambda", "function:xpath-probe")),
         Step("lambda:CreateEventSourceMapping", "*")),
    )),
    Launch("ec2", "ec2.amazonaws.com", (
        (Step("ec2:RunInstances", _arn("ec2", "instance/*")),),
    ), Profile.INSTANCE_PROFILE),
    Launch("cloudformation", "cloudformation.amazonaws.com", (
        (Step("cloudformation:CreateStack", _arn("cloudformation", "stack/xpath-probe/1")),),
    )),
    Launch("glue", "glue.amazonaws.com", (
        (Step("glue:CreateDevEndpoint", _arn("glue", "devEndpoint/xpath-probe")),),
        (Step("glue:CreateJob", _arn("glue", "job/xpath-probe")),
         Step("glue:StartJobRun", _arn("glue", "job/xpath-probe"))),
    )),
    Launch("codebuild", "codebuild.amazonaws.com", (
        (Step("codebuild:CreateProject", _arn("codebuild", "project/xpath-probe")),
         Step("codebuild:StartBuild", _arn("codebuild", "project/xpath-probe"))),
    )),
    Launch("sagemaker", "sagemaker.amazonaws.com", (
        (Step("sagemaker:CreateNotebookInstance", _arn("sagemaker", "notebook-instance/xpath-probe")),
         Step("sagemaker:CreatePresignedNotebookInstanceUrl", _arn("sagemaker", "notebook-instance/xpath-probe"))),
    )),
    Launch("ecs", "ecs-tasks.amazonaws.com", (
        (Step("ecs:RegisterTaskDefinition", "*"), Step("ecs:RunTask", _arn("ecs", "task-definition/xpath-probe:1"))),
    )),
)
_BY_PRINCIPAL = {launch.principal: launch for launch in LAUNCHES}
_SERVICE_CALLERS = {launch.principal: service_caller(launch.principal) for launch in LAUNCHES}


def _trusted_services(role: Role) -> list[Launch]:
    """The launches whose service principal an Allow statement of the trust policy names."""
    named = {ref.value for shape in statement_shapes(role.trust_policy.text) if shape.allows
             for ref in shape.principals if ref.kind == "service"}
    return [_BY_PRINCIPAL[name] for name in sorted(named) if name in _BY_PRINCIPAL]


def _trust(role: Role, launch: Launch, principals: PrincipalIndex, decisions: Decisions) -> Outcome | None:
    """Whether the role's trust policy lets the service assume it for a resource of the role's account."""
    target = role_target(role, principals)
    check = Check("sts:AssumeRole", role.arn, role.account_id, target.policy, PolicyKind.TRUST, target.rcps,
                  {**target.request_context, "aws:SourceAccount": role.account_id}, target.context.known_absent)
    return decisions.decide(_SERVICE_CALLERS[launch.principal], check)


@dataclass(slots=True)
class _Services:
    """Service-action outcomes per (caller, launch): the same whichever role is passed."""

    found: dict[tuple[str, str], Outcome | None]

    def outcome(self, caller: Caller, launch: Launch, principals: PrincipalIndex) -> Outcome | None:
        key = (caller.node, launch.service)
        if key not in self.found:
            account = caller.account or ""
            ctx = context.for_resource(account, principals.org).as_request_context()
            self.found[key] = best(
                combine(any_chosen(caller, step.action, step.resource.format(account=account), account, ctx)
                        for step in alternative)
                for alternative in launch.alternatives)
        return self.found[key]


def _pass_check(role: Role, launch: Launch, principals: PrincipalIndex) -> Check:
    side = context.for_role_as_resource(role, principals.org)
    return Check("iam:PassRole", role.arn, role.account_id,
                 context={**side.as_request_context(), "iam:PassedToService": launch.principal},
                 known_absent=side.known_absent)


def _created(snapshot: Snapshot, principals: PrincipalIndex) -> Iterator[EdgeSpec]:
    services = _Services({})
    named = named_principals(snapshot)
    holders = Holders(principals)
    decisions = Decisions()
    for account in snapshot.accounts:
        for role in account.roles:
            if role.service_linked:
                continue  # a service-linked role is only ever used by its own service
            launches = [launch for launch in _trusted_services(role)
                        if launch.profile is Profile.NONE or role.instance_profile_arns]
            if not launches:
                continue
            role_named = short_arn(role.arn) in named
            # an unbounded caller gains nothing from a role nobody names
            callers = [caller for caller in holders.on(role.account_id, "iam:PassRole", role.arn)
                       if caller.node != role.arn and (role_named or not unbounded(caller))]
            if not callers:
                continue
            trusted = [(launch, trust, _pass_check(role, launch, principals)) for launch in launches
                       if (trust := _trust(role, launch, principals, decisions)) is not None]
            for caller in callers:
                for launch, trust, check in trusted:
                    passing = decisions.decide(caller, check)
                    if passing is None:
                        continue
                    outcome = combine((passing, services.outcome(caller, launch, principals), trust))
                    if outcome is not None:
                        yield _labelled(outcome, launch).edge(caller.node, role.arn, EdgeKind.PASS_ROLE)


def _labelled(outcome: Outcome, launch: Launch) -> Outcome:
    """The outcome with the trust policy's own action left out (the caller does not call sts:AssumeRole)."""
    actions = tuple(action for action in outcome.actions if action != "sts:AssumeRole")
    return Outcome(outcome.status, actions, outcome.conditions, outcome.deny_conditions, outcome.granted_by)


def _function_role(resource: Resource, roles: dict[str, Role]) -> Role | None:
    arn = resource.properties.get("Role")
    return roles.get(arn) if isinstance(arn, str) else None


def _existing_functions(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    roles = {role.arn: role for account in snapshot.accounts for role in account.roles}
    collected = frozenset(account.id for account in snapshot.accounts)
    for account in snapshot.accounts:
        for resource in account.resources:
            if resource.type != ResourceType.LAMBDA_FUNCTION:
                continue
            role = _function_role(resource, roles)
            if role is None:
                continue
            target = resource_target(resource, principals)
            callers = principals.candidates(resource.account_id, "lambda", resource.arn)
            if target.policy is not None:
                callers += named_callers(target.policy.text, principals, collected,
                                         Scope("lambda", resource.arn, resource.account_id), warnings,
                                         where=f"policy of {resource.arn}")
            seen: set[str] = set()
            made: set[EdgeSpec] = set()  # several functions with the same role give the same edge
            for caller in callers:
                if caller.node in seen or caller.node == role.arn:
                    continue
                seen.add(caller.node)

                def check(action: str) -> Check:
                    return Check(action, resource.arn, resource.account_id, target.policy, PolicyKind.GENERIC,
                                 target.rcps, target.request_context, target.context.known_absent)

                update = decide(caller, check("lambda:UpdateFunctionCode"))
                if update is None:
                    continue
                invoke = decide(caller, check("lambda:InvokeFunction"))
                outcome = combine((update, invoke)) if invoke is not None else update
                assert outcome is not None
                edge = outcome.edge(caller.node, role.arn, EdgeKind.PASS_ROLE)
                if edge not in made:
                    made.add(edge)
                    yield edge


INSTANCE_TYPE = "AWS::EC2::Instance"
RUN_SHELL = "arn:aws:ssm:{region}::document/AWS-RunShellScript"
"""The AWS-owned document `ssm:SendCommand` runs shell commands with (also an ARN the request names)."""


def _instance_accesses(instance: Resource) -> tuple[tuple[Check, ...], ...]:
    """Ways to run commands on an existing instance; one is enough (each needs all its checks)."""
    region = instance.region or _REGION
    account = instance.account_id
    side = {"aws:ResourceAccount": account}
    return (
        (Check("ssm:SendCommand", instance.arn, account, context=side),
         Check("ssm:SendCommand", RUN_SHELL.format(region=region), account, context=side)),
        (Check("ssm:StartSession", instance.arn, account, context=side),),
        (Check("ec2-instance-connect:SendSSHPublicKey", instance.arn, account, context=side),),
    )


def _instance_role(instance: Resource, profiles: dict[str, Role]) -> Role | None:
    profile = instance.properties.get("IamInstanceProfile")
    arn = profile.get("Arn") if isinstance(profile, dict) else profile
    return profiles.get(arn) if isinstance(arn, str) else None


def _existing_instances(snapshot: Snapshot, principals: PrincipalIndex) -> Iterator[EdgeSpec]:
    """Commands on an instance run with its instance profile's role (instances have no resource policy)."""
    profiles = {profile: role for account in snapshot.accounts for role in account.roles
                for profile in role.instance_profile_arns}
    holders = Holders(principals)
    for account in snapshot.accounts:
        made: set[EdgeSpec] = set()
        for instance in account.resources:
            if instance.type != INSTANCE_TYPE:
                continue
            role = _instance_role(instance, profiles)
            if role is None:
                continue
            accesses = _instance_accesses(instance)
            callers = {caller.node: caller for checks in accesses
                       for caller in holders.on(account.id, checks[0].action, instance.arn)}
            for caller in callers.values():
                if caller.node == role.arn:
                    continue
                outcome = best(combine(decide(caller, check) for check in checks) for checks in accesses)
                if outcome is None:
                    continue
                edge = outcome.edge(caller.node, role.arn, EdgeKind.PASS_ROLE)
                if edge not in made:
                    made.add(edge)
                    yield edge


def edges(snapshot: Snapshot, principals: PrincipalIndex, warnings: list[str]) -> Iterator[EdgeSpec]:
    """Every pass-role edge: roles passed to a new resource, and existing functions and instances that run as one."""
    yield from _created(snapshot, principals)
    yield from _existing_functions(snapshot, principals, warnings)
    yield from _existing_instances(snapshot, principals)
