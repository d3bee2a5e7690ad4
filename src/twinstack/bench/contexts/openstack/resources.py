"""Resource contexts: ``flavors`` (340), ``images`` (410), ``volume_types`` (410), ``volumes``
(420), ``servers`` (430). Each deletes what it created on cleanup."""

from __future__ import annotations

import secrets
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

from twinstack.bench.contexts.base import Context
from twinstack.bench.contexts.openstack.cleanup import delete_resource
from twinstack.bench.registry import register
from twinstack.bench.types import GlanceImage, NovaFlavor


def _name(ctx: dict[str, Any]) -> str:
    return f"rally_{ctx['task']['name_tag']}_{secrets.token_hex(4)}"


def _first_user_per_tenant(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for user in ctx["users"]:
        seen.setdefault(user["tenant_id"], user)
    return list(seen.values())


class _Created(Context):
    """Remembers (kind, id, owner) and deletes them in reverse on cleanup."""

    PLATFORM: ClassVar[str | None] = "openstack"

    def _remember(self, kind: str, rid: str, owner: dict[str, Any] | None) -> None:
        self.__dict__.setdefault("created", []).append((kind, rid, owner))

    def cleanup(self) -> None:
        for kind, rid, owner in reversed(self.__dict__.get("created", [])):
            conn = self.env.connection(owner) if owner else self.env.admin_connection()
            delete_resource(conn, kind, rid, self.env.poll.timeout)


@register("context", "flavors")
class Flavors(_Created):
    """Create flavors: a list of ``{name, ram, vcpus (1), disk (0), swap (0), ephemeral (0),
    extra_specs}``."""

    ORDER: ClassVar[int] = 340
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["name", "ram"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "ram": {"type": "integer", "minimum": 1},
                "vcpus": {"type": "integer", "minimum": 1},
                "disk": {"type": "integer", "minimum": 0},
                "swap": {"type": "integer", "minimum": 0},
                "ephemeral": {"type": "integer", "minimum": 0},
                "extra_specs": {"type": "object"},
            },
        },
    }

    def setup(self) -> None:
        admin = self.env.admin_connection()
        self.ctx["flavors"] = {}
        for spec in self.config:
            spec = dict(spec)
            extra = spec.pop("extra_specs", None)
            flavor = admin.compute.create_flavor(**{"vcpus": 1, "disk": 0, **spec})
            self._remember("flavor", flavor.id, None)
            if extra:
                admin.compute.create_flavor_extra_specs(flavor, extra)
            self.ctx["flavors"][spec["name"]] = {"id": flavor.id, "name": flavor.name}


@register("context", "images")
class Images(_Created):
    """Upload ``images_per_tenant`` (1) images per tenant from ``image_url`` (a local path or
    URL), with ``disk_format``, ``container_format``, ``image_name``, ``visibility`` (private),
    ``min_ram``, ``min_disk``, ``image_args``. Ids go to ``tenant["images"]``."""

    ORDER: ClassVar[int] = 410
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["image_url"],
        "additionalProperties": False,
        "properties": {
            "image_url": {"type": "string"},
            "disk_format": {"type": "string"},
            "container_format": {"type": "string"},
            "image_name": {"type": "string"},
            "min_ram": {"type": "integer", "minimum": 0},
            "min_disk": {"type": "integer", "minimum": 0},
            "visibility": {"enum": ["public", "private", "shared", "community"]},
            "images_per_tenant": {"type": "integer", "minimum": 1},
            "image_args": {"type": "object"},
            "image_type": {"type": "string"},
            "image_container": {"type": "string"},
        },
    }

    def _data(self) -> bytes:
        url = self.config["image_url"]
        if "://" not in url:
            return Path(url).expanduser().read_bytes()
        with urllib.request.urlopen(url, timeout=600) as resp:  # noqa: S310 - the user's URL
            return resp.read()

    def setup(self) -> None:
        data = self._data()
        cfg = self.config
        for user in _first_user_per_tenant(self.ctx):
            image_api = self.env.connection(user).image
            ids = []
            for n in range(cfg.get("images_per_tenant", 1)):
                name = cfg.get("image_name", _name(self.ctx))
                if cfg.get("images_per_tenant", 1) > 1 and "image_name" in cfg:
                    name = f"{name}_{n}"
                image = image_api.create_image(
                    name,
                    data=data,
                    disk_format=cfg.get("disk_format", cfg.get("image_type", "qcow2")),
                    container_format=cfg.get("container_format", cfg.get("image_container", "bare")),
                    visibility=cfg.get("visibility", "private"),
                    min_ram=cfg.get("min_ram", 0),
                    min_disk=cfg.get("min_disk", 0),
                    wait=True,
                    timeout=self.env.poll.timeout,
                    **cfg.get("image_args", {}),
                )
                self._remember("image", image.id, user)
                ids.append(image.id)
            self.ctx["tenants"][user["tenant_id"]]["images"] = ids


@register("context", "volume_types")
class VolumeTypes(_Created):
    """Create these volume types (a list of names); ``ctx["volume_types"]`` lists them."""

    ORDER: ClassVar[int] = 410
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "array", "items": {"type": "string"}}

    def setup(self) -> None:
        admin = self.env.admin_connection()
        self.ctx["volume_types"] = []
        for name in self.config:
            vtype = admin.block_storage.create_type(name=name)
            self._remember("volume_type", vtype.id, None)
            self.ctx["volume_types"].append({"id": vtype.id, "name": name})


@register("context", "volumes")
class Volumes(_Created):
    """Create ``volumes_per_tenant`` (1) volumes of ``size`` GB (and ``type``) per tenant;
    ids go to ``tenant["volumes"]``."""

    ORDER: ClassVar[int] = 420
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["size"],
        "additionalProperties": False,
        "properties": {
            "size": {"type": "integer", "minimum": 1},
            "type": {"type": ["string", "null"]},
            "volumes_per_tenant": {"type": "integer", "minimum": 1},
        },
    }

    def setup(self) -> None:
        poll = self.env.poll
        for user in _first_user_per_tenant(self.ctx):
            bs = self.env.connection(user).block_storage
            vols = []
            for _ in range(self.config.get("volumes_per_tenant", 1)):
                kwargs = {"volume_type": self.config["type"]} if self.config.get("type") else {}
                vol = bs.create_volume(size=self.config["size"], name=_name(self.ctx), **kwargs)
                self._remember("volume", vol.id, user)
                bs.wait_for_status(
                    vol, status="available", failures=["error"], interval=poll.interval, wait=poll.timeout
                )
                vols.append({"id": vol.id, "size": self.config["size"]})
            self.ctx["tenants"][user["tenant_id"]]["volumes"] = vols


@register("context", "servers")
class Servers(_Created):
    """Boot ``servers_per_tenant`` (5) servers per tenant from ``image`` and ``flavor``
    (``{name|regex|id}``), on the tenant's network when ``auto_assign_nic`` or on ``nics``."""

    ORDER: ClassVar[int] = 430
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["image", "flavor"],
        "additionalProperties": False,
        "properties": {
            "image": {"type": "object"},
            "flavor": {"type": "object"},
            "servers_per_tenant": {"type": "integer", "minimum": 1},
            "auto_assign_nic": {"type": "boolean"},
            "nics": {"type": "array"},
        },
    }

    def setup(self) -> None:
        poll = self.env.poll
        for user in _first_user_per_tenant(self.ctx):
            conn = self.env.connection(user)
            image = GlanceImage().resolve(conn, self.config["image"])
            flavor = NovaFlavor().resolve(conn, self.config["flavor"])
            tenant = self.ctx["tenants"][user["tenant_id"]]
            if self.config.get("nics"):
                networks: Any = [{"uuid": n.get("net-id", n.get("uuid"))} for n in self.config["nics"]]
            elif self.config.get("auto_assign_nic") and tenant.get("networks"):
                networks = [{"uuid": tenant["networks"][0]["id"]}]
            else:
                networks = "auto"
            ids = []
            for _ in range(self.config.get("servers_per_tenant", 5)):
                server = conn.compute.create_server(
                    name=_name(self.ctx), image_id=image, flavor_id=flavor, networks=networks
                )
                self._remember("server", server.id, user)
                conn.compute.wait_for_server(server, interval=poll.interval, wait=poll.timeout)
                ids.append(server.id)
            tenant["servers"] = ids
