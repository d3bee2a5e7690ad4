"""GlanceImages.* (rally-openstack's names, arguments and ``glance_v2.*`` atomic actions)."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import OpenStackScenario

_IMAGE_ARGS = {
    "container_format": {"type": "string"},
    "disk_format": {"type": "string"},
    "visibility": {"enum": ["public", "private", "shared", "community"]},
}


class GlanceScenario(OpenStackScenario):
    ARG_SCHEMAS: ClassVar[dict[str, Any]] = _IMAGE_ARGS

    def _create_image(
        self,
        container_format: str,
        image_location: str,
        disk_format: str,
        visibility: str = "private",
        min_disk: int = 0,
        min_ram: int = 0,
        properties: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """glance_v2.create_image: create, upload the data, wait for ``active``."""
        if "://" in image_location:
            with urllib.request.urlopen(image_location, timeout=600) as resp:  # noqa: S310
                data = resp.read()
        else:
            data = Path(image_location).expanduser().read_bytes()
        images = self.clients().image
        with self.atomic("glance_v2.create_image"):
            image = images.create_image(
                self.generate_random_name(),
                data=data,
                container_format=container_format,
                disk_format=disk_format,
                visibility=visibility,
                min_disk=min_disk,
                min_ram=min_ram,
                meta=properties or {},
                allow_duplicates=True,
                **kwargs,
            )
            self.track("image", image.id)
            self.wait_for(images, f"/images/{image.id}", "active", ["killed", "deleted"], "image")
            return image


@register("scenario", "GlanceImages.create_and_delete_image")
class CreateAndDeleteImage(GlanceScenario):
    """Create an image from ``image_location`` (a local file or URL) and delete it."""

    def run(
        self,
        image_location: str,
        container_format: str,
        disk_format: str,
        visibility: str = "private",
        min_disk: int = 0,
        min_ram: int = 0,
        properties: dict[str, Any] | None = None,
    ) -> None:
        image = self._create_image(
            container_format, image_location, disk_format, visibility, min_disk, min_ram, properties
        )
        with self.atomic("glance_v2.delete_image"):
            self.clients().image.delete_image(image)
        self.untrack("image", image.id)


@register("scenario", "GlanceImages.create_and_list_image")
class CreateAndListImage(GlanceScenario):
    """Create an image and list images, checking it is listed."""

    def run(
        self,
        image_location: str,
        container_format: str,
        disk_format: str,
        visibility: str = "private",
        min_disk: int = 0,
        min_ram: int = 0,
        properties: dict[str, Any] | None = None,
    ) -> None:
        image = self._create_image(
            container_format, image_location, disk_format, visibility, min_disk, min_ram, properties
        )
        with self.atomic("glance_v2.list_images"):
            ids = [i.id for i in self.clients().image.images()]
        if image.id not in ids:
            raise AssertionError(f"image {image.id} is not in the list of images")


@register("scenario", "GlanceImages.create_and_get_image")
class CreateAndGetImage(GlanceScenario):
    """Create an image and get it."""

    def run(
        self,
        image_location: str,
        container_format: str,
        disk_format: str,
        visibility: str = "private",
        min_disk: int = 0,
        min_ram: int = 0,
        properties: dict[str, Any] | None = None,
    ) -> None:
        image = self._create_image(
            container_format, image_location, disk_format, visibility, min_disk, min_ram, properties
        )
        with self.atomic("glance_v2.get_image"):
            self.clients().image.get_image(image)


@register("scenario", "GlanceImages.list_images")
class ListImages(GlanceScenario):
    """List images."""

    def run(self) -> None:
        with self.atomic("glance_v2.list_images"):
            list(self.clients().image.images())
