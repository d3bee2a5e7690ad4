"""What an admin lists across projects: servers with all_tenants + tenant_id/project_id, and the
networks of nova's os-networks proxy (neutron's view for the caller's token)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from tests.compute.conftest import Nova


def _member_nova(twinstack_cloud: Any, twinstack_conn: Any) -> tuple[Nova, str]:
    """A fresh project with a member user; nova as that user, and the project id."""
    suffix = uuid.uuid4().hex[:8]
    identity = twinstack_conn.identity
    project = identity.create_project(name=f"cl-{suffix}", domain_id="default")
    user = identity.create_user(name=f"cl-{suffix}", password="pw-" + suffix, domain_id="default")
    identity.assign_project_role_to_user(project, user, identity.find_role("member"))
    auth = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user.name, "domain": {"id": "default"}, "password": "pw-" + suffix}
                },
            },
            "scope": {"project": {"id": project.id}},
        }
    }
    r = httpx.post(f"{twinstack_cloud.url}/identity/v3/auth/tokens", json=auth, timeout=30)
    assert r.status_code == 201, r.text
    return Nova(twinstack_cloud.url, r.headers["x-subject-token"]), str(project.id)


def test_admin_lists_another_project_only_with_all_tenants(
    nova: Nova, twinstack_cloud: Any, twinstack_conn: Any, image_id: str
) -> None:
    member, project_id = _member_nova(twinstack_cloud, twinstack_conn)
    name = "tl-" + uuid.uuid4().hex[:6]
    body = {"server": {"name": name, "flavorRef": "42", "imageRef": image_id, "networks": "none"}}
    r = member("POST", "/servers", version="2.37", json=body)
    assert r.status_code == 202, r.text
    sid = r.json()["server"]["id"]
    member.wait(sid, {"ACTIVE"})

    def names(query: str) -> list[str]:
        r = nova("GET", "/servers/detail?" + query)
        assert r.status_code == 200, r.text
        return [s["name"] for s in r.json()["servers"]]

    # without all_tenants nova ignores tenant_id/project_id: the admin's own project is listed
    assert name not in names(f"tenant_id={project_id}")
    assert name not in names(f"project_id={project_id}")
    for query in (f"all_tenants&tenant_id={project_id}", f"all_tenants=1&project_id={project_id}"):
        assert names(query) == [name], query
    assert name in names("all_tenants=true")
    assert name not in names("all_tenants=0")
    # a member may not list all projects; its tenant_id filter is dropped (not an allowed filter)
    r = member("GET", "/servers?all_tenants")
    assert r.status_code == 403, r.text
    assert r.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed."
    )
    r = member("GET", "/servers?tenant_id=" + str(twinstack_conn.current_project_id))
    assert [s["name"] for s in r.json()["servers"]] == [name]
    assert member("DELETE", f"/servers/{sid}").status_code == 204
    member.wait_gone(sid)


def test_os_networks_lists_what_neutron_shows(nova: Nova, twinstack_cloud: Any, twinstack_conn: Any) -> None:
    public = twinstack_conn.network.find_network("public")
    assert public is not None
    member, _ = _member_nova(twinstack_cloud, twinstack_conn)
    for client in (nova, member):
        networks = client("GET", "/os-networks").json()["networks"]
        labels = {n["id"]: n["label"] for n in networks}
        assert labels.get(public.id) == "public", networks  # external: visible to every project
        shown = client("GET", f"/os-networks/{public.id}").json()["network"]
        assert shown["label"] == "public"
    # the admin sees every project's networks, a member only what neutron shows it
    private = twinstack_conn.network.create_network(name="osn-" + uuid.uuid4().hex[:6])
    try:
        assert private.id in {n["id"] for n in nova("GET", "/os-networks").json()["networks"]}
        assert private.id not in {n["id"] for n in member("GET", "/os-networks").json()["networks"]}
    finally:
        twinstack_conn.network.delete_network(private)


def test_os_migrations_show_flavors_internal_ids(nova: Nova, image_id: str) -> None:
    """Tempest's schema: old/new_instance_type_id are integers (flavors' internal ids)."""
    body = {"server": {"name": "mig", "flavorRef": "42", "imageRef": image_id, "networks": "none"}}
    sid = nova("POST", "/servers", version="2.37", json=body).json()["server"]["id"]
    nova.wait(sid, {"ACTIVE"})
    assert nova("POST", f"/servers/{sid}/action", json={"resize": {"flavorRef": "84"}}).status_code == 202
    nova.wait(sid, {"VERIFY_RESIZE"})
    r = nova("GET", f"/os-migrations?instance_uuid={sid}", version="2.23")
    assert r.status_code == 200, r.text
    (migration,) = r.json()["migrations"]
    old, new = migration["old_instance_type_id"], migration["new_instance_type_id"]
    assert isinstance(old, int) and isinstance(new, int) and old != new, migration
    assert migration["migration_type"] == "resize"
    assert nova("POST", f"/servers/{sid}/action", json={"confirmResize": None}).status_code == 204
    nova.wait(sid, {"ACTIVE"})
    assert nova("DELETE", f"/servers/{sid}").status_code == 204
    nova.wait_gone(sid)
