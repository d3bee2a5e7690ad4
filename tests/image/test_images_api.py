"""Glance v2 images over HTTP and openstacksdk: create, show, list, patch, delete, data, errors."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import httpx
import pytest

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
JSON = {"Accept": "application/json"}
OCTET = {"Content-Type": "application/octet-stream"}
# What tempest's image show schema and glance's serializer always give.
VIEW_KEYS = {
    "id",
    "name",
    "status",
    "visibility",
    "protected",
    "os_hidden",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "owner",
    "size",
    "virtual_size",
    "container_format",
    "disk_format",
    "created_at",
    "updated_at",
    "tags",
    "min_ram",
    "min_disk",
    "self",
    "file",
    "schema",
}


def _create(http: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("disk_format", "raw")
    body.setdefault("container_format", "bare")
    r = http.post("/v2/images", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_seeded_cirros_is_public_active_with_real_checksums(admin: Any) -> None:
    (img,) = [i for i in admin.image.images() if i.name == "cirros-0.6.2-x86_64-disk"]
    assert (img.status, img.visibility, img.disk_format, img.container_format) == (
        "active",
        "public",
        "qcow2",
        "bare",
    )
    data = b"".join(admin.image.download_image(img, stream=True).iter_content(65536))
    assert len(data) == img.size and 1024 < img.size < 65536
    assert hashlib.md5(data).hexdigest() == img.checksum
    assert hashlib.sha512(data).hexdigest() == img.hash_value and img.hash_algo == "sha512"


def test_create_echoes_extra_properties_top_level(http: httpx.Client, name: str) -> None:
    body = {
        "name": name,
        "disk_format": "qcow2",
        "container_format": "bare",
        "owner_specified.openstack.md5": "",
        "owner_specified.openstack.object": f"images/{name}",
        "hw_disk_bus": "scsi",
        "tags": ["a", "b"],
    }
    r = http.post("/v2/images", json=body)
    assert r.status_code == 201
    assert r.headers["location"].endswith(f"/v2/images/{r.json()['id']}")
    img = r.json()
    assert set(img) >= VIEW_KEYS
    assert img["status"] == "queued" and img["visibility"] == "shared" and img["size"] is None
    assert img["owner_specified.openstack.object"] == f"images/{name}" and img["hw_disk_bus"] == "scsi"
    assert sorted(img["tags"]) == ["a", "b"] and img["self"] == f"/v2/images/{img['id']}"
    assert img["schema"] == "/v2/schemas/image" and img["file"] == f"/v2/images/{img['id']}/file"
    assert img["created_at"].endswith("Z") and "." not in img["created_at"]
    assert http.get(f"/v2/images/{img['id']}").json() == img
    http.delete(f"/v2/images/{img['id']}")


def test_upload_download_range_and_hashes(http: httpx.Client, name: str) -> None:
    img = _create(http, name=name)
    data = os.urandom(2 * 1024 * 1024 + 123)
    r = http.put(f"/v2/images/{img['id']}/file", content=data, headers=OCTET)
    assert r.status_code == 204 and r.content == b"" and "content-type" not in r.headers
    shown = http.get(f"/v2/images/{img['id']}").json()
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert (shown["os_hash_algo"], shown["os_hash_value"]) == ("sha512", hashlib.sha512(data).hexdigest())
    r = http.get(f"/v2/images/{img['id']}/file")
    assert r.status_code == 200 and r.content == data
    assert (
        r.headers["content-md5"] == shown["checksum"]
        and r.headers["content-type"] == "application/octet-stream"
    )
    r = http.get(f"/v2/images/{img['id']}/file", headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    r = http.get(f"/v2/images/{img['id']}/file", headers={"Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = http.get(f"/v2/images/{img['id']}/file", headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416
    # a second upload to an active image is a conflict and changes nothing
    r = http.put(f"/v2/images/{img['id']}/file", content=b"other", headers=OCTET)
    assert r.status_code == 409
    assert http.get(f"/v2/images/{img['id']}").json()["checksum"] == shown["checksum"]
    assert http.delete(f"/v2/images/{img['id']}").status_code == 204
    assert http.get(f"/v2/images/{img['id']}").status_code == 404


def test_download_without_data_is_204(http: httpx.Client, name: str) -> None:
    img = _create(http, name=name)
    r = http.get(f"/v2/images/{img['id']}/file")
    assert r.status_code == 204 and r.content == b""
    http.delete(f"/v2/images/{img['id']}")


def test_upload_needs_octet_stream_and_formats(http: httpx.Client, name: str) -> None:
    img = _create(http, name=name)
    r = http.put(f"/v2/images/{img['id']}/file", content=b"x", headers={"Content-Type": "text/plain", **JSON})
    assert r.status_code == 415
    bare = http.post("/v2/images", json={"name": name}).json()
    r = http.put(f"/v2/images/{bare['id']}/file", content=b"x", headers={**OCTET, **JSON})
    assert r.status_code == 400 and "must be set prior to saving data" in r.json()["message"]
    assert http.get(f"/v2/images/{bare['id']}").json()["status"] == "queued"
    for i in (img, bare):
        http.delete(f"/v2/images/{i['id']}")


def test_size_cap_and_storage_quota_refuse_with_413(
    twinstack_cloud: Any, http: httpx.Client, name: str
) -> None:
    settings = twinstack_cloud.cloud.service("image").settings
    img = _create(http, name=name)
    old = settings.image_size_cap, settings.user_storage_quota
    try:
        settings.image_size_cap = 1000
        r = http.put(f"/v2/images/{img['id']}/file", content=b"x" * 1001, headers={**OCTET, **JSON})
        assert r.status_code == 413 and "too large" in r.json()["message"]

        def chunks() -> Any:  # no Content-Length: the limit is found while streaming
            yield b"y" * 600
            yield b"y" * 600

        r = http.put(f"/v2/images/{img['id']}/file", content=chunks(), headers={**OCTET, **JSON})
        assert r.status_code == 413
        settings.image_size_cap, settings.user_storage_quota = old[0], 1
        r = http.put(f"/v2/images/{img['id']}/file", content=b"z" * 10, headers={**OCTET, **JSON})
        assert r.status_code == 413 and "storage quota" in r.json()["message"]
    finally:
        settings.image_size_cap, settings.user_storage_quota = old
    shown = http.get(f"/v2/images/{img['id']}").json()
    assert shown["status"] == "queued" and shown["size"] is None
    store = twinstack_cloud.cloud.service("image").store
    assert not store.exists(img["id"]) and not list(store.root.glob(f"{img['id']}*"))
    assert http.put(f"/v2/images/{img['id']}/file", content=b"ok", headers=OCTET).status_code == 204
    http.delete(f"/v2/images/{img['id']}")


def test_json_patch_add_replace_remove_and_rules(http: httpx.Client, name: str) -> None:
    img = _create(http, name=name, foo="bar")
    url = f"/v2/images/{img['id']}"
    ops = [
        {"op": "add", "path": "/os_distro", "value": "ubuntu"},
        {"op": "replace", "path": "/name", "value": "n2"},
        {"op": "remove", "path": "/foo"},
        {"op": "replace", "path": "/min_ram", "value": 512},
    ]
    r = http.patch(url, json=ops, headers=PATCH)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["os_distro"] == "ubuntu" and got["name"] == "n2" and "foo" not in got and got["min_ram"] == 512
    r = http.patch(url, json=ops, headers={"Content-Type": "application/json"})
    assert r.status_code == 415 and "openstack-images-v2.1-json-patch" in r.headers["accept-patch"]
    cases = [
        ([{"op": "replace", "path": "/status", "value": "active"}], 403, "Attribute 'status' is read-only."),
        ([{"op": "add", "path": "/deleted", "value": "x"}], 403, "Attribute 'deleted' is reserved."),
        ([{"op": "add", "path": "/os_glance_x", "value": "x"}], 403, "is reserved"),
        ([{"op": "remove", "path": "/name"}], 403, "Property name may not be removed."),
        ([{"op": "remove", "path": "/nope"}], 409, "Property nope does not exist."),
        ([{"op": "replace", "path": "/nope", "value": "x"}], 409, "Property nope does not exist."),
        ([{"op": "add", "path": "/visibility", "value": "galaxy"}], 400, "does not match schema"),
        ([{"op": "add", "path": "/prop", "value": 5}], 400, "is not of type 'string'"),
        ([{"op": "move", "path": "/name"}], 400, "Invalid operation: `move`"),
        ([{"op": "add", "path": "/a/b", "value": "x"}], 400, "Invalid JSON pointer"),
        ({"op": "add"}, 400, "JSON array"),
    ]
    for body, status, text in cases:
        r = http.patch(url, json=body, headers={**PATCH, **JSON})
        assert (r.status_code, text in r.json()["message"]) == (status, True), (body, r.text)
    assert http.get(url).json()["name"] == "n2"
    http.delete(url)


def test_create_refuses_bad_input_with_glance_codes(http: httpx.Client, name: str) -> None:
    cases = [
        ({"name": name, "disk_format": "floppy"}, 400, "does not match schema 'image'"),
        ({"name": name, "container_format": "crate"}, 400, "does not match schema"),
        ({"name": name, "self": "x"}, 403, "Attribute 'self' is read-only."),
        ({"name": name, "size": 5}, 403, "Attribute 'size' is read-only."),
        ({"name": name, "location": "x"}, 403, "Attribute 'location' is reserved."),
        ({"name": name, "os_glance_foo": "x"}, 403, "is reserved"),
        ({"name": name, "min_disk": -1}, 400, "Cannot be a negative value"),
        ({"name": name, "extra": 1}, 400, "is not of type 'string'"),
    ]
    before = len(list(http.get("/v2/images", params={"name": name}).json()["images"]))
    for body, status, text in cases:
        r = http.post("/v2/images", json=body, headers=JSON)
        assert r.status_code == status and text in r.json()["message"], (body, r.text)
    assert len(http.get("/v2/images", params={"name": name}).json()["images"]) == before == 0


def test_error_bodies_follow_webob_accept(http: httpx.Client) -> None:
    missing = "/v2/images/00000000-0000-0000-0000-000000000000"
    r = http.get(missing, headers=JSON)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    assert r.json() == {
        "message": "No image found with ID 00000000-0000-0000-0000-000000000000<br /><br />\n\n\n",
        "code": "404 Not Found",
        "title": "Not Found",
    }
    r = http.get(missing, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/html") and "<h1>404 Not Found</h1>" in r.text
    r = http.get(missing, headers={"Accept": "text/plain"})
    assert r.headers["content-type"].startswith("text/plain") and r.text.startswith("404 Not Found\n\n")


def test_protected_deactivate_reactivate(http: httpx.Client, name: str) -> None:
    img = _create(http, name=name, protected=True)
    url = f"/v2/images/{img['id']}"
    assert http.put(f"{url}/file", content=b"data", headers=OCTET).status_code == 204
    r = http.delete(url, headers=JSON)
    assert r.status_code == 403 and "is protected and cannot be deleted" in r.json()["message"]
    assert http.post(f"{url}/actions/deactivate").status_code == 204
    assert http.get(url).json()["status"] == "deactivated"
    assert http.post(f"{url}/actions/reactivate").status_code == 204
    assert http.get(url).json()["status"] == "active"
    http.patch(url, json=[{"op": "replace", "path": "/protected", "value": False}], headers=PATCH)
    assert http.delete(url).status_code == 204


def test_tags(http: httpx.Client, name: str) -> None:
    img = _create(http, name=name)
    url = f"/v2/images/{img['id']}"
    assert http.put(f"{url}/tags/x86").status_code == 204
    assert http.put(f"{url}/tags/x86").status_code == 204
    assert http.get(url).json()["tags"] == ["x86"]
    assert [
        i["id"] for i in http.get("/v2/images", params={"tag": "x86", "name": name}).json()["images"]
    ] == [img["id"]]
    assert http.delete(f"{url}/tags/x86").status_code == 204
    assert http.delete(f"{url}/tags/x86").status_code == 404
    http.delete(url)


def test_list_filters_sort_and_paging(http: httpx.Client, name: str) -> None:
    ids = []
    for i, (fmt, size) in enumerate((("raw", 10), ("qcow2", 200), ("raw", 3000))):
        img = _create(http, name=f"{name}-{i}", disk_format=fmt, os_distro=f"d{i}", tags=[name])
        http.put(f"/v2/images/{img['id']}/file", content=b"x" * size, headers=OCTET)
        ids.append(img["id"])

    def listed(**params: Any) -> list[str]:
        r = http.get("/v2/images", params={"tag": name, **params})
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["images"]]

    assert listed() == ids[::-1]  # created_at desc
    assert listed(sort="name:asc") == ids
    assert listed(sort_key="size", sort_dir="asc") == ids
    assert listed(disk_format="raw", sort="name:asc") == [ids[0], ids[2]]
    assert listed(disk_format="in:qcow2,raw", sort="name:asc") == ids
    assert listed(size_min="100", size_max="1000") == [ids[1]]
    assert listed(os_distro="d2") == [ids[2]]
    assert listed(name=f"{name}-1") == [ids[1]]
    assert listed(status="queued") == []
    assert listed(created_at="gte:2000-01-01T00:00:00Z", sort="name:asc") == ids
    page = http.get("/v2/images", params={"tag": name, "limit": 2, "sort": "name:asc"}).json()
    assert [i["id"] for i in page["images"]] == ids[:2] and page["schema"] == "/v2/schemas/images"
    assert page["first"].startswith("/v2/images?") and "marker=" in page["next"]
    rest = http.get(page["next"]).json()  # glance's links are relative to the endpoint
    assert [i["id"] for i in rest["images"]] == ids[2:] and "next" not in rest
    for params, text in (
        ({"sort_key": "owner"}, "Invalid sort key"),
        ({"sort_dir": "up"}, "Invalid sort direction"),
        ({"limit": "x"}, "limit param must be an integer"),
        ({"visibility": "x"}, "Invalid visibility"),
        ({"marker": "nope"}, "No image found with ID nope"),
        ({"name": "gt:x"}, "unknown operator"),
    ):
        r = http.get("/v2/images", params=params, headers=JSON)
        assert r.status_code == 400 and text in r.json()["message"], (params, r.text)
    for image_id in ids:
        http.delete(f"/v2/images/{image_id}")


def test_schemas_are_glance_schemas(http: httpx.Client) -> None:
    image = http.get("/v2/schemas/image").json()
    assert image["name"] == "image" and image["additionalProperties"] == {"type": "string"}
    props = image["properties"]
    assert props["min_disk"] == {"type": "integer", "description": props["min_disk"]["description"]}
    assert props["disk_format"]["enum"][0] is None and "qcow2" in props["disk_format"]["enum"]
    assert props["status"]["readOnly"] is True and props["os_distro"]["is_base"] is False
    images = http.get("/v2/schemas/images").json()
    assert images["properties"]["images"]["items"]["name"] == "image"
    member = http.get("/v2/schemas/member").json()
    assert member["properties"]["status"]["enum"] == ["pending", "accepted", "rejected"]
    assert http.get("/v2/schemas/members").json()["properties"]["members"]["items"]["name"] == "member"


def test_stage_and_glance_direct_import(http: httpx.Client, name: str) -> None:
    assert http.get("/v2/info/import").json()["import-methods"]["value"] == ["glance-direct"]
    assert http.get("/v2/info/stores").json()["stores"][0]["id"] == "file"
    img = _create(http, name=name)
    url = f"/v2/images/{img['id']}"
    data = os.urandom(4096)
    assert http.put(f"{url}/stage", content=data, headers=OCTET).status_code == 204
    assert http.get(url).json()["status"] == "uploading"
    r = http.post(f"{url}/import", json={"method": {"name": "web-download", "uri": "http://x"}}, headers=JSON)
    assert r.status_code == 400 and "no internet" in r.json()["message"]
    r = http.post(f"{url}/import", json={"method": {"name": "glance-direct"}})
    assert r.status_code == 202 and r.content == b""
    shown = http.get(url).json()
    assert shown["status"] == "active" and shown["checksum"] == hashlib.md5(data).hexdigest()
    assert http.get(f"{url}/file").content == data
    (task,) = http.get(f"{url}/tasks").json()["tasks"]
    assert task["status"] == "success" and task["request_id"] == r.headers["x-openstack-request-id"]
    assert task["input"]["import_req"]["method"]["name"] == "glance-direct"
    http.delete(url)


@pytest.mark.parametrize("path", ["/v2/images/", "/v2/images/00000000-0000-0000-0000-000000000000"])
def test_empty_or_unknown_id_is_404(http: httpx.Client, path: str) -> None:
    assert http.get(path).status_code == 404
    assert http.delete(path).status_code == 404


def test_broken_upload_leaves_no_data_and_image_queued(
    twinstack_cloud: Any, http: httpx.Client, name: str
) -> None:
    import socket
    import time

    img = _create(http, name=name)
    token = http.headers["x-auth-token"]
    host, port = twinstack_cloud.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            (
                f"PUT /image/v2/images/{img['id']}/file HTTP/1.1\r\nHost: {host}\r\nX-Auth-Token: {token}\r\n"
                "Content-Type: application/octet-stream\r\nContent-Length: 10485760\r\n\r\n"
            ).encode()
        )
        sock.sendall(b"x" * 1024 * 1024)
        deadline = time.monotonic() + 10
        while (
            http.get(f"/v2/images/{img['id']}").json()["status"] != "saving" and time.monotonic() < deadline
        ):
            time.sleep(0.01)
    store = twinstack_cloud.cloud.service("image").store
    deadline = time.monotonic() + 10
    while http.get(f"/v2/images/{img['id']}").json()["status"] != "queued" and time.monotonic() < deadline:
        time.sleep(0.01)
    shown = http.get(f"/v2/images/{img['id']}").json()
    assert shown["status"] == "queued" and shown["size"] is None
    assert not list(store.root.glob(f"{img['id']}*"))
    assert http.put(f"/v2/images/{img['id']}/file", content=b"retry", headers=OCTET).status_code == 204
    http.delete(f"/v2/images/{img['id']}")


def test_unknown_paths_are_404_and_unknown_methods_405(http: httpx.Client) -> None:
    assert http.get("/v2/nothing/here").status_code == 404
    r = http.put("/v2/images", json={})
    assert r.status_code == 405 and "GET" in r.headers["allow"]
