"""Extensions list, tags, RBAC sharing, address scopes, trunks, discovery."""

from __future__ import annotations

from typing import Any

from twinstack.services.network.api.extensions import ALIASES


def test_discovery_and_extensions(api: Any, twinstack_cloud: Any, fault: Any) -> None:
    import httpx

    r = httpx.get(twinstack_cloud.url + "/networking/")
    assert r.status_code == 200 and r.json()["versions"][0]["id"] == "v2.0"
    names = [x["name"] for x in api.get("/").json()["resources"]]
    assert {"network", "subnet", "port"} <= set(names)
    extensions = api.get("/extensions").json()["extensions"]
    assert [e["alias"] for e in extensions] == list(ALIASES)
    assert all(set(e) == {"alias", "name", "description", "updated", "links"} for e in extensions)
    assert api.get("/extensions/router").json()["extension"]["name"] == "Neutron L3 Router"
    fault(api.get("/extensions/nope"), 404, "HTTPNotFound")


def test_tags(demo_api: Any, uniq: Any, fault: Any) -> None:
    net = demo_api.post("/networks", {"network": {"name": uniq("tagged")}}).json()["network"]
    base = f"/networks/{net['id']}/tags"
    assert demo_api.put(f"{base}/red").status_code == 201
    r = demo_api.put(base, {"tags": ["blue", "green"]})
    assert r.status_code == 200 and r.json() == {"tags": ["blue", "green"]}
    assert demo_api.get(f"{base}/blue").status_code == 204
    fault(demo_api.get(f"{base}/red"), 404, "TagNotFound")
    assert demo_api.get(f"/networks/{net['id']}").json()["network"]["tags"] == ["blue", "green"]
    found = demo_api.get("/networks", params={"tags": "blue,green"}).json()["networks"]
    assert [n["id"] for n in found] == [net["id"]]
    assert net["id"] not in [
        n["id"] for n in demo_api.get("/networks", params={"not-tags-any": "blue"}).json()["networks"]
    ]
    assert demo_api.delete(f"{base}/blue").status_code == 204
    assert demo_api.delete(base).status_code == 204
    assert demo_api.get(base).json() == {"tags": []}
    fault(demo_api.get("/networks/9d1c6a3e-0000-4000-8000-000000000000/tags"), 404, "NetworkNotFound")
    demo_api.delete(f"/networks/{net['id']}")


def test_rbac_shares_a_network(api: Any, demo_api: Any, demo: Any, uniq: Any, fault: Any) -> None:
    net = api.post("/networks", {"network": {"name": uniq("shared-by-rbac")}}).json()["network"]
    fault(demo_api.get(f"/networks/{net['id']}"), 404, "NetworkNotFound")
    policy = api.post(
        "/rbac-policies",
        {
            "rbac_policy": {
                "object_type": "network",
                "object_id": net["id"],
                "action": "access_as_shared",
                "target_tenant": demo.current_project_id,
            }
        },
    ).json()["rbac_policy"]
    assert policy["target_tenant"] == demo.current_project_id
    assert demo_api.get(f"/networks/{net['id']}").status_code == 200
    api.post("/subnets", {"subnet": {"network_id": net["id"], "ip_version": 4, "cidr": "10.94.0.0/24"}})
    port = demo_api.post("/ports", {"port": {"network_id": net["id"]}}).json()["port"]
    fault(api.delete(f"/rbac-policies/{policy['id']}"), 409, "RbacPolicyInUse")
    demo_api.delete(f"/ports/{port['id']}")
    assert api.delete(f"/rbac-policies/{policy['id']}").status_code == 204
    fault(demo_api.get(f"/networks/{net['id']}"), 404, "NetworkNotFound")
    api.delete(f"/networks/{net['id']}")


def test_address_scopes(demo: Any, uniq: Any) -> None:
    scope = demo.network.create_address_scope(name=uniq("scope"), ip_version=4)
    pool = demo.network.create_subnet_pool(
        name=uniq("scoped"), prefixes=["10.201.0.0/16"], address_scope_id=scope.id
    )
    net = demo.network.create_network(name=uniq("scoped"))
    demo.network.create_subnet(network_id=net.id, ip_version=4, subnetpool_id=pool.id, prefixlen=24)
    assert demo.network.get_network(net.id).ipv4_address_scope_id == scope.id
    demo.network.delete_network(net)
    demo.network.delete_subnet_pool(pool)
    demo.network.delete_address_scope(scope)


def test_trunks(demo: Any, demo_api: Any, uniq: Any, fault: Any) -> None:
    net = demo.network.create_network(name=uniq("trunk"))
    demo.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.95.0.0/24")
    parent, child, other = (demo.network.create_port(network_id=net.id) for _ in range(3))
    trunk = demo.network.create_trunk(
        port_id=parent.id,
        name=uniq("t"),
        sub_ports=[{"port_id": child.id, "segmentation_type": "vlan", "segmentation_id": 100}],
    )
    assert trunk.status == "DOWN" and trunk.sub_ports[0]["segmentation_id"] == 100
    assert demo.network.get_port(child.id).device_owner == "trunk:subport"
    r = demo_api.put(
        f"/trunks/{trunk.id}/add_subports",
        {"sub_ports": [{"port_id": other.id, "segmentation_type": "vlan", "segmentation_id": 100}]},
    )
    fault(r, 409, "DuplicateSubPort")
    r = demo_api.put(
        f"/trunks/{trunk.id}/add_subports",
        {"sub_ports": [{"port_id": other.id, "segmentation_type": "vlan", "segmentation_id": 101}]},
    )
    assert r.status_code == 200 and len(r.json()["sub_ports"]) == 2
    fault(demo_api.post("/trunks", {"trunk": {"port_id": parent.id}}), 409, "TrunkPortInUse")
    fault(demo_api.delete(f"/ports/{parent.id}"), 409, "PortInUseAsTrunkParent")
    r = demo_api.put(f"/trunks/{trunk.id}/remove_subports", {"sub_ports": [{"port_id": other.id}]})
    assert [s["port_id"] for s in r.json()["sub_ports"]] == [child.id]
    assert demo_api.get(f"/trunks/{trunk.id}/get_subports").json()["sub_ports"][0]["port_id"] == child.id
    demo.network.delete_trunk(trunk)
    for port in (parent, child, other):
        demo.network.delete_port(port)
    demo.network.delete_network(net)


def test_bulk_create(demo_api: Any, uniq: Any) -> None:
    r = demo_api.post("/networks", {"networks": [{"name": uniq("b1")}, {"name": uniq("b2")}]})
    assert r.status_code == 201 and len(r.json()["networks"]) == 2
    for net in r.json()["networks"]:
        demo_api.delete(f"/networks/{net['id']}")
    r = demo_api.post("/networks", {"networks": [{"name": uniq("ok")}, {"name": "bad", "bogus": 1}]})
    assert r.status_code == 400
    assert not demo_api.get("/networks", params={"name": uniq("ok")}).json()["networks"]
