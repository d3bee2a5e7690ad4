"""Servers: create (records, quota, request spec, cast to the conductor), list, update, delete."""

from __future__ import annotations

import contextlib
import re
import secrets
import string
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, not_, or_, select

from twinstack.core.clock import parse_isotime
from twinstack.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from twinstack.services.compute import models as m
from twinstack.services.compute import states, volumes
from twinstack.services.compute.flavors import flavor_snapshot

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.service import ComputeService

_HOSTNAME_RE = re.compile(r"[^\w.-]+")


def sanitize_hostname(name: str) -> str:
    host = _HOSTNAME_RE.sub("-", name.lower()).strip(".-")
    host = re.sub(r"[_]", "-", host)[:63].strip("-")
    return host or "server"


def password(length: int = 12) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def quota_error(
    resources: list[str], requested: dict[str, int], used: dict[str, int], limits: dict[str, int]
) -> Forbidden:
    overs = ", ".join(resources)
    req = ", ".join(str(requested[r]) for r in resources)
    use = ", ".join(str(used[r]) for r in resources)
    allowed = ", ".join(str(limits[r]) for r in resources)
    return Forbidden(
        f"Quota exceeded for {overs}: Requested {req}, but already used {use} of {allowed} {overs}"
    )


class ServersMixin:
    # create ------------------------------------------------------------------------------------
    def _image_for_boot(self: ComputeService, ctx: RequestContext, image_ref: str | None) -> dict[str, Any]:
        if not image_ref:
            return {}
        try:
            found = self.cloud.service("image").get_image(ctx, image_ref)
        except ApiError:
            raise BadRequest("Can not find requested image") from None
        if found.get("status") != "active":
            raise BadRequest(f"Image {image_ref} is not active.")
        return dict(found)

    def _check_networks(self: ComputeService, ctx: RequestContext, networks: Any) -> None:
        if not isinstance(networks, list):
            return
        network = self.cloud.service("network")
        for item in networks:
            if item.get("uuid"):
                try:
                    network.get_network(ctx, item["uuid"])
                except ApiError:
                    raise BadRequest(f"Network {item['uuid']} could not be found.") from None
            if item.get("port"):
                try:
                    port = network.get_port(ctx, item["port"])
                except ApiError:
                    raise BadRequest(f"Port id {item['port']} could not be found.") from None
                if port.get("device_id"):
                    raise Conflict(f"Port {item['port']} is still in use.")

    def create_servers(
        self: ComputeService, ctx: RequestContext, body: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str, str | None]:
        """Validate, count quota, write the records (building/scheduling). Returns (instances,
        reservation id, admin password); the caller casts ``build`` (see ``cast_build``)."""
        try:
            flavor_row = self.get_flavor(ctx, str(body["flavorRef"]).rstrip("/").rsplit("/", 1)[-1])
        except NotFound:
            raise BadRequest("Invalid flavorRef provided.") from None
        if flavor_row["disabled"]:
            raise BadRequest("Flavor is disabled.")
        flavor = flavor_snapshot(flavor_row)
        bdms = list(body.get("block_device_mapping_v2") or [])
        image_ref = body.get("imageRef") or ""
        image_ref = image_ref.rstrip("/").rsplit("/", 1)[-1] if image_ref else ""
        boot_volume = next(
            (b for b in bdms if b.get("boot_index") in (0, "0") and b.get("destination_type") == "volume"),
            None,
        )
        bdms = volumes.check_block_devices(self, ctx, bdms)
        if not image_ref and boot_volume is None:
            image_bdm = next((b for b in bdms if b.get("source_type") == "image"), None)
            image_ref = (image_bdm or {}).get("uuid") or ""
            if not image_ref:
                raise BadRequest("Missing imageRef attribute")
        image = self._image_for_boot(ctx, image_ref) if image_ref else {}
        if image:
            if int(image.get("min_ram") or 0) > flavor["memory_mb"]:
                raise BadRequest("Flavor's memory is too small for requested image.")
            if int(image.get("min_disk") or 0) > flavor["root_gb"] and boot_volume is None:
                raise BadRequest("Flavor's disk is too small for requested image.")
        key_name = body.get("key_name")
        key_data = None
        if key_name:
            try:
                key_data = self.get_keypair(ctx.user_id or "", key_name)["public_key"]
            except NotFound:
                raise BadRequest("Invalid key_name provided.") from None
        az = body.get("availability_zone") or self.config.default_schedule_zone
        force_host = force_node = None
        if az and ":" in az:
            az, _, rest = az.partition(":")
            force_host, _, force_node = rest.partition(":")
            if (force_host or force_node) and not ctx.is_admin:
                raise Forbidden(
                    "Policy doesn't allow os_compute_api:servers:create:forced_host to be performed."
                )
        if (body.get("host") or body.get("hypervisor_hostname")) and not ctx.is_admin:
            raise Forbidden(
                "Policy doesn't allow compute:servers:create:requested_destination to be performed."
            )
        if az and az not in self.availability_zones():
            raise BadRequest("The requested availability zone is not available")
        self._check_networks(ctx, body.get("networks"))
        hints = dict(body.get("os:scheduler_hints") or body.get("OS-SCH-HNT:scheduler_hints") or {})
        group = None
        if hints.get("group"):
            try:
                group = self.get_group(ctx, str(hints["group"]))
            except NotFound:
                raise BadRequest(f"Invalid server group {hints['group']}") from None
        min_count = int(body.get("min_count") or 1)
        max_count = int(body.get("max_count") or min_count)
        if min_count > max_count:
            raise BadRequest("min_count must be <= max_count")
        metadata = body.get("metadata") or {}
        limits = self.project_limits(ctx.project_id or "", ctx.user_id)
        if limits["metadata_items"] >= 0 and len(metadata) > limits["metadata_items"]:
            raise Forbidden(
                "Quota exceeded for metadata_items: Requested "
                f"{len(metadata)}, but already used 0 of {limits['metadata_items']} metadata_items"
            )
        # quota: as many as fit between min and max (nova's _check_num_instances_quota)
        used = self.count_instances(ctx.project_id or "")
        count = max_count
        per = {"instances": 1, "cores": flavor["vcpus"], "ram": flavor["memory_mb"]}
        for res, amount in per.items():
            limit = limits[res]
            if limit >= 0 and amount:
                count = min(count, (limit - used[res]) // amount)
        if count < min_count:
            overs = [r for r, a in per.items() if limits[r] >= 0 and used[r] + a * min_count > limits[r]]
            requested = {r: a * min_count for r, a in per.items()}
            raise quota_error(overs, requested, used, limits)
        if group is not None:
            members_limit = limits["server_group_members"]
            if members_limit >= 0 and len(group["members"]) + count > members_limit:
                raise Forbidden("Quota exceeded, too many servers in group")
        reservation_id = "r-" + secrets.token_hex(4)
        admin_pass = body.get("adminPass") or password()
        now = self.cloud.clock.now()
        name = body["name"]
        security_groups = [sg["name"] for sg in body.get("security_groups") or [{"name": "default"}]]
        rows = []
        for index in range(count):
            display = name if count == 1 else f"{name}-{index + 1}"
            rows.append(
                {
                    "id": self.cloud.ids.uuid(),
                    "project_id": ctx.project_id,
                    "user_id": ctx.user_id,
                    "display_name": display,
                    "display_description": body.get("description"),
                    "hostname": body.get("hostname") or sanitize_hostname(display),
                    "image_ref": image_ref,
                    "image_meta": _image_meta(image),
                    "flavor": flavor,
                    "vcpus": flavor["vcpus"],
                    "memory_mb": flavor["memory_mb"],
                    "root_gb": flavor["root_gb"],
                    "vm_state": states.BUILDING,
                    "task_state": states.SCHEDULING,
                    "power_state": states.NOSTATE,
                    "availability_zone": az,
                    "pinned_availability_zone": az,
                    "key_name": key_name,
                    "key_data": key_data,
                    "user_data": body.get("user_data"),
                    "metadata": dict(metadata),
                    "system_metadata": {},
                    "tags": list(body.get("tags") or []),
                    "locked": False,
                    "config_drive": "True" if body.get("config_drive") in (True, "true", "True") else "",
                    "access_ip_v4": body.get("accessIPv4"),
                    "access_ip_v6": body.get("accessIPv6"),
                    "reservation_id": reservation_id,
                    "launch_index": index,
                    "progress": 0,
                    "security_groups": security_groups,
                    "requested_networks": body.get("networks"),
                    "block_device_mapping": bdms,
                    "scheduler_hints": hints,
                    "trusted_certs": body.get("trusted_image_certificates"),
                    "root_device_name": "/dev/vda",
                    "kernel_id": "",
                    "ramdisk_id": "",
                    "created_at": now,
                    "updated_at": now,
                    "deleted": False,
                }
            )
        with self.db.begin() as conn:
            conn.execute(insert(m.instances), rows)
            if group is not None:
                conn.execute(
                    insert(m.server_group_members),
                    [{"group_uuid": group["uuid"], "instance_uuid": r["id"]} for r in rows],
                )
        self.store.usage_added(rows)
        self.store.start_action(ctx, [r["id"] for r in rows], "create")
        spec = {
            "project_id": ctx.project_id,
            "user_id": ctx.user_id,
            "flavor": flavor,
            "image": _image_meta(image),
            "num_instances": count,
            "availability_zone": az,
            "scheduler_hints": hints,
            "force_hosts": [force_host] if force_host else [],
            "force_nodes": [force_node] if force_node else [],
            "instance_group": None
            if group is None
            else {
                "uuid": group["uuid"],
                "policy": group["policy"],
                "rules": group["rules"] or {},
                "hosts": [],
            },
        }
        if body.get("host") or body.get("hypervisor_hostname"):
            spec["requested_destination"] = {
                "host": body.get("host"),
                "node": body.get("hypervisor_hostname"),
            }
        build = {
            "admin_password": admin_pass,
            "requested_networks": body.get("networks"),
            "security_groups": security_groups,
            "block_device_mapping": bdms,
        }
        self._pending_builds = getattr(self, "_pending_builds", {})
        self._pending_builds[reservation_id] = (spec, build)
        return rows, reservation_id, admin_pass

    async def cast_build(
        self: ComputeService, ctx: RequestContext, instances: list[dict[str, Any]], reservation_id: str
    ) -> None:
        spec, build = self._pending_builds.pop(reservation_id)
        await self.conductor_rpc.schedule_and_build_instances(
            ctx, instance_ids=[i["id"] for i in instances], request_spec=spec, **build
        )

    # read ----------------------------------------------------------------------------------------
    def get_instance(self: ComputeService, ctx: RequestContext, server_id: str) -> dict[str, Any]:
        inst = self.store.get(server_id)
        if inst is None or (not ctx.is_admin and inst["project_id"] != ctx.project_id):
            raise NotFound(f"Instance {server_id} could not be found.")
        return inst

    def list_instances(
        self: ComputeService,
        ctx: RequestContext,
        filters: dict[str, Any],
        *,
        limit: int | None,
        marker: str | None,
        sort_keys: list[str],
        sort_dirs: list[str],
        all_tenants: bool = False,
    ) -> list[dict[str, Any]]:
        i = m.instances
        conds: list[Any] = []
        deleted = filters.pop("deleted", None)
        if deleted is True:
            conds.append(i.c.deleted.is_(True))
        elif not filters.get("changes-since") and not filters.get("changes-before"):
            conds.append(i.c.deleted.is_(False))
        if not (ctx.is_admin and all_tenants):
            conds.append(i.c.project_id == ctx.project_id)
        elif filters.get("project_id"):
            conds.append(i.c.project_id == filters["project_id"])
        name_re = None
        for key, value in filters.items():
            if key == "name":
                name_re = re.compile(value)
            elif key == "status":
                conds.append(_status_condition(value))
            elif key == "flavor":
                conds.append(i.c.flavor["flavorid"].as_string() == str(value))
            elif key == "image":
                conds.append(i.c.image_ref == value.rstrip("/").rsplit("/", 1)[-1])
            elif key in (
                "host",
                "node",
                "reservation_id",
                "key_name",
                "user_id",
                "availability_zone",
                "hostname",
            ):
                column = {"availability_zone": i.c.availability_zone}.get(key, i.c[key])
                conds.append(column == value)
            elif key == "changes-since":
                conds.append(i.c.updated_at >= parse_isotime(value))
            elif key == "changes-before":
                conds.append(i.c.updated_at <= parse_isotime(value))
            elif key == "locked":
                conds.append(i.c.locked.is_(value))
            elif key == "uuid":
                conds.append(i.c.id == value)
            elif key == "description":
                conds.append(i.c.display_description == value)
        query = select(i).where(and_(*conds)) if conds else select(i)
        order = []
        for key, direction in zip(sort_keys, sort_dirs, strict=True):
            column = _SORT_COLUMNS.get(key, i.c.created_at)
            order.append(column.desc() if direction == "desc" else column.asc())
        order.append(i.c.id.desc() if (sort_dirs or ["desc"])[0] == "desc" else i.c.id.asc())
        query = query.order_by(*order)
        python_filters = name_re is not None or any(
            k in filters for k in ("tags", "tags-any", "not-tags", "not-tags-any", "ip", "ip6")
        )
        if marker is not None:
            with self.db.begin() as conn:
                mrow = conn.execute(select(i).where(i.c.id == marker)).mappings().first()
            if mrow is None:
                raise BadRequest(f"marker [{marker}] not found")
            query = query.where(_after_marker(mrow, sort_keys, sort_dirs))
        if limit is not None and not python_filters:
            query = query.limit(limit)
        with self.db.begin() as conn:
            result = conn.execute(query)
            keys = list(result.keys())
            # (rows as tuples zipped with the keys: far cheaper than a RowMapping per row)
            rows = [dict(zip(keys, row, strict=True)) for row in result.all()]
        if python_filters:
            rows = [r for r in rows if self._python_match(r, filters, name_re)]
            if limit is not None:
                rows = rows[:limit]
        return rows

    def _python_match(
        self: ComputeService, row: dict[str, Any], filters: dict[str, Any], name_re: re.Pattern[str] | None
    ) -> bool:
        if name_re is not None and not name_re.search(row["display_name"] or ""):
            return False
        tags = set(row["tags"] or [])
        if "tags" in filters and not set(filters["tags"].split(",")) <= tags:
            return False
        if "tags-any" in filters and not set(filters["tags-any"].split(",")) & tags:
            return False
        if "not-tags" in filters and set(filters["not-tags"].split(",")) <= tags:
            return False
        if "not-tags-any" in filters and set(filters["not-tags-any"].split(",")) & tags:
            return False
        for key in ("ip", "ip6"):
            if key in filters:
                pattern = re.compile(filters[key])
                addresses = self.addresses(row["id"])
                if not any(pattern.search(a["addr"]) for nets in addresses.values() for a in nets):
                    return False
        return True

    def addresses(self: ComputeService, instance_id: str) -> dict[str, list[dict[str, Any]]]:
        try:
            return self.cloud.service("network").instance_addresses(instance_id) or {}
        except ApiError:
            return {}

    def security_group_names(self: ComputeService, inst: dict[str, Any]) -> list[str]:
        try:
            names = self.cloud.service("network").security_group_names_for_instance(inst["id"])
        except ApiError:
            names = None
        return list(names or [])

    def network_info_many(
        self: ComputeService, rows: list[dict[str, Any]]
    ) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, list[str]]]:
        """``addresses`` and ``security_group_names`` for a page of instances, in a few queries."""
        try:
            addresses, groups = self.cloud.service("network").instance_network_info_many(
                [r["id"] for r in rows]
            )
        except ApiError:
            addresses, groups = {}, {}
        names = {r["id"]: list(groups.get(r["id"]) or []) for r in rows}
        return {r["id"]: addresses.get(r["id"]) or {} for r in rows}, names

    # update / delete -------------------------------------------------------------------------------
    def update_instance(
        self: ComputeService, ctx: RequestContext, server_id: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        self.get_instance(ctx, server_id)
        return self.store.save(server_id, **values)

    async def delete_instance(
        self: ComputeService, ctx: RequestContext, server_id: str, force: bool = False
    ) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        if inst["task_state"] == states.DELETING:
            return
        self.store.start_action(ctx, [server_id], "delete")
        manager = self.managers.get(inst["host"] or "")
        if inst["host"] is None or manager is None or not self._host_up(inst["host"]):
            # never reached a host (or the host is down): nova deletes locally
            self._deallocate_local(ctx, server_id)
            self.finish_delete(server_id)
            return
        self.store.save(server_id, task_state=states.DELETING, progress=0)
        await self.compute_rpc.cast(ctx, inst["host"], "terminate_instance", instance_id=server_id)

    def _deallocate_local(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        with contextlib.suppress(ApiError):
            self.cloud.service("network").deallocate_for_instance(ctx, server_id)
        for manager in self.managers.values():
            if server_id in manager.tracked:
                manager.drop(server_id)

    def _host_up(self: ComputeService, host: str) -> bool:
        rows = self.list_services(host, "nova-compute")
        return bool(rows) and self.service_is_up(rows[0])

    def check_lock(self: ComputeService, ctx: RequestContext, inst: dict[str, Any]) -> None:
        if inst["locked"] and not ctx.is_admin:
            raise Conflict(f"Instance {inst['id']} is locked")


def _image_meta(image: dict[str, Any]) -> dict[str, Any]:
    skip = {
        "id",
        "name",
        "status",
        "visibility",
        "checksum",
        "size",
        "virtual_size",
        "owner",
        "protected",
        "created_at",
        "updated_at",
        "tags",
        "file",
        "schema",
        "self",
        "locations",
        "direct_url",
        "os_hash_algo",
        "os_hash_value",
        "os_hidden",
        "stores",
    }
    meta = {
        k: v for k, v in image.items() if k not in skip and (v is None or isinstance(v, (str, int, float)))
    }
    return {k: (str(v) if v is not None else None) for k, v in meta.items()}


_SORT_COLUMNS = {
    "created_at": m.instances.c.created_at,
    "updated_at": m.instances.c.updated_at,
    "display_name": m.instances.c.display_name,
    "vm_state": m.instances.c.vm_state,
    "task_state": m.instances.c.task_state,
    "power_state": m.instances.c.power_state,
    "uuid": m.instances.c.id,
    "host": m.instances.c.host,
    "node": m.instances.c.node,
    "launched_at": m.instances.c.launched_at,
    "terminated_at": m.instances.c.terminated_at,
    "availability_zone": m.instances.c.availability_zone,
    "key_name": m.instances.c.key_name,
    "project_id": m.instances.c.project_id,
    "user_id": m.instances.c.user_id,
    "hostname": m.instances.c.hostname,
    "locked": m.instances.c.locked,
    "image_ref": m.instances.c.image_ref,
    "launch_index": m.instances.c.launch_index,
    "display_description": m.instances.c.display_description,
    "access_ip_v4": m.instances.c.access_ip_v4,
    "access_ip_v6": m.instances.c.access_ip_v6,
    "config_drive": m.instances.c.config_drive,
    "root_device_name": m.instances.c.root_device_name,
    "kernel_id": m.instances.c.kernel_id,
    "ramdisk_id": m.instances.c.ramdisk_id,
    "progress": m.instances.c.progress,
    "reservation_id": m.instances.c.reservation_id,
    "deleted": m.instances.c.deleted,
    "id": m.instances.c.id,
}
SORT_KEYS = frozenset(_SORT_COLUMNS)


def _after_marker(mrow: dict[str, Any], sort_keys: list[str], sort_dirs: list[str]) -> Any:
    """Rows strictly after the marker row in the sort order (the id breaks ties)."""
    i = m.instances
    keys = [
        (_SORT_COLUMNS.get(k, i.c.created_at), d, mrow[_SORT_COLUMNS.get(k, i.c.created_at).name])
        for k, d in zip(sort_keys, sort_dirs, strict=True)
    ]
    keys.append((i.c.id, (sort_dirs or ["desc"])[0], mrow["id"]))
    clauses = []
    for n, (column, direction, value) in enumerate(keys):
        equal = [c == v for c, _, v in keys[:n] if v is not None]
        if value is None:
            step = column.is_not(None) if direction == "asc" else None
            if step is None:
                continue
        else:
            step = column > value if direction == "asc" else or_(column < value, column.is_(None))
        clauses.append(and_(*equal, step))
    return or_(*clauses) if clauses else not_(i.c.id == mrow["id"])


def _status_condition(value: str) -> Any:
    i = m.instances
    parts = []
    for status in value.split(","):
        for vm_state, tasks in states.states_from_status(status):
            if tasks is None:
                parts.append(i.c.vm_state == vm_state)
            elif tasks and tasks[0] == "!":
                excluded = [t for t in tasks[1:] if t is not None]
                parts.append(
                    and_(
                        i.c.vm_state == vm_state,
                        or_(i.c.task_state.is_(None), i.c.task_state.not_in(excluded)),
                    )
                )
            else:
                parts.append(and_(i.c.vm_state == vm_state, i.c.task_state.in_([t for t in tasks if t])))
    return or_(*parts) if parts else i.c.id.is_(None)
