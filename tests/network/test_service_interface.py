"""The interface nova uses (NetworkService), called in process as the compute service does."""

from __future__ import annotations

from typing import Any

import pytest

from twinstack.core.context import RequestContext
from twinstack.core.errors import ApiError
from twinstack.testing import CloudHandle


@pytest.fixture(scope="module")
def network(twinstack_cloud: CloudHandle) -> Any:
    return twinstack_cloud.cloud.service("network")


@pytest.fixture(scope="module")
def demo_ctx(twinstack_cloud: CloudHandle) -> RequestContext:
    project = twinstack_cloud.cloud.service("identity").find_project_by_name("demo", "default")["id"]
    return RequestContext(
        request_id="req-test", user_id="nova", project_id=project, roles=["member", "reader"]
    )


def test_boot_flow_allocate_bind_addresses_deallocate(
    twinstack_cloud: CloudHandle, network: Any, demo_ctx: RequestContext
) -> None:
    admin = RequestContext.admin_context()
    plugged: list[dict[str, Any]] = []
    twinstack_cloud.cloud.bus.listen("network.vif_plugged", lambda event, payload: plugged.append(payload))
    private = network.list_networks(admin, name="private")[0]
    ports = network.allocate_for_instance(
        admin,
        instance_id="vm-1",
        project_id=demo_ctx.project_id,
        requested=[{"uuid": private["id"]}],
        security_groups=["default"],
    )
    (port,) = ports
    assert (
        port["device_id"] == "vm-1" and port["status"] == "DOWN" and port["project_id"] == demo_ctx.project_id
    )
    bound = network.bind_ports_for_instance(admin, "vm-1", "compute1", az="nova")
    assert bound[0]["status"] == "ACTIVE" and bound[0]["binding:host_id"] == "compute1"
    assert bound[0]["device_owner"] == "compute:nova" and bound[0]["binding:vif_type"] == "ovs"
    assert plugged[-1] == {"port_id": port["id"], "device_id": "vm-1"}
    addresses = network.instance_addresses("vm-1")
    (entry,) = addresses["private"]
    assert entry == {
        "addr": port["fixed_ips"][0]["ip_address"],
        "version": 4,
        "OS-EXT-IPS:type": "fixed",
        "OS-EXT-IPS-MAC:mac_addr": port["mac_address"],
    }
    assert network.security_group_names_for_instance("vm-1") == ["default"]
    many, groups = network.instance_network_info_many(["vm-1", "vm-unknown"])
    assert many == {"vm-1": addresses} and groups == {"vm-1": ["default"]}
    network.unbind_ports_for_instance(admin, "vm-1")
    assert network.get_port(admin, port["id"])["status"] == "DOWN"
    network.deallocate_for_instance(admin, "vm-1")
    assert network.list_ports(admin, device_id="vm-1") == []


def test_default_network_none_and_user_ports(network: Any, demo_ctx: RequestContext) -> None:
    admin = RequestContext.admin_context()
    assert (
        network.allocate_for_instance(
            admin, instance_id="vm-2", project_id=demo_ctx.project_id, requested="none"
        )
        == []
    )
    # With no networks requested, a project with none of its own gets the shared one (private).
    ports = network.allocate_for_instance(
        admin, instance_id="vm-2", project_id="project-without-networks", requested=None
    )
    assert len(ports) == 1 and network.get_network(admin, ports[0]["network_id"])["name"] == "private"
    network.deallocate_for_instance(admin, "vm-2")
    # A port the user made survives the instance, unbound.
    private = network.list_networks(admin, name="private")[0]
    mine = network.create_port(demo_ctx, {"port": {"network_id": private["id"], "name": "keep"}})
    network.allocate_for_instance(
        admin, instance_id="vm-3", project_id=demo_ctx.project_id, requested=[{"port": mine["id"]}]
    )
    network.bind_ports_for_instance(admin, "vm-3", "compute1")
    network.deallocate_for_instance(admin, "vm-3")
    kept = network.get_port(admin, mine["id"])
    assert kept["device_id"] == "" and kept["status"] == "DOWN" and kept["binding:host_id"] == ""
    network.delete_port(demo_ctx, mine["id"])


def test_allocation_errors_are_neutrons(network: Any, demo_ctx: RequestContext) -> None:
    admin = RequestContext.admin_context()
    with pytest.raises(ApiError) as info:
        network.allocate_for_instance(
            admin,
            instance_id="vm-4",
            project_id=demo_ctx.project_id,
            requested=[{"uuid": "9d1c6a3e-0000-4000-8000-000000000000"}],
        )
    assert info.value.status == 404 and info.value.kind == "NetworkNotFound"
    with pytest.raises(ApiError) as info:
        network.allocate_for_instance(
            admin,
            instance_id="vm-4",
            project_id=demo_ctx.project_id,
            requested=None,
            security_groups=["no-such-group"],
        )
    assert info.value.status == 404
    assert network.list_ports(admin, device_id="vm-4") == []
