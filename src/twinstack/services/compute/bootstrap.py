"""What a fresh devstack nova has: devstack's flavors, quota defaults, and the fake fleet
(nova-scheduler and nova-conductor on the controller, nova-compute on each host, one compute
node each, registered in placement with VCPU / MEMORY_MB / DISK_GB inventory). Idempotent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from twinstack.services.compute import models as m
from twinstack.services.compute.drivers.fake import CPU_INFO
from twinstack.services.placement.state import Inventory

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.compute.service import ComputeService

# devstack's flavors (lib/nova create_flavors): id, name, ram, disk, vcpus
FLAVORS = (
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2),
    ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8),
    ("42", "m1.nano", 192, 1, 1),
    ("84", "m1.micro", 256, 1, 1),
    ("c1", "cirros256", 256, 1, 1),
    ("d1", "ds512M", 512, 5, 1),
    ("d2", "ds1G", 1024, 10, 1),
    ("d3", "ds2G", 2048, 10, 2),
    ("d4", "ds4G", 4096, 20, 4),
)

COMPUTE_TRAITS = {
    "COMPUTE_NODE",
    "COMPUTE_NET_ATTACH_INTERFACE",
    "COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG",
    "COMPUTE_VOLUME_ATTACH",
    "COMPUTE_VOLUME_ATTACH_WITH_TAG",
    "COMPUTE_VOLUME_EXTEND",
    "COMPUTE_VOLUME_MULTI_ATTACH",
    "COMPUTE_DEVICE_TAGGING",
    "COMPUTE_TRUSTED_CERTS",
    "COMPUTE_IMAGE_TYPE_RAW",
    "COMPUTE_IMAGE_TYPE_QCOW2",
    "COMPUTE_IMAGE_TYPE_ISO",
    "HW_ARCH_X86_64",
}


def bootstrap(cloud: Cloud, compute: ComputeService) -> None:
    now = cloud.clock.now()
    with cloud.db.begin() as conn:
        have = {r[0] for r in conn.execute(select(m.flavors.c.flavorid))}
        names = {r[0] for r in conn.execute(select(m.flavors.c.name))}
        rows = [
            {
                "flavorid": fid,
                "name": name,
                "memory_mb": ram,
                "root_gb": disk,
                "vcpus": vcpus,
                "ephemeral_gb": 0,
                "swap": 0,
                "rxtx_factor": 1.0,
                "is_public": True,
                "disabled": False,
                "description": None,
                "extra_specs": {"hw_rng:allowed": "True"} if fid in ("42", "84") else {},
                "created_at": now,
            }
            for fid, name, ram, disk, vcpus in FLAVORS
            if fid not in have and name not in names
        ]
        if rows:
            conn.execute(insert(m.flavors), rows)
        _ensure_services(cloud, conn, compute)
    _ensure_fleet(cloud, compute)


def _ensure_services(cloud: Cloud, conn: object, compute: ComputeService) -> None:
    from sqlalchemy import Connection

    assert isinstance(conn, Connection)
    now = cloud.clock.now()
    have = {(r[0], r[1]) for r in conn.execute(select(m.services.c.host, m.services.c.binary))}
    wanted = [(CONTROLLER, "nova-scheduler", "scheduler"), (CONTROLLER, "nova-conductor", "conductor")]
    wanted += [(h, "nova-compute", "compute") for h in compute.host_names()]
    rows = [
        {
            "uuid": cloud.ids.uuid(),
            "host": h,
            "binary": b,
            "topic": t,
            "disabled": False,
            "forced_down": False,
            "last_seen_up": now,
            "created_at": now,
        }
        for h, b, t in wanted
        if (h, b) not in have
    ]
    if rows:
        conn.execute(insert(m.services), rows)
    conn.execute(update(m.services).values(last_seen_up=now))


CONTROLLER = "twinstack"


def _ensure_fleet(cloud: Cloud, compute: ComputeService) -> None:
    c = compute.config
    now = cloud.clock.now()
    with cloud.db.begin() as conn:
        nodes = {r[0]: r[1] for r in conn.execute(select(m.compute_nodes.c.host, m.compute_nodes.c.uuid))}
        rows = []
        for host in compute.host_names():
            if host in nodes:
                continue
            uuid = cloud.ids.uuid()
            nodes[host] = uuid
            rows.append(
                {
                    "uuid": uuid,
                    "host": host,
                    "hypervisor_hostname": host,
                    "vcpus": c.vcpus,
                    "memory_mb": c.memory_mb,
                    "local_gb": c.local_gb,
                    "vcpus_used": 0,
                    "memory_mb_used": c.reserved_host_memory_mb,
                    "local_gb_used": 0,
                    "running_vms": 0,
                    "hypervisor_type": "fake",
                    "hypervisor_version": 1000,
                    "host_ip": "192.168.0.1",
                    "cpu_info": CPU_INFO,
                    "cpu_allocation_ratio": c.cpu_allocation_ratio,
                    "ram_allocation_ratio": c.ram_allocation_ratio,
                    "disk_allocation_ratio": c.disk_allocation_ratio,
                    "created_at": now,
                }
            )
        if rows:
            conn.execute(insert(m.compute_nodes), rows)
        conn.execute(
            update(m.compute_nodes).values(
                vcpus=c.vcpus,
                memory_mb=c.memory_mb,
                local_gb=c.local_gb,
                cpu_allocation_ratio=c.cpu_allocation_ratio,
                ram_allocation_ratio=c.ram_allocation_ratio,
                disk_allocation_ratio=c.disk_allocation_ratio,
            )
        )
        disabled = {
            r[0]
            for r in conn.execute(
                select(m.services.c.host).where(
                    m.services.c.binary == "nova-compute", m.services.c.disabled.is_(True)
                )
            )
        }
    placement = cloud.service("placement")
    specs = []
    for host, uuid in nodes.items():
        traits = set(COMPUTE_TRAITS)
        if host in disabled:
            traits.add("COMPUTE_STATUS_DISABLED")
        specs.append(
            {
                "uuid": uuid,
                "name": host,
                "traits": traits,
                "inventories": {
                    "VCPU": Inventory(c.vcpus, 0, 1, c.vcpus, 1, c.cpu_allocation_ratio),
                    "MEMORY_MB": Inventory(
                        c.memory_mb, c.reserved_host_memory_mb, 1, c.memory_mb, 1, c.ram_allocation_ratio
                    ),
                    "DISK_GB": Inventory(c.local_gb, 0, 1, c.local_gb, 1, c.disk_allocation_ratio),
                },
            }
        )
    placement.ensure_providers(specs)
