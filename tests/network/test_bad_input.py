"""Bad input gets neutron's fault types and messages, never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def network(demo_api: Any) -> Any:
    net = demo_api.post("/networks", {"network": {"name": "bad-input"}}).json()["network"]
    sub = demo_api.post(
        "/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4, "cidr": "10.90.0.0/24"}}
    )
    yield {"net": net, "sub": sub.json()["subnet"]}
    for port in demo_api.get("/ports", params={"network_id": net["id"]}).json()["ports"]:
        demo_api.delete(f"/ports/{port['id']}")
    demo_api.delete(f"/networks/{net['id']}")


def test_unknown_attribute_and_missing_body(demo_api: Any, fault: Any) -> None:
    err = fault(demo_api.post("/networks", {"network": {"name": "x", "flavor": 1}}), 400, "HTTPBadRequest")
    assert err["message"] == "Unrecognized attribute(s) 'flavor'"
    err = fault(demo_api.post("/networks", {"net": {}}), 400, "HTTPBadRequest")
    assert err["message"] == "Unable to find 'network' in request body"
    fault(demo_api.post("/networks", None), 400, "HTTPBadRequest")
    err = fault(
        demo_api.put("/networks/00000000-0000-0000-0000-000000000000", {"network": {"status": "DOWN"}}),
        400,
        "HTTPBadRequest",
    )
    err = fault(demo_api.post("/networks", {"network": {"admin_state_up": "maybe"}}), 400, "InvalidInput")
    assert err["message"] == "Invalid input for operation: 'maybe' cannot be converted to boolean."
    err = fault(
        demo_api.post("/subnets", {"subnet": {"ip_version": 4, "cidr": "10.0.0.0/24"}}), 400, "HTTPBadRequest"
    )
    assert err["message"] == "Failed to parse request. Required attribute 'network_id' not specified"


def test_invalid_cidrs(demo_api: Any, network: Any, fault: Any) -> None:
    net_id = network["net"]["id"]
    for cidr in ("10.0.0.0/33", "not-a-cidr", "10.0.0.1"):
        err = fault(
            demo_api.post("/subnets", {"subnet": {"network_id": net_id, "ip_version": 4, "cidr": cidr}}),
            400,
            "InvalidInput",
        )
        assert err["message"].startswith("Invalid input for operation: Invalid input for cidr. Reason:")
    err = fault(
        demo_api.post("/subnets", {"subnet": {"network_id": net_id, "ip_version": 6, "cidr": "10.1.0.0/24"}}),
        400,
        "InvalidInput",
    )
    err = fault(
        demo_api.post(
            "/subnets", {"subnet": {"network_id": net_id, "ip_version": 4, "cidr": "10.90.0.0/25"}}
        ),
        400,
        "InvalidInput",
    )
    assert "overlaps with another subnet" in err["message"]
    body = {
        "subnet": {
            "network_id": net_id,
            "ip_version": 4,
            "cidr": "10.91.0.0/24",
            "allocation_pools": [{"start": "10.91.1.1", "end": "10.91.1.9"}],
        }
    }
    fault(demo_api.post("/subnets", body), 400, "OutOfBoundsAllocationPool")
    body["subnet"]["allocation_pools"] = [{"start": "10.91.0.1", "end": "10.91.0.9"}]
    fault(demo_api.post("/subnets", body), 409, "GatewayConflictWithAllocationPools")
    fault(
        demo_api.post(
            "/subnets",
            {
                "subnet": {
                    "network_id": "9d1c6a3e-0000-4000-8000-000000000000",
                    "ip_version": 4,
                    "cidr": "10.92.0.0/24",
                }
            },
        ),
        404,
        "NetworkNotFound",
    )
    # Nothing was created by the failures.
    subnets = demo_api.get("/subnets", params={"network_id": net_id}).json()["subnets"]
    assert [s["cidr"] for s in subnets] == ["10.90.0.0/24"]


def test_bad_fixed_ips(demo_api: Any, network: Any, fault: Any) -> None:
    net_id, sub_id = network["net"]["id"], network["sub"]["id"]
    err = fault(
        demo_api.post("/ports", {"port": {"network_id": net_id, "fixed_ips": [{"ip_address": "10.99.0.5"}]}}),
        400,
        "InvalidIpForNetwork",
    )
    assert err["message"] == (
        "IP address 10.99.0.5 is not a valid IP for any of the subnets on the specified network."
    )
    body = {"port": {"network_id": net_id, "fixed_ips": [{"subnet_id": sub_id, "ip_address": "10.99.0.5"}]}}
    fault(demo_api.post("/ports", body), 400, "InvalidIpForSubnet")
    body = {"port": {"network_id": net_id, "fixed_ips": [{"ip_address": "10.90.0.300"}]}}
    fault(demo_api.post("/ports", body), 400, "InvalidInput")
    body = {"port": {"network_id": net_id, "fixed_ips": [{"ip_address": "10.90.0.1"}]}}
    err = fault(demo_api.post("/ports", body), 409, "IpAddressAlreadyAllocated")
    assert err["message"] == f"IP address 10.90.0.1 already allocated in subnet {sub_id}"
    body = {"port": {"network_id": net_id, "mac_address": "fa:16:3e:00:00:01"}}
    assert demo_api.post("/ports", body).status_code == 201
    fault(demo_api.post("/ports", body), 409, "MacAddressInUse")
    fault(demo_api.post("/ports", {"port": {"network_id": net_id, "mac_address": "zz"}}), 400, "InvalidInput")
    fault(
        demo_api.post(
            "/ports",
            {"port": {"network_id": net_id, "security_groups": ["9d1c6a3e-0000-4000-8000-000000000000"]}},
        ),
        404,
        "SecurityGroupNotFound",
    )
    fault(
        demo_api.post(
            "/ports",
            {
                "port": {
                    "network_id": net_id,
                    "port_security_enabled": False,
                    "allowed_address_pairs": [{"ip_address": "10.0.0.1"}],
                }
            },
        ),
        409,
        "AddressPairAndPortSecurityRequired",
    )


def test_exhaustion_and_quota(api: Any, demo_api: Any, demo: Any, fault: Any) -> None:
    net = demo_api.post("/networks", {"network": {"name": "tiny"}}).json()["network"]
    demo_api.post("/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4, "cidr": "10.93.0.0/30"}})
    assert demo_api.post("/ports", {"port": {"network_id": net["id"]}}).status_code == 201
    err = fault(
        demo_api.post("/ports", {"port": {"network_id": net["id"]}}), 409, "IpAddressGenerationFailure"
    )
    assert err["message"] == f"No more IP addresses available on network {net['id']}."
    project = demo.current_project_id
    r = api.put(f"/quotas/{project}", {"quota": {"router": 0}})
    assert r.status_code == 200 and r.json()["quota"]["router"] == 0
    err = fault(demo_api.post("/routers", {"router": {"name": "over"}}), 409, "OverQuota")
    assert err["message"] == "Quota exceeded for resources: ['router']."
    fault(demo_api.put(f"/quotas/{project}", {"quota": {"router": 5}}), 403, "AdminRequired")
    fault(api.put(f"/quotas/{project}", {"quota": {"routers": 5}}), 400, "HTTPBadRequest")
    assert api.delete(f"/quotas/{project}").status_code == 204
    assert demo_api.get(f"/quotas/{project}").json()["quota"]["router"] == 10
    details = demo_api.get(f"/quotas/{project}/details").json()["quota"]
    assert details["network"]["used"] >= 1 and details["port"]["limit"] == 500
    for port in demo_api.get("/ports", params={"network_id": net["id"]}).json()["ports"]:
        demo_api.delete(f"/ports/{port['id']}")
    demo_api.delete(f"/networks/{net['id']}")


def test_bad_router_requests(demo_api: Any, network: Any, fault: Any) -> None:
    router = demo_api.post("/routers", {"router": {"name": "bad"}}).json()["router"]
    private = demo_api.get("/networks", params={"name": "private"}).json()["networks"][0]
    err = fault(
        demo_api.put(
            f"/routers/{router['id']}", {"router": {"external_gateway_info": {"network_id": private["id"]}}}
        ),
        400,
        "BadRequest",
    )
    assert err["message"] == f"Bad router request: Network {private['id']} is not an external network."
    fault(demo_api.put(f"/routers/{router['id']}/add_router_interface", {}), 400, "BadRequest")
    fault(
        demo_api.put(f"/routers/{router['id']}/remove_router_interface", {"subnet_id": network["sub"]["id"]}),
        404,
        "RouterInterfaceNotFoundForSubnet",
    )
    fault(
        demo_api.put(
            f"/routers/{router['id']}",
            {"router": {"external_gateway_info": {"network_id": private["id"], "enable_snat": False}}},
        ),
        403,
        "PolicyNotAuthorized",
    )
    fault(
        demo_api.post("/floatingips", {"floatingip": {"floating_network_id": private["id"]}}),
        400,
        "BadRequest",
    )
    demo_api.delete(f"/routers/{router['id']}")
    fault(demo_api.get(f"/routers/{router['id']}"), 404, "RouterNotFound")


def test_unknown_paths_and_methods(demo_api: Any) -> None:
    assert demo_api.get("/bogus").status_code == 501
    assert demo_api.request("PATCH", "/networks").status_code == 405


def test_odd_shapes_are_400_not_500(demo_api: Any, network: Any, fault: Any) -> None:
    net_id = network["net"]["id"]
    for body in ({"router": {"external_gateway_info": 1}}, {"router": {"external_gateway_info": [1]}}):
        fault(demo_api.post("/routers", body), 400, "InvalidInput")
    port = demo_api.post("/ports", {"port": {"network_id": net_id}}).json()["port"]
    fault(demo_api.put(f"/ports/{port['id']}", {"port": {"mac_address": None}}), 400, "InvalidInput")
    bad_opts = {"port": {"network_id": net_id, "extra_dhcp_opts": [{"opt_name": "a", "ip_version": "x"}]}}
    fault(demo_api.post("/ports", bad_opts), 400, "InvalidInput")
    fault(demo_api.post("/ports", {"port": {"network_id": net_id, "fixed_ips": [None]}}), 400, "InvalidInput")
    fault(demo_api.put(f"/networks/{net_id}/tags", {"tags": "red"}), 400, "HTTPBadRequest")
    assert demo_api.get("/networks", params={"limit": "x"}).status_code == 400
    demo_api.delete(f"/ports/{port['id']}")
