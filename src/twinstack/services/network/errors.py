"""Neutron's exceptions, as ``ApiError``s whose ``kind`` is neutron's exception class name.

The neutron fault style (``core/errors.py``) renders them as
``{"NeutronError": {"type": kind, "message": message, "detail": ""}}``.
"""

from __future__ import annotations

from twinstack.core.errors import ApiError


def err(kind: str, status: int, message: str) -> ApiError:
    return ApiError(message, status, kind=kind)


def bad_request(message: str) -> ApiError:
    """webob's HTTPBadRequest, as neutron's API layer raises it."""
    return err("HTTPBadRequest", 400, message)


def bad(resource: str, msg: str) -> ApiError:
    """neutron_lib's ``BadRequest``: "Bad <resource> request: <msg>."."""
    return err("BadRequest", 400, f"Bad {resource} request: {msg}.")


def invalid_input(message: str) -> ApiError:
    return err("InvalidInput", 400, f"Invalid input for operation: {message}.")


def invalid_attr(attr: str, reason: str) -> ApiError:
    return invalid_input(f"Invalid input for {attr}. Reason: {reason}.")


def not_found(kind: str, message: str) -> ApiError:
    return err(kind, 404, message)


def conflict(kind: str, message: str) -> ApiError:
    return err(kind, 409, message)


def policy(action: str) -> ApiError:
    return err("PolicyNotAuthorized", 403, f"({action}) is disallowed by policy")


def over_quota(resource: str) -> ApiError:
    return conflict("OverQuota", f"Quota exceeded for resources: ['{resource}'].")


NOT_FOUND_KINDS = {
    "network": ("NetworkNotFound", "Network {id} could not be found."),
    "subnet": ("SubnetNotFound", "Subnet {id} could not be found."),
    "port": ("PortNotFound", "Port {id} could not be found."),
    "subnetpool": ("SubnetPoolNotFound", "Subnet pool {id} could not be found."),
    "router": ("RouterNotFound", "Router {id} could not be found"),
    "floatingip": ("FloatingIPNotFound", "Floating IP {id} could not be found"),
    "security_group": ("SecurityGroupNotFound", "Security group {id} does not exist"),
    "security_group_rule": ("SecurityGroupRuleNotFound", "Security group rule {id} does not exist"),
    "address_scope": ("AddressScopeNotFound", "Address scope {id} could not be found."),
    "rbac_policy": ("RbacPolicyNotFound", "RBAC policy of type {type} with ID {id} not found"),
    "trunk": ("TrunkNotFound", "Trunk {id} could not be found."),
}


def missing(resource: str, resource_id: str) -> ApiError:
    kind, message = NOT_FOUND_KINDS.get(resource, ("NotFound", "{id} could not be found."))
    return not_found(kind, message.format(id=resource_id, type=resource))
