"""Server actions: state checks as nova's ``check_instance_state``, task state, then the cast.

Each action checks the instance is in an allowed vm_state/task_state (409 "Cannot 'X'
instance ... while it is in vm_state Y" otherwise), records an instance action, sets the
first task state and casts to the host's compute manager (or the conductor for moves).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound
from twinstack.services.compute import states as s
from twinstack.services.compute.flavors import flavor_snapshot
from twinstack.services.compute.instances import UnexpectedTaskState
from twinstack.services.compute.servers import password, quota_error

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.service import ComputeService

ANY = None
ALLOW_HARD_REBOOT_TASKS = (
    None,
    s.REBOOTING,
    s.REBOOT_PENDING,
    s.REBOOT_STARTED,
    s.REBOOTING_HARD,
    s.RESUMING,
    s.UNPAUSING,
    s.PAUSING,
    s.SUSPENDING,
)


def invalid_state(action: str, inst: dict[str, Any], attr: str) -> Conflict:
    return Conflict(f"Cannot '{action}' instance {inst['id']} while it is in {attr} {inst[attr]}")


class ActionsMixin:
    def check_state(
        self: ComputeService,
        inst: dict[str, Any],
        action: str,
        vm_states: tuple[str, ...] | None,
        task_states: tuple[str | None, ...] | None = (None,),
    ) -> None:
        if vm_states is not None and inst["vm_state"] not in vm_states:
            raise invalid_state(action, inst, "vm_state")
        if task_states is not None and inst["task_state"] not in task_states:
            raise invalid_state(action, inst, "task_state")

    async def _act(
        self: ComputeService,
        ctx: RequestContext,
        server_id: str,
        action: str,
        record: str,
        vm_states: tuple[str, ...] | None,
        task_state: str | None,
        method: str,
        task_states: tuple[str | None, ...] | None = (None,),
        lock: bool = True,
        **kwargs: Any,
    ) -> dict[str, Any]:
        inst = self.get_instance(ctx, server_id)
        if lock:
            self.check_lock(ctx, inst)
        self.check_state(inst, action, vm_states, task_states)
        if inst["host"] is None or inst["host"] not in self.managers:
            raise Conflict(f"Instance {server_id} is not ready")  # no host (e.g. offloaded)
        try:
            inst = self.store.save(server_id, expected_task_state=inst["task_state"], task_state=task_state)
        except UnexpectedTaskState:
            raise invalid_state(action, self.get_instance(ctx, server_id), "task_state") from None
        self.store.start_action(ctx, [server_id], record)
        await self.compute_rpc.cast(ctx, inst["host"], method, instance_id=server_id, **kwargs)
        return inst

    # power -------------------------------------------------------------------------------------
    async def reboot(self: ComputeService, ctx: RequestContext, server_id: str, reboot_type: str) -> None:
        if reboot_type == "HARD":
            await self._act(
                ctx,
                server_id,
                "reboot",
                "reboot",
                (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED, s.ERROR),
                s.REBOOTING_HARD,
                "reboot_instance",
                task_states=ALLOW_HARD_REBOOT_TASKS,
                reboot_type="HARD",
            )
        else:
            await self._act(
                ctx,
                server_id,
                "reboot",
                "reboot",
                (s.ACTIVE,),
                s.REBOOTING,
                "reboot_instance",
                reboot_type="SOFT",
            )

    async def stop(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(ctx, server_id, "stop", "stop", (s.ACTIVE, s.ERROR), s.POWERING_OFF, "stop_instance")

    async def start(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(ctx, server_id, "start", "start", (s.STOPPED,), s.POWERING_ON, "start_instance")

    async def pause(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(ctx, server_id, "pause", "pause", (s.ACTIVE,), s.PAUSING, "pause_instance")

    async def unpause(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(ctx, server_id, "unpause", "unpause", (s.PAUSED,), s.UNPAUSING, "unpause_instance")

    async def suspend(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(ctx, server_id, "suspend", "suspend", (s.ACTIVE,), s.SUSPENDING, "suspend_instance")

    async def resume(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(ctx, server_id, "resume", "resume", (s.SUSPENDED,), s.RESUMING, "resume_instance")

    async def rescue(
        self: ComputeService,
        ctx: RequestContext,
        server_id: str,
        admin_pass: str | None,
        rescue_image: str | None,
    ) -> str:
        if rescue_image:
            self._image_for_boot(ctx, rescue_image)
        await self._act(
            ctx,
            server_id,
            "rescue",
            "rescue",
            (s.ACTIVE, s.STOPPED, s.ERROR),
            s.RESCUING,
            "rescue_instance",
            rescue_image=rescue_image,
        )
        return admin_pass or password()

    async def unrescue(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(
            ctx, server_id, "unrescue", "unrescue", (s.RESCUED,), s.UNRESCUING, "unrescue_instance"
        )

    async def change_password(self: ComputeService, ctx: RequestContext, server_id: str, new: str) -> None:
        await self._act(
            ctx,
            server_id,
            "changePassword",
            "changePassword",
            (s.ACTIVE,),
            s.UPDATING_PASSWORD,
            "set_admin_password",
            password=new,
        )

    # lock, state --------------------------------------------------------------------------------
    def lock(self: ComputeService, ctx: RequestContext, server_id: str, reason: str | None) -> None:
        inst = self.get_instance(ctx, server_id)
        self.store.start_action(ctx, [server_id], "lock")
        self.store.save(
            inst["id"],
            locked=True,
            locked_by="admin" if ctx.is_admin else "owner",
            locked_reason=reason,
            updated_at=inst["updated_at"],
        )

    def unlock(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        inst = self.get_instance(ctx, server_id)
        if inst["locked"] and inst["locked_by"] == "admin" and not ctx.is_admin:
            raise Forbidden(
                "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed."
            )
        self.store.start_action(ctx, [server_id], "unlock")
        self.store.save(
            inst["id"], locked=False, locked_by=None, locked_reason=None, updated_at=inst["updated_at"]
        )

    def reset_state(self: ComputeService, ctx: RequestContext, server_id: str, state: str) -> None:
        inst = self.get_instance(ctx, server_id)
        self.store.save(inst["id"], vm_state=s.ACTIVE if state == "active" else s.ERROR, task_state=None)

    # images --------------------------------------------------------------------------------------
    def _snapshot_image(
        self: ComputeService,
        ctx: RequestContext,
        inst: dict[str, Any],
        name: str,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        image = self.cloud.service("image")
        props = {
            "image_type": "snapshot",
            "instance_uuid": inst["id"],
            "base_image_ref": inst["image_ref"] or "",
            "user_id": ctx.user_id or "",
            "owner_project_name": ctx.project_name or "",
            "owner_user_name": ctx.user_name or "",
        }
        for key, value in (inst.get("image_meta") or {}).items():
            if key not in ("disk_format", "container_format", "min_disk", "min_ram") and value is not None:
                props.setdefault(key, value)
        props.update({k: str(v) for k, v in (metadata or {}).items()})
        meta = inst.get("image_meta") or {}
        created = image.create_image(
            ctx,
            name=name,
            disk_format=meta.get("disk_format") or "raw",
            container_format=meta.get("container_format") or "bare",
            visibility="private",
            properties=props,
            min_disk=inst["flavor"]["root_gb"],
            min_ram=int(meta.get("min_ram") or 0),
        )
        return str(created["id"])

    async def create_image(
        self: ComputeService, ctx: RequestContext, server_id: str, name: str, metadata: dict[str, Any] | None
    ) -> str:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "createImage", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED))
        image_id = self._snapshot_image(ctx, inst, name, metadata)
        await self._act(
            ctx,
            server_id,
            "createImage",
            "createImage",
            None,
            s.IMAGE_SNAPSHOT_PENDING,
            "snapshot_instance",
            image_id=image_id,
        )
        return image_id

    async def rebuild(
        self: ComputeService, ctx: RequestContext, server_id: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "rebuild", (s.ACTIVE, s.STOPPED, s.ERROR))
        image_ref = str(body["imageRef"]).rstrip("/").rsplit("/", 1)[-1]
        image = self._image_for_boot(ctx, image_ref)
        from twinstack.services.compute.servers import _image_meta

        values: dict[str, Any] = {"image_ref": image_ref, "image_meta": _image_meta(image)}
        if "name" in body:
            values["display_name"] = body["name"]
        if "metadata" in body:
            values["metadata"] = body["metadata"] or {}
        if "description" in body:
            values["display_description"] = body["description"]
        if "accessIPv4" in body:
            values["access_ip_v4"] = body["accessIPv4"]
        if "accessIPv6" in body:
            values["access_ip_v6"] = body["accessIPv6"]
        if "key_name" in body:
            if body["key_name"] is None:
                values["key_name"] = values["key_data"] = None
            else:
                try:
                    values["key_data"] = self.get_keypair(ctx.user_id or "", body["key_name"])["public_key"]
                except NotFound:
                    raise BadRequest("Invalid key_name provided.") from None
                values["key_name"] = body["key_name"]
        if "user_data" in body:
            values["user_data"] = body["user_data"]
        if "hostname" in body:
            values["hostname"] = body["hostname"]
        self.store.save(server_id, **values)
        admin_pass = body.get("adminPass") or password()
        inst = await self._act(
            ctx,
            server_id,
            "rebuild",
            "rebuild",
            None,
            s.REBUILDING,
            "rebuild_instance",
            image_ref=image_ref,
            admin_password=admin_pass,
            image_meta=_image_meta(image),
        )
        return inst, admin_pass

    def set_disk_config(self: ComputeService, server_id: str, disk_config: str | None) -> None:
        """Nova's ``auto_disk_config`` (``OS-DCF:diskConfig`` AUTO/MANUAL), kept in system metadata."""
        if disk_config is None:
            return
        inst = self.store.get(server_id)
        if inst is not None:
            sysmeta = {**(inst["system_metadata"] or {}), "disk_config": disk_config}
            self.store.save(server_id, system_metadata=sysmeta)

    # moves ----------------------------------------------------------------------------------------
    async def resize(
        self: ComputeService, ctx: RequestContext, server_id: str, flavor_ref: str | None
    ) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "resize" if flavor_ref else "migrate", (s.ACTIVE, s.STOPPED))
        new_flavor = inst["flavor"]
        if flavor_ref is not None:
            try:
                row = self.get_flavor(ctx, str(flavor_ref))
            except NotFound:
                raise BadRequest(f"Flavor {flavor_ref} could not be found.") from None
            if row["flavorid"] == inst["flavor"]["flavorid"]:
                raise BadRequest("When resizing, instances must change flavor!")
            if row["disabled"]:
                raise BadRequest("Flavor is disabled.")
            if row["root_gb"] < inst["flavor"]["root_gb"] and row["root_gb"] != 0:
                raise BadRequest("Resize error: Unable to resize disk down.")
            new_flavor = flavor_snapshot(row)
            self._check_resize_quota(ctx, inst, new_flavor)
        migration_type = "resize" if flavor_ref is not None else "migration"
        migration_id = self.create_migration(inst, migration_type, new_flavor)
        try:
            self.store.save(server_id, expected_task_state=None, task_state=s.RESIZE_PREP, progress=0)
        except UnexpectedTaskState:
            raise invalid_state("resize", self.get_instance(ctx, server_id), "task_state") from None
        self.store.start_action(ctx, [server_id], migration_type if flavor_ref is None else "resize")
        await self.conductor_rpc.migrate_server(
            ctx, instance_id=server_id, migration_id=migration_id, new_flavor=new_flavor, allow_same_host=True
        )

    async def migrate(self: ComputeService, ctx: RequestContext, server_id: str, host: str | None) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "migrate", (s.ACTIVE, s.STOPPED))
        if host:
            self._require_compute_host(host)
            if host == inst["host"]:
                raise BadRequest("The target host can't be the same one.")
        migration_id = self.create_migration(inst, "migration")
        self.store.save(server_id, task_state=s.RESIZE_PREP, progress=0)
        self.store.start_action(ctx, [server_id], "migrate")
        await self.conductor_rpc.migrate_server(
            ctx,
            instance_id=server_id,
            migration_id=migration_id,
            new_flavor=inst["flavor"],
            host=host,
            allow_same_host=False,
        )

    def _require_compute_host(self: ComputeService, host: str) -> None:
        if not self.list_services(host, "nova-compute"):
            raise BadRequest(f"Compute host {host} could not be found.")

    def _check_resize_quota(
        self: ComputeService, ctx: RequestContext, inst: dict[str, Any], new: dict[str, Any]
    ) -> None:
        limits = self.project_limits(inst["project_id"])
        used = self.count_instances(inst["project_id"])
        delta = {
            "cores": new["vcpus"] - inst["flavor"]["vcpus"],
            "ram": new["memory_mb"] - inst["flavor"]["memory_mb"],
        }
        overs = [r for r, d in delta.items() if d > 0 and limits[r] >= 0 and used[r] + d > limits[r]]
        if overs:
            raise quota_error(overs, {r: delta[r] for r in overs}, used, limits)

    async def confirm_resize(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "confirmResize", (s.RESIZED,))
        migration = self.latest_migration(server_id, ("finished",))
        if migration is None:
            raise BadRequest("Instance has not been resized.")
        self.set_migration(migration["uuid"], status="confirming")
        self.store.start_action(ctx, [server_id], "confirmResize")
        await self.compute_rpc.cast(
            ctx,
            migration["source_compute"],
            "confirm_resize",
            instance_id=server_id,
            migration_id=migration["uuid"],
        )

    async def revert_resize(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "revertResize", (s.RESIZED,))
        migration = self.latest_migration(server_id, ("finished",))
        if migration is None:
            raise BadRequest("Instance has not been resized.")
        self.set_migration(migration["uuid"], status="reverting")
        self.store.save(server_id, task_state=s.RESIZE_REVERTING)
        self.store.start_action(ctx, [server_id], "revertResize")
        await self.compute_rpc.cast(
            ctx,
            inst["host"],
            "revert_resize",
            instance_id=server_id,
            migration_id=migration["uuid"],
            source=migration["source_compute"],
            source_node=migration["source_node"],
        )

    async def live_migrate(
        self: ComputeService, ctx: RequestContext, server_id: str, host: str | None
    ) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "os-migrateLive", (s.ACTIVE, s.PAUSED))
        if host:
            self._require_compute_host(host)
            if host == inst["host"]:
                raise BadRequest("The target host can't be the same one.")
        migration_id = self.create_migration(inst, "live-migration", status="accepted", dest=host)
        self.store.save(server_id, task_state=s.MIGRATING)
        self.store.start_action(ctx, [server_id], "live-migration")
        await self.conductor_rpc.live_migrate_instance(
            ctx, instance_id=server_id, migration_id=migration_id, host=host
        )

    async def evacuate(self: ComputeService, ctx: RequestContext, server_id: str, host: str | None) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_state(inst, "evacuate", (s.ACTIVE, s.STOPPED, s.ERROR), None)
        if inst["host"] and self._host_up(inst["host"]):
            raise BadRequest(f"Compute service of {inst['host']} is still in use.")
        if host:
            self._require_compute_host(host)
        migration_id = self.create_migration(inst, "evacuation", status="accepted", dest=host)
        self.store.save(server_id, task_state=s.REBUILDING)
        self.store.start_action(ctx, [server_id], "evacuate")
        await self.conductor_rpc.rebuild_instance(
            ctx, instance_id=server_id, migration_id=migration_id, host=host
        )

    async def shelve(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "shelve", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED))
        image_id = self._snapshot_image(ctx, inst, f"{inst['display_name']}-shelved")
        await self._act(
            ctx,
            server_id,
            "shelve",
            "shelve",
            None,
            s.SHELVING,
            "shelve_instance",
            image_id=image_id,
            offload=self.config.shelved_offload_time == 0,
        )

    async def shelve_offload(self: ComputeService, ctx: RequestContext, server_id: str) -> None:
        await self._act(
            ctx,
            server_id,
            "shelveOffload",
            "shelveOffload",
            (s.SHELVED,),
            s.SHELVING_OFFLOADING,
            "shelve_offload_instance",
        )

    async def unshelve(
        self: ComputeService,
        ctx: RequestContext,
        server_id: str,
        availability_zone: Any = ...,
        host: str | None = None,
    ) -> None:
        inst = self.get_instance(ctx, server_id)
        self.check_lock(ctx, inst)
        self.check_state(inst, "unshelve", (s.SHELVED, s.SHELVED_OFFLOADED))
        if availability_zone not in (..., None) and availability_zone not in self.availability_zones():
            raise BadRequest("The requested availability zone is not available")
        if host:
            self._require_compute_host(host)
        self.store.start_action(ctx, [server_id], "unshelve")
        if inst["vm_state"] == s.SHELVED and inst["host"] in self.managers:
            # still on its host: power on there (nova unshelves a non-offloaded server in place)
            self.store.save(server_id, task_state=s.UNSHELVING)
            await self.compute_rpc.cast(
                ctx, inst["host"], "unshelve_instance", instance_id=server_id, node=inst["node"]
            )
            return
        self.store.save(server_id, task_state=s.UNSHELVING)
        az = availability_zone if availability_zone is not ... else None
        await self.conductor_rpc.unshelve_instance(
            ctx, instance_id=server_id, availability_zone=az, host=host
        )

    # queries -------------------------------------------------------------------------------------
    async def console_output(
        self: ComputeService, ctx: RequestContext, server_id: str, length: int | None
    ) -> str:
        inst = self.get_instance(ctx, server_id)
        if inst["host"] is None or inst["host"] not in self.managers or inst["vm_state"] in (s.BUILDING,):
            raise Conflict(f"Instance {server_id} is not ready")
        try:
            return str(
                await self.compute_rpc.call(
                    ctx, inst["host"], "get_console_output", instance_id=server_id, length=length
                )
            )
        except Exception:
            raise Conflict(f"Instance {server_id} is not ready") from None

    async def diagnostics(self: ComputeService, ctx: RequestContext, server_id: str) -> dict[str, Any]:
        inst = self.get_instance(ctx, server_id)
        if inst["host"] is None or inst["host"] not in self.managers:
            raise Conflict(f"Instance {server_id} is not ready")
        try:
            return dict(
                await self.compute_rpc.call(ctx, inst["host"], "get_diagnostics", instance_id=server_id)
            )
        except Exception:
            raise Conflict(f"Instance {server_id} is not ready") from None
