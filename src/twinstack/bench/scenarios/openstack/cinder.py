"""CinderVolumes.* (rally-openstack's names, arguments and ``cinder_v3.*`` atomic actions)."""

from __future__ import annotations

from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import SIZE_SCHEMA, pick_size
from twinstack.bench.scenarios.openstack.common import CinderScenario, NovaScenario


@register("scenario", "CinderVolumes.create_and_delete_volume")
class CreateAndDeleteVolume(CinderScenario):
    """Create a volume (``size`` GB or ``{min, max}``, optionally from ``image``), sleep between
    min_sleep and max_sleep, delete it. Other arguments go to the create call."""

    def run(
        self,
        size: int | dict[str, int],
        image: str | None = None,
        min_sleep: float = 0,
        max_sleep: float = 0,
        **kwargs: Any,
    ) -> None:
        volume = self._create_volume(size, image=image, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self._delete_volume(volume)


@register("scenario", "CinderVolumes.create_volume")
class CreateVolume(CinderScenario):
    """Create a volume (left to cleanup)."""

    def run(self, size: int | dict[str, int], image: str | None = None, **kwargs: Any) -> None:
        self._create_volume(size, image=image, **kwargs)


@register("scenario", "CinderVolumes.create_and_list_volume")
class CreateAndListVolume(CinderScenario):
    """Create a volume and list volumes (``detailed``)."""

    def run(
        self, size: int | dict[str, int], detailed: bool = True, image: str | None = None, **kwargs: Any
    ) -> None:
        self._create_volume(size, image=image, **kwargs)
        with self.atomic("cinder_v3.list_volumes"):
            list(self.clients().block_storage.volumes(details=detailed))


@register("scenario", "CinderVolumes.create_and_extend_volume")
class CreateAndExtendVolume(CinderScenario):
    """Create a volume, extend it to ``new_size``, sleep, delete it."""

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"size": SIZE_SCHEMA, "new_size": SIZE_SCHEMA}

    def run(
        self,
        size: int | dict[str, int],
        new_size: int | dict[str, int],
        min_sleep: float = 0,
        max_sleep: float = 0,
        **kwargs: Any,
    ) -> None:
        volume = self._create_volume(size, **kwargs)
        bs = self.clients().block_storage
        with self.atomic("cinder_v3.extend_volume"):
            bs.extend_volume(volume, pick_size(new_size))
            self._wait_volume(volume)
        self.sleep_between(min_sleep, max_sleep)
        self._delete_volume(volume)


@register("scenario", "CinderVolumes.create_from_volume_and_delete_volume")
class CreateFromVolumeAndDeleteVolume(CinderScenario):
    """Clone one of the tenant's volumes (``volumes`` context), then delete the clone."""

    REQUIRED_CONTEXTS: ClassVar[tuple[str, ...]] = ("volumes",)

    def run(
        self,
        size: int | dict[str, int],
        image: str | None = None,
        min_sleep: float = 0,
        max_sleep: float = 0,
        **kwargs: Any,
    ) -> None:
        source = self.context["tenant"]["volumes"][0]["id"]
        volume = self._create_volume(size, image=image, source_volume_id=source, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self._delete_volume(volume)


@register("scenario", "CinderVolumes.create_and_delete_snapshot")
class CreateAndDeleteSnapshot(CinderScenario):
    """Snapshot one of the tenant's volumes (``volumes`` context), sleep, delete the snapshot."""

    REQUIRED_CONTEXTS: ClassVar[tuple[str, ...]] = ("volumes",)

    def run(self, force: bool = False, min_sleep: float = 0, max_sleep: float = 0, **kwargs: Any) -> None:
        snap = self._create_snapshot(self.context["tenant"]["volumes"][0]["id"], force=force, **kwargs)
        self.sleep_between(min_sleep, max_sleep)
        self._delete_snapshot(snap)


@register("scenario", "CinderVolumes.create_and_list_snapshots")
class CreateAndListSnapshots(CinderScenario):
    """Snapshot one of the tenant's volumes and list snapshots (``detailed``)."""

    REQUIRED_CONTEXTS: ClassVar[tuple[str, ...]] = ("volumes",)

    def run(self, force: bool = False, detailed: bool = True, **kwargs: Any) -> None:
        self._create_snapshot(self.context["tenant"]["volumes"][0]["id"], force=force, **kwargs)
        with self.atomic("cinder_v3.list_snapshots"):
            list(self.clients().block_storage.snapshots(details=detailed))


@register("scenario", "CinderVolumes.create_and_attach_volume")
class CreateAndAttachVolume(CinderScenario, NovaScenario):
    """Boot a server, create a volume, attach it, detach it, delete both."""

    ARG_TYPES: ClassVar[dict[str, str]] = {"image": "glance_image", "flavor": "nova_flavor"}

    def run(
        self,
        size: int | dict[str, int],
        image: str,
        flavor: str,
        create_volume_params: dict[str, Any] | None = None,
        create_vm_params: dict[str, Any] | None = None,
        force_delete: bool = False,
        **kwargs: Any,
    ) -> None:
        server = self._boot_server(image, flavor, **(create_vm_params or kwargs))
        volume = self._create_volume(size, **(create_volume_params or {}))
        compute = self.clients().compute
        with self.atomic("nova.attach_volume"):
            compute.create_volume_attachment(server, volume=volume)
            self._wait_volume(volume, "in-use")
        with self.atomic("nova.detach_volume"):
            compute.delete_volume_attachment(server, volume)
            self._wait_volume(volume, "available")
        self._delete_volume(volume)
        self._delete_server(server, force=force_delete)


@register("scenario", "CinderVolumes.create_and_upload_volume_to_image")
class CreateAndUploadVolumeToImage(CinderScenario):
    """Create a volume, upload it to a glance image, delete the volume and (do_delete) image."""

    def run(
        self,
        size: int | dict[str, int],
        image: str | None = None,
        force: bool = False,
        container_format: str = "bare",
        disk_format: str = "raw",
        do_delete: bool = True,
        **kwargs: Any,
    ) -> None:
        volume = self._create_volume(size, image=image, **kwargs)
        bs = self.clients().block_storage
        images = self.clients().image
        with self.atomic("cinder_v3.upload_volume_to_image"):
            out = bs.upload_volume_to_image(
                volume,
                self.generate_random_name(),
                force=force,
                disk_format=disk_format,
                container_format=container_format,
            )
            image_id = out.get("image_id") or out.get("os-volume_upload_image", {}).get("image_id")
            self.track("image", image_id)
            self._wait_volume(volume)
            self.wait_for(images, f"/images/{image_id}", "active", ["killed", "deleted"], "image")
        if do_delete:
            self._delete_volume(volume)
            with self.atomic("glance_v2.delete_image"):
                images.delete_image(image_id)
            self.untrack("image", image_id)
