"""``POST /volumes/{id}/action``: one handler per action key, as cinder's volume_actions and
admin_actions extensions (and the image metadata extension)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.core.validation import validate
from twinstack.services.block_storage.api._common import BOOLEAN, METADATA, SIZE, add, require_admin, svc
from twinstack.services.block_storage.common import parse_bool

Action = Callable[[ApiRequest, str, Any], Awaitable[ApiResponse]]
ACCEPTED = ApiResponse(None, status=202)


def _obj(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(
            f"Invalid input for field/attribute {name}. Value: {value}. {value!r} is not of type 'object'"
        )
    return value


async def extend(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    validate(
        {
            "type": "object",
            "properties": {"new_size": SIZE},
            "required": ["new_size"],
            "additionalProperties": False,
        },
        arg,
        style="nova",
    )
    await svc(req).extend_volume(req.ctx, vid, arg["new_size"])
    return ACCEPTED


async def reset_status(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    require_admin(req, "volume_extension:volume_admin_actions:reset_status")
    svc(req).reset_volume_status(req.ctx, vid, _obj(arg, "os-reset_status"))
    return ACCEPTED


async def set_bootable(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-set_bootable")
    if "bootable" not in arg:
        raise BadRequest("Must specify bootable in request.")
    try:
        bootable = parse_bool(arg["bootable"], "bootable")
    except BadRequest:
        raise BadRequest("Invalid value for 'bootable': 'must be a boolean'") from None
    svc(req).set_bootable(req.ctx, vid, bootable)
    return ApiResponse(None, status=200)


async def readonly(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-update_readonly_flag")
    if "readonly" not in arg:
        raise BadRequest("Must specify readonly in request.")
    validate({"type": "object", "properties": {"readonly": BOOLEAN}}, arg, style="nova")
    svc(req).update_readonly_flag(req.ctx, vid, parse_bool(arg["readonly"], "readonly"))
    return ACCEPTED


async def upload_image(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-volume_upload_image")
    name = arg.get("image_name")
    if not name or not isinstance(name, str):
        raise BadRequest("No image_name was specified in request.")
    force = parse_bool(arg.get("force", False), "force")
    disk_format = arg.get("disk_format", "raw")
    allowed = ("raw", "vmdk", "vdi", "qcow2", "vhd", "vhdx", "ploop")
    if disk_format not in allowed:
        raise BadRequest(
            f"Invalid disk-format '{disk_format}' specified. Allowed disk-formats are {', '.join(allowed)}."
        )
    result = await svc(req).upload_to_image(
        req.ctx,
        vid,
        name,
        disk_format=disk_format,
        container_format=arg.get("container_format", "bare"),
        force=force,
        visibility=arg.get("visibility") if req.ctx.mv("3.1") else None,
        protected=parse_bool(arg.get("protected", False), "protected") if req.ctx.mv("3.1") else False,
    )
    return ApiResponse({"os-volume_upload_image": result}, status=202)


async def retype(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-retype")
    new_type = arg.get("new_type")
    if not new_type:
        raise BadRequest("New volume type must be specified.")
    policy = arg.get("migration_policy")
    if policy not in (None, "never", "on-demand"):
        raise BadRequest(f"Invalid input for field/attribute migration_policy. Value: {policy}.")
    await svc(req).retype_volume(req.ctx, vid, str(new_type), policy)
    return ACCEPTED


async def force_delete(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    require_admin(req, "volume_extension:volume_admin_actions:force_delete")
    await svc(req).delete_volume(req.ctx, vid, force=True)
    return ACCEPTED


async def reserve(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    svc(req).reserve_volume(req.ctx, vid)
    return ACCEPTED


async def unreserve(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    svc(req).unreserve_volume(req.ctx, vid)
    return ACCEPTED


async def attach(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-attach")
    instance = arg.get("instance_uuid")
    host_name = arg.get("host_name")
    if not instance and not host_name:
        raise BadRequest("Invalid request to attach volume to an invalid target")
    mode = arg.get("mode", "rw")
    if mode not in ("rw", "ro"):
        raise BadRequest(
            "Invalid request to attach volume with an invalid mode. Attaching mode should be 'rw' or 'ro'"
        )
    if not arg.get("mountpoint"):
        raise BadRequest("Invalid input for field/attribute mountpoint.")
    svc(req).attach_volume(req.ctx, vid, instance, host_name, arg["mountpoint"], mode)
    return ACCEPTED


async def detach(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-detach")
    svc(req).detach_volume(req.ctx, vid, arg.get("attachment_id"))
    return ACCEPTED


async def force_detach(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    require_admin(req, "volume_extension:volume_admin_actions:force_detach")
    arg = _obj(arg, "os-force_detach")
    svc(req).detach_volume(req.ctx, vid, arg.get("attachment_id"), force=True)
    return ACCEPTED


async def begin_detaching(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    svc(req).begin_detaching(req.ctx, vid)
    return ACCEPTED


async def roll_detaching(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    svc(req).roll_detaching(req.ctx, vid)
    return ACCEPTED


async def initialize_connection(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    connector = _obj(arg, "os-initialize_connection").get("connector")
    if not isinstance(connector, dict):
        raise BadRequest("Must specify 'connector'")
    volume = svc(req).get_volume_row(req.ctx, vid)
    return ApiResponse({"connection_info": _legacy_connection(volume, connector)}, status=200)


def _legacy_connection(volume: dict[str, Any], connector: dict[str, Any]) -> dict[str, Any]:
    return {
        "driver_volume_type": "iscsi",
        "data": {
            "target_discovered": False,
            "target_iqn": f"iqn.2010-10.org.openstack:volume-{volume['id']}",
            "target_portal": "127.0.0.1:3260",
            "target_lun": 1,
            "volume_id": volume["id"],
            "access_mode": "ro" if volume["readonly"] else "rw",
            "encrypted": False,
        },
    }


async def terminate_connection(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    svc(req).get_volume_row(req.ctx, vid)
    return ACCEPTED


async def set_image_metadata(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    arg = _obj(arg, "os-set_image_metadata")
    validate(
        {"type": "object", "properties": {"metadata": METADATA}, "required": ["metadata"]}, arg, style="nova"
    )
    return ApiResponse({"metadata": svc(req).set_image_metadata(req.ctx, vid, arg["metadata"])})


async def unset_image_metadata(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    key = _obj(arg, "os-unset_image_metadata").get("key")
    if not key:
        raise BadRequest("Invalid input for field/attribute key.")
    svc(req).unset_image_metadata(req.ctx, vid, str(key))
    return ApiResponse(None, status=200)


async def show_image_metadata(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    volume = svc(req).get_volume_row(req.ctx, vid)
    return ApiResponse({"metadata": {k: str(v) for k, v in (volume["image_metadata"] or {}).items()}})


async def extend_completion(req: ApiRequest, vid: str, arg: Any) -> ApiResponse:
    if not req.ctx.mv("3.71"):
        raise BadRequest("Invalid action os-extend_volume_completion.")
    return ACCEPTED


ACTIONS: dict[str, Action] = {
    "os-extend": extend,
    "os-reset_status": reset_status,
    "os-set_bootable": set_bootable,
    "os-update_readonly_flag": readonly,
    "os-volume_upload_image": upload_image,
    "os-retype": retype,
    "os-force_delete": force_delete,
    "os-reserve": reserve,
    "os-unreserve": unreserve,
    "os-attach": attach,
    "os-detach": detach,
    "os-force_detach": force_detach,
    "os-begin_detaching": begin_detaching,
    "os-roll_detaching": roll_detaching,
    "os-initialize_connection": initialize_connection,
    "os-terminate_connection": terminate_connection,
    "os-set_image_metadata": set_image_metadata,
    "os-unset_image_metadata": unset_image_metadata,
    "os-show_image_metadata": show_image_metadata,
    "os-extend_volume_completion": extend_completion,
}


async def volume_action(req: ApiRequest) -> ApiResponse:
    data = req.body
    if not isinstance(data, dict) or len(data) != 1:
        raise BadRequest("Malformed request body")
    name, arg = next(iter(data.items()))
    action = ACTIONS.get(name)
    if action is None:
        raise BadRequest(f"There is no such action: {name}")
    return await action(req, req.path["volume_id"], arg)


def register(api: ServiceApi) -> None:
    add(api, "POST", "/volumes/{volume_id}/action", volume_action)
