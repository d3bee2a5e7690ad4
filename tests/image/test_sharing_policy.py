"""Visibility, members and policy: what another project sees and may do (glance's defaults)."""

from __future__ import annotations

from typing import Any

import httpx

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
JSON = {"Accept": "application/json"}


def _ids(client: httpx.Client, **params: Any) -> set[str]:
    r = client.get("/v2/images", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return {i["id"] for i in r.json()["images"]}


def test_private_images_of_other_projects_are_invisible(
    http: httpx.Client, demo_http: httpx.Client, name: str
) -> None:
    img = http.post("/v2/images", json={"name": name, "visibility": "private"}).json()
    assert demo_http.get(f"/v2/images/{img['id']}").status_code == 404
    assert img["id"] not in _ids(demo_http)
    patch = [{"op": "replace", "path": "/name", "value": "x"}]
    assert demo_http.patch(f"/v2/images/{img['id']}", json=patch, headers=PATCH).status_code == 404
    assert demo_http.delete(f"/v2/images/{img['id']}").status_code == 404
    http.delete(f"/v2/images/{img['id']}")


def test_non_admin_cannot_publicize_or_set_another_owner(
    http: httpx.Client, demo_http: httpx.Client, name: str
) -> None:
    r = demo_http.post("/v2/images", json={"name": name, "visibility": "public"}, headers=JSON)
    assert r.status_code == 403 and "publicize_image" in r.json()["message"]
    r = demo_http.post("/v2/images", json={"name": name, "owner": "someone-else"}, headers=JSON)
    assert r.status_code == 403 and "You are not permitted to create images owned by 'someone-else'" in r.text
    img = demo_http.post("/v2/images", json={"name": name, "visibility": "community"}).json()
    url = f"/v2/images/{img['id']}"
    r = demo_http.patch(
        url, json=[{"op": "replace", "path": "/visibility", "value": "public"}], headers=PATCH
    )
    assert r.status_code == 403
    r = demo_http.patch(
        url, json=[{"op": "replace", "path": "/owner", "value": "x"}], headers={**PATCH, **JSON}
    )
    assert r.status_code == 403 and "Owner can't be updated by non admin." in r.json()["message"]
    # community images: visible by id to others, listed for them only when asked for
    assert http.get(url).status_code == 200
    assert img["id"] not in _ids(http) and img["id"] in _ids(http, visibility="community")
    # an image without data cannot be deactivated
    r = http.post(f"{url}/actions/deactivate", headers=JSON)
    assert (
        r.status_code == 403 and "Not allowed to deactivate image in status 'queued'" in r.json()["message"]
    )
    assert demo_http.delete(url).status_code == 204


def test_public_image_is_read_only_for_other_projects(
    http: httpx.Client, demo_http: httpx.Client, name: str
) -> None:
    img = http.post(
        "/v2/images",
        json={"name": name, "visibility": "public", "disk_format": "raw", "container_format": "bare"},
    ).json()
    url = f"/v2/images/{img['id']}"
    assert demo_http.get(url).status_code == 200 and img["id"] in _ids(demo_http)
    patch = [{"op": "replace", "path": "/name", "value": "mine"}]
    assert demo_http.patch(url, json=patch, headers=PATCH).status_code == 403
    assert demo_http.delete(url).status_code == 403
    r = demo_http.put(f"{url}/file", content=b"x", headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 403
    assert http.get(url).json()["status"] == "queued"  # the refused upload changed nothing
    assert http.delete(url).status_code == 204


def test_members_see_shared_image_only_after_accepting(
    admin: Any, demo: Any, http: httpx.Client, demo_http: httpx.Client, name: str
) -> None:
    demo_project = demo.current_project_id
    img = http.post("/v2/images", json={"name": name, "visibility": "private"}).json()
    url = f"/v2/images/{img['id']}"
    r = http.post(f"{url}/members", json={"member": demo_project}, headers=JSON)
    assert r.status_code == 403 and "Not allowed to create members" in r.json()["message"]
    http.patch(url, json=[{"op": "replace", "path": "/visibility", "value": "shared"}], headers=PATCH)
    r = http.post(f"{url}/members", json={"member": demo_project})
    assert r.status_code == 200
    member = r.json()
    assert member["status"] == "pending" and member["schema"] == "/v2/schemas/member"
    assert http.post(f"{url}/members", json={"member": demo_project}).status_code == 409
    # pending: GET by id works, the default list does not show it
    assert demo_http.get(url).status_code == 200
    assert img["id"] not in _ids(demo_http)
    assert img["id"] in _ids(demo_http, member_status="pending")
    # an admin may set any member's status (glance's modify_member: admin or the member)
    assert http.put(f"{url}/members/{demo_project}", json={"status": "pending"}).status_code == 200
    r = demo_http.put(f"{url}/members/{demo_project}", json={"status": "bogus"}, headers=JSON)
    assert r.status_code == 400
    r = demo_http.put(f"{url}/members/{demo_project}", json={"status": "accepted"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert img["id"] in _ids(demo_http)
    members = http.get(f"{url}/members").json()
    assert members["schema"] == "/v2/schemas/members" and [m["member_id"] for m in members["members"]] == [
        demo_project
    ]
    assert demo_http.get(f"{url}/members/{demo_project}").json()["status"] == "accepted"
    # the member may not share it further or delete the owner's image
    assert demo_http.post(f"{url}/members", json={"member": "x"}).status_code == 403
    assert demo_http.delete(url).status_code == 403
    r = demo_http.put(f"{url}/members/{demo_project}", json={"status": "rejected"})
    assert r.status_code == 200 and img["id"] not in _ids(demo_http)
    assert http.delete(f"{url}/members/{demo_project}").status_code == 204
    assert demo_http.get(url).status_code == 404
    assert http.delete(url).status_code == 204


def test_sdk_members_flow(admin: Any, demo: Any, name: str) -> None:
    img = admin.image.create_image(name=name, visibility="shared", disk_format="raw", container_format="bare")
    member = admin.image.add_member(img, member_id=demo.current_project_id)
    assert member.status == "pending"
    demo.image.update_member(member, img, status="accepted")
    assert img.id in {i.id for i in demo.image.images()}
    admin.image.delete_image(img)
