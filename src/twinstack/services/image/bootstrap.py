"""The image a fresh devstack has: public ``cirros-0.6.2-x86_64-disk`` (qcow2/bare).

Its bytes are generated (a qcow2 magic and header followed by deterministic filler, a few KB),
so its size and checksums are the same in every twinstack. Runs at every start: creates the
image when missing and rewrites its data when the store lost it (e.g. an ephemeral store).
"""

from __future__ import annotations

import hashlib
import struct
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from twinstack.services.image import models as m

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.image.service import ImageService

CIRROS_NAME = "cirros-0.6.2-x86_64-disk"
CIRROS_SIZE = 16 * 1024
CIRROS_VIRTUAL_SIZE = 117440512  # what the real cirros 0.6.2 disk reports (112 MiB)


def cirros_bytes() -> bytes:
    # qcow2 header: magic, version 3, no backing file, cluster_bits 16, virtual size.
    header = b"QFI\xfb" + struct.pack(">IQIIQ", 3, 0, 0, 16, CIRROS_VIRTUAL_SIZE)
    filler = bytearray()
    block = hashlib.sha512(b"twinstack cirros").digest()
    while len(header) + len(filler) < CIRROS_SIZE:
        filler += block
        block = hashlib.sha512(block).digest()
    return (header + bytes(filler))[:CIRROS_SIZE]


def bootstrap(cloud: Cloud, service: ImageService) -> None:
    owner = _admin_project(cloud)
    now = service._now()
    with cloud.db.begin() as conn:
        row = conn.execute(
            select(m.images.c.id, m.images.c.location).where(
                m.images.c.name == CIRROS_NAME, m.images.c.visibility == "public"
            )
        ).first()
        image_id = row[0] if row else cloud.ids.uuid()
        if row is not None and service.store.exists(image_id):
            return
    data = cirros_bytes()
    stored = service.store.put(image_id, data)
    values = {
        "status": "active",
        "size": stored.size,
        "virtual_size": CIRROS_VIRTUAL_SIZE,
        "checksum": stored.checksum,
        "os_hash_algo": stored.os_hash_algo,
        "os_hash_value": stored.os_hash_value,
        "location": "file",
        "updated_at": now,
    }
    with cloud.db.begin() as conn:
        if row is not None:
            conn.execute(update(m.images).where(m.images.c.id == image_id).values(**values))
            return
        conn.execute(
            insert(m.images).values(
                id=image_id,
                name=CIRROS_NAME,
                visibility="public",
                disk_format="qcow2",
                container_format="bare",
                min_disk=0,
                min_ram=0,
                protected=False,
                os_hidden=False,
                owner=owner,
                created_at=now,
                properties={
                    "owner_specified.openstack.md5": "",
                    "owner_specified.openstack.sha256": "",
                    "owner_specified.openstack.object": f"images/{CIRROS_NAME}",
                },
                tags=[],
                **values,
            )
        )


def _admin_project(cloud: Cloud) -> str | None:
    identity = cloud.services.get("identity")
    if identity is None:
        return None
    try:
        return str(identity.find_project_by_name("admin", "default")["id"])
    except Exception:  # pragma: no cover - identity always seeds it
        return None
