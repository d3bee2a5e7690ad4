"""``/v3/users/{id}/application_credentials``, ``/v3/users/{id}/access_rules`` and
``/v3/credentials``."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, Forbidden
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.identity import schemas
from twinstack.services.identity.api.common import created, enforce, identity, listing, payload
from twinstack.services.identity.common import not_found
from twinstack.services.identity.service import Scope
from twinstack.services.identity.views import access_rule_view, app_cred_view, credential_view, ec2_view

# application credentials --------------------------------------------------------------------


def _restricted_app_cred(req: ApiRequest) -> None:
    """A token from a restricted application credential cannot manage application credentials."""
    cred_id = req.ctx.app_cred_id
    if cred_id:
        cred = identity(req).get_app_cred_row(cred_id)
        if cred is None or not cred["unrestricted"]:
            raise Forbidden(
                "Using method 'application_credential' is not allowed for managing additional "
                "application credentials."
            )


def create_app_cred(req: ApiRequest) -> ApiResponse:
    enforce(req, "create_application_credential")
    values = payload(req, schemas.APP_CRED_CREATE, "application_credential")
    _restricted_app_cred(req)
    svc = identity(req)
    user_id = req.path["user_id"]
    scope = Scope("project", req.ctx.project_id) if req.ctx.project_id else Scope()
    return created("application_credential", app_cred_view(req, svc.create_app_cred(user_id, scope, values)))


def list_app_creds(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_application_credentials")
    views = [app_cred_view(req, c) for c in identity(req).list_app_creds(req.path["user_id"])]
    return listing(req, "application_credentials", views, ("name",))


def get_app_cred(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "get_application_credential")
    cred = identity(req).get_app_cred(req.path["user_id"], req.path["cred_id"])
    return {"application_credential": app_cred_view(req, cred)}


def delete_app_cred(req: ApiRequest) -> None:
    enforce(req, "delete_application_credential")
    _restricted_app_cred(req)
    identity(req).delete_app_cred(req.path["user_id"], req.path["cred_id"])


def list_access_rules(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_access_rules")
    user_id = req.path["user_id"]
    rules = [access_rule_view(req, user_id, r) for r in identity(req).access_rules(user_id)]
    return listing(req, "access_rules", rules, ("service", "path", "method"))


def get_access_rule(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "get_access_rule")
    user_id = req.path["user_id"]
    for rule in identity(req).access_rules(user_id):
        if rule["id"] == req.path["rule_id"]:
            return {"access_rule": access_rule_view(req, user_id, rule)}
    raise not_found("access rule", req.path["rule_id"])


def delete_access_rule(req: ApiRequest) -> None:
    enforce(req, "delete_access_rule")
    identity(req).delete_access_rule(req.path["user_id"], req.path["rule_id"])


# credentials --------------------------------------------------------------------------------


def _cred_target(cred: dict[str, Any]) -> dict[str, Any]:
    return {"target.credential.user_id": cred["user_id"]}


def list_credentials(req: ApiRequest) -> dict[str, Any]:
    ctx = req.ctx
    svc = identity(req)
    creds = svc.list_credentials()
    if not req.cloud.policy.check(ctx, "identity:list_credentials", {"target.credential.user_id": None}):
        creds = [c for c in creds if c["user_id"] == ctx.user_id]
    views = [credential_view(req, c) for c in creds]
    return listing(req, "credentials", views, ("user_id", "type", "project_id"))


def create_credential(req: ApiRequest) -> ApiResponse:
    values = payload(req, schemas.CREDENTIAL_CREATE, "credential")
    enforce(req, "create_credential", _cred_target(values))
    return created("credential", credential_view(req, identity(req).create_credential(values)))


def get_credential(req: ApiRequest) -> dict[str, Any]:
    cred = identity(req).get_credential(req.path["credential_id"])
    enforce(req, "get_credential", _cred_target(cred))
    return {"credential": credential_view(req, cred)}


def update_credential(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    cred = svc.get_credential(req.path["credential_id"])
    enforce(req, "update_credential", _cred_target(cred))
    values = payload(req, schemas.CREDENTIAL_UPDATE, "credential")
    if "user_id" in values:
        enforce(req, "update_credential", _cred_target(values))
    return {"credential": credential_view(req, svc.update_credential(cred["id"], values))}


def delete_credential(req: ApiRequest) -> None:
    svc = identity(req)
    cred = svc.get_credential(req.path["credential_id"])
    enforce(req, "delete_credential", _cred_target(cred))
    svc.delete_credential(cred["id"])


# EC2 credentials ----------------------------------------------------------------------------


def create_ec2(req: ApiRequest) -> ApiResponse:
    enforce(req, "ec2_create_credential")
    body = req.body if isinstance(req.body, dict) else {}
    project_id = body.get("tenant_id") or body.get("project_id")
    if not isinstance(project_id, str) or not project_id:
        raise BadRequest("Invalid input for field 'tenant_id': a project id is required.")
    cred = identity(req).create_ec2_credential(req.path["user_id"], project_id)
    return created("credential", ec2_view(req, cred))


def list_ec2(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "ec2_list_credentials")
    views = [ec2_view(req, c) for c in identity(req).ec2_credentials(req.path["user_id"])]
    return listing(req, "credentials", views)


def get_ec2(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "ec2_get_credential")
    return {
        "credential": ec2_view(req, identity(req).get_ec2_credential(req.path["user_id"], req.path["access"]))
    }


def delete_ec2(req: ApiRequest) -> None:
    enforce(req, "ec2_delete_credential")
    svc = identity(req)
    svc.delete_credential(svc.get_ec2_credential(req.path["user_id"], req.path["access"])["id"])


def register(api: ServiceApi) -> None:
    ec2 = "/v3/users/{user_id}/credentials/OS-EC2"
    api.add("GET", ec2, list_ec2)
    api.add("POST", ec2, create_ec2, status=201)
    api.add("GET", ec2 + "/{access}", get_ec2)
    api.add("DELETE", ec2 + "/{access}", delete_ec2, status=204)
    base = "/v3/users/{user_id}/application_credentials"
    api.add("GET", base, list_app_creds)
    api.add("POST", base, create_app_cred, status=201)
    api.add("GET", base + "/{cred_id}", get_app_cred)
    api.add("DELETE", base + "/{cred_id}", delete_app_cred, status=204)
    api.add("GET", "/v3/users/{user_id}/access_rules", list_access_rules)
    api.add("GET", "/v3/users/{user_id}/access_rules/{rule_id}", get_access_rule)
    api.add("DELETE", "/v3/users/{user_id}/access_rules/{rule_id}", delete_access_rule, status=204)
    api.add("GET", "/v3/credentials", list_credentials)
    api.add("POST", "/v3/credentials", create_credential, status=201)
    api.add("GET", "/v3/credentials/{credential_id}", get_credential)
    api.add("PATCH", "/v3/credentials/{credential_id}", update_credential)
    api.add("DELETE", "/v3/credentials/{credential_id}", delete_credential, status=204)
