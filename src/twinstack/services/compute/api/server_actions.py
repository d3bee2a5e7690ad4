"""``POST /servers/{id}/action``: one handler per action name, as nova's action controllers."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from twinstack.core.errors import ApiError, BadRequest, Forbidden
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import admin_only, api_url, check, compute, normalize_ipv6, route
from twinstack.services.compute.api.views import server_body

Action = Callable[[ApiRequest, str, Any], Awaitable[ApiResponse]]
ACTIONS: dict[str, Action] = {}
ACCEPTED = ApiResponse(None, 202)
DISK_CONFIG = {"type": "string", "enum": ["AUTO", "MANUAL"]}
IMAGE_METADATA = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}


def action(name: str) -> Callable[[Action], Action]:
    def decorate(func: Action) -> Action:
        ACTIONS[name] = func
        return func

    return decorate


async def server_action(req: ApiRequest) -> ApiResponse:
    body = req.body
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest("Malformed request body")
    name, value = next(iter(body.items()))
    handler = ACTIONS.get(name)
    if handler is None:
        raise BadRequest(f"There is no such action: {name}")
    return await handler(req, req.path["server_id"], value)


def _nullable_object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(
            f"Invalid input for field/attribute {name}. Value: {value}. {value!r} is not of type "
            "'object', 'null'"
        )
    return value


@action("reboot")
async def reboot(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    check(
        {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}
            },
            "required": ["type"],
            "additionalProperties": False,
        },
        value,
    )
    await compute(req).reboot(req.ctx, sid, value["type"].upper())
    return ACCEPTED


@action("lock")
async def lock(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    body = _nullable_object(value, "lock")
    if "locked_reason" in body and not req.ctx.mv("2.73"):
        raise BadRequest(f"Invalid input for field/attribute lock. Value: {value}.")
    compute(req).lock(req.ctx, sid, body.get("locked_reason"))
    return ACCEPTED


@action("unlock")
async def unlock(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    compute(req).unlock(req.ctx, sid)
    return ACCEPTED


@action("rescue")
async def rescue(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    body = _nullable_object(value, "rescue")
    admin_pass = await compute(req).rescue(req.ctx, sid, body.get("adminPass"), body.get("rescue_image_ref"))
    return ApiResponse({"adminPass": admin_pass}, 200)


@action("changePassword")
async def change_password(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    check(
        {
            "type": "object",
            "properties": {"adminPass": {"type": "string"}},
            "required": ["adminPass"],
            "additionalProperties": False,
        },
        value,
    )
    await compute(req).change_password(req.ctx, sid, value["adminPass"])
    return ACCEPTED


@action("resize")
async def resize(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    check(
        {
            "type": "object",
            "properties": {
                "flavorRef": {"type": ["string", "integer"], "minLength": 1},
                "OS-DCF:diskConfig": DISK_CONFIG,
            },
            "required": ["flavorRef"],
            "additionalProperties": False,
        },
        value,
    )
    svc = compute(req)
    await svc.resize(req.ctx, sid, str(value["flavorRef"]))
    svc.set_disk_config(sid, value.get("OS-DCF:diskConfig"))
    return ACCEPTED


@action("confirmResize")
async def confirm_resize(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    await compute(req).confirm_resize(req.ctx, sid)
    return ApiResponse(None, 204)


@action("rebuild")
async def rebuild(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    props: dict[str, Any] = {
        "imageRef": {"type": "string"},
        "name": {"type": "string", "minLength": 1},
        "adminPass": {"type": "string"},
        "metadata": {"type": "object"},
        "accessIPv4": {"type": "string"},
        "accessIPv6": {"type": "string"},
        "OS-DCF:diskConfig": DISK_CONFIG,
        "preserve_ephemeral": {"type": "boolean"},
    }
    if not req.ctx.mv("2.57"):
        props["personality"] = {"type": "array"}
    if req.ctx.mv("2.19"):
        props["description"] = {"type": ["string", "null"], "maxLength": 255}
    if req.ctx.mv("2.54"):
        props["key_name"] = {"type": ["string", "null"]}
    if req.ctx.mv("2.57"):
        props["user_data"] = {"type": ["string", "null"]}
    if req.ctx.mv("2.63"):
        props["trusted_image_certificates"] = {"type": ["array", "null"]}
    if req.ctx.mv("2.90"):
        props["hostname"] = {"type": "string"}
    check(
        {"type": "object", "properties": props, "required": ["imageRef"], "additionalProperties": False},
        value,
    )
    value = dict(value)
    normalize_ipv6(value)
    svc = compute(req)
    inst, admin_pass = await svc.rebuild(req.ctx, sid, value)
    svc.set_disk_config(sid, value.get("OS-DCF:diskConfig"))
    inst = svc.get_instance(req.ctx, sid)
    body = server_body(req, inst, full=req.ctx.mv("2.75"), show_groups=True, show_user_data=False)
    if req.ctx.mv("2.54") and not req.ctx.mv("2.75"):
        body["key_name"] = inst["key_name"]
    if req.ctx.mv("2.57"):
        body["user_data"] = inst["user_data"]
    body["adminPass"] = admin_pass
    return ApiResponse({"server": body}, 202, {"Location": api_url(req, f"/servers/{sid}")})


@action("createImage")
async def create_image(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    check(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "metadata": IMAGE_METADATA,
            },
            "required": ["name"],
            "additionalProperties": False,
        },
        value,
    )
    image_id = await compute(req).create_image(req.ctx, sid, value["name"], value.get("metadata"))
    location = req.url_for(f"/image/v2/images/{image_id}")
    if req.ctx.mv("2.45"):
        return ApiResponse({"image_id": image_id}, 202)
    return ApiResponse(None, 202, {"Location": location})


@action("unshelve")
async def unshelve(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    body = _nullable_object(value, "unshelve")
    if body and not req.ctx.mv("2.77"):
        raise BadRequest(
            f"Invalid input for field/attribute unshelve. Value: {value}. {value!r} is not of type 'null'"
        )
    if "host" in body:
        admin_only(req, "os_compute_api:os-shelve:unshelve_to_host")
    az = body.get("availability_zone", ...)
    await compute(req).unshelve(req.ctx, sid, az, body.get("host"))
    return ACCEPTED


@action("migrate")
async def migrate(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    admin_only(req, "os_compute_api:os-migrate-server:migrate")
    body = _nullable_object(value, "migrate")
    host = body.get("host") if req.ctx.mv("2.56") else None
    await compute(req).migrate(req.ctx, sid, host)
    return ACCEPTED


@action("os-migrateLive")
async def live_migrate(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    admin_only(req, "os_compute_api:os-migrate-server:migrate_live")
    check(
        {
            "type": "object",
            "properties": {
                "host": {"type": ["string", "null"]},
                "block_migration": {"type": ["boolean", "string"]},
                "disk_over_commit": {"type": ["boolean", "string"]},
                "force": {"type": ["boolean", "string"]},
            },
            "required": ["host"] if not req.ctx.mv("2.25") else [],
            "additionalProperties": False,
        },
        value,
    )
    await compute(req).live_migrate(req.ctx, sid, value.get("host"))
    return ACCEPTED


@action("evacuate")
async def evacuate(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    admin_only(req, "os_compute_api:os-evacuate")
    body = _nullable_object(value, "evacuate")
    await compute(req).evacuate(req.ctx, sid, body.get("host"))
    if req.ctx.mv("2.14"):
        return ACCEPTED
    return ApiResponse({"adminPass": body.get("adminPass") or "twinstack-evacuated"}, 200)


@action("os-resetState")
async def reset_state(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    admin_only(req, "os_compute_api:os-admin-actions:reset_state")
    check(
        {
            "type": "object",
            "properties": {"state": {"type": "string", "enum": ["active", "error"]}},
            "required": ["state"],
            "additionalProperties": False,
        },
        value,
    )
    compute(req).reset_state(req.ctx, sid, value["state"])
    return ACCEPTED


@action("resetNetwork")
async def reset_network(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    admin_only(req, "os_compute_api:os-admin-actions:reset_network")
    compute(req).get_instance(req.ctx, sid)
    return ACCEPTED


@action("os-getConsoleOutput")
async def console_output(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    body = _nullable_object(value, "os-getConsoleOutput")
    length = body.get("length")
    if length is not None:
        try:
            length = int(length)
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid input for field/attribute length. Value: {length}.") from None
        if length < -1:
            raise BadRequest(f"Invalid input for field/attribute length. Value: {length}.")
        if length == -1:
            length = None
    output = await compute(req).console_output(req.ctx, sid, length)
    return ApiResponse({"output": output}, 200)


@action("trigger_crash_dump")
async def crash_dump(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    if not req.ctx.mv("2.17"):
        raise BadRequest("There is no such action: trigger_crash_dump")
    svc = compute(req)
    inst = svc.get_instance(req.ctx, sid)
    svc.check_state(
        inst,
        "trigger_crash_dump",
        ("active", "paused", "stopped", "suspended", "rescued", "resized", "error"),
    )
    return ACCEPTED


@action("forceDelete")
async def force_delete(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    svc = compute(req)
    inst = svc.get_instance(req.ctx, sid)
    svc.check_state(inst, "forceDelete", ("soft_deleted",), None)
    return ACCEPTED


@action("restore")
async def restore(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    svc = compute(req)
    inst = svc.get_instance(req.ctx, sid)
    svc.check_state(inst, "restore", ("soft_deleted",), None)
    return ACCEPTED


@action("addSecurityGroup")
async def add_security_group(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    svc = compute(req)
    inst = svc.get_instance(req.ctx, sid)
    name = (value or {}).get("name")
    if not name:
        raise BadRequest("Security group name cannot be empty")
    groups = list(inst["security_groups"] or [])
    if name not in groups:
        groups.append(name)
        svc.store.save(sid, security_groups=groups)
    return ACCEPTED


@action("removeSecurityGroup")
async def remove_security_group(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    svc = compute(req)
    inst = svc.get_instance(req.ctx, sid)
    name = (value or {}).get("name")
    groups = list(inst["security_groups"] or [])
    if name not in groups:
        raise BadRequest(f"Security group {name} not associated with the instance {sid}")
    groups.remove(name)
    svc.store.save(sid, security_groups=groups)
    return ACCEPTED


@action("createBackup")
async def create_backup(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    check(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "backup_type": {"type": "string"},
                "rotation": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0},
                "metadata": IMAGE_METADATA,
            },
            "required": ["name", "backup_type", "rotation"],
            "additionalProperties": False,
        },
        value,
    )
    metadata = {**(value.get("metadata") or {}), "image_type": "backup", "backup_type": value["backup_type"]}
    image_id = await compute(req).create_image(req.ctx, sid, value["name"], metadata)
    _rotate_backups(req, sid, value["backup_type"], int(value["rotation"]))
    if req.ctx.mv("2.45"):
        return ApiResponse({"image_id": image_id}, 202)
    return ApiResponse(None, 202, {"Location": req.url_for(f"/image/v2/images/{image_id}")})


def _rotate_backups(req: ApiRequest, sid: str, backup_type: str, rotation: int) -> None:
    """Keep the newest ``rotation`` backups of this type (nova's _rotate_backups)."""
    image = req.cloud.service("image")
    params = [
        ("instance_uuid", sid),
        ("image_type", "backup"),
        ("backup_type", backup_type),
        ("limit", "1000"),
    ]
    backups, _ = image.list_images(req.ctx, [*params, ("sort_key", "created_at"), ("sort_dir", "desc")])
    for old in backups[rotation:]:
        with contextlib.suppress(ApiError):
            image.delete_image(req.ctx, old["id"])


@action("injectNetworkInfo")
async def inject_network_info(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    admin_only(req, "os_compute_api:os-admin-actions:inject_network_info")
    compute(req).get_instance(req.ctx, sid)
    return ACCEPTED


def _forbidden(req: ApiRequest) -> None:
    raise Forbidden("forbidden")


def register(api: ServiceApi) -> None:
    route(api, "POST", "/servers/{server_id}/action", server_action, status=202)


# Actions that take no arguments: the body's value is ignored, as nova does.
PLAIN_ACTIONS = {
    "os-stop": "stop",
    "os-start": "start",
    "pause": "pause",
    "unpause": "unpause",
    "suspend": "suspend",
    "resume": "resume",
    "unrescue": "unrescue",
    "revertResize": "revert_resize",
    "shelve": "shelve",
    "shelveOffload": "shelve_offload",
}


def _plain(method: str) -> Action:
    async def run(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
        await getattr(compute(req), method)(req.ctx, sid)
        return ACCEPTED

    run.__name__ = method
    return run


for _name, _method in PLAIN_ACTIONS.items():
    action(_name)(_plain(_method))
