"""Metadata definitions: namespaces with objects, properties, tags and resource type associations."""

from __future__ import annotations

import httpx

JSON = {"Accept": "application/json"}


def test_namespace_lifecycle(http: httpx.Client, demo_http: httpx.Client, name: str) -> None:
    types = http.get("/v2/metadefs/resource_types").json()["resource_types"]
    assert types[0]["name"] == "OS::Glance::Image"
    body = {
        "namespace": name,
        "display_name": name,
        "visibility": "public",
        "protected": True,
        "resource_type_associations": [{"name": "OS::Glance::Image", "prefix": "hw_"}],
    }
    r = http.post("/v2/metadefs/namespaces", json=body)
    assert r.status_code == 201 and r.json()["self"] == f"/v2/metadefs/namespaces/{name}"
    assert http.post("/v2/metadefs/namespaces", json=body).status_code == 409
    assert demo_http.post("/v2/metadefs/namespaces", json={"namespace": name + "x"}).status_code == 403
    assert name in [n["namespace"] for n in demo_http.get("/v2/metadefs/namespaces").json()["namespaces"]]
    ns = f"/v2/metadefs/namespaces/{name}"
    assert http.post(f"{ns}/objects", json={"name": "obj"}).status_code == 201
    r = http.put(f"{ns}/objects/obj", json={"name": "obj2", "description": "d"})
    assert r.status_code == 200 and r.json()["name"] == "obj2"
    assert [o["name"] for o in http.get(f"{ns}/objects").json()["objects"]] == ["obj2"]
    prop = {"name": "hw_x", "title": "X", "type": "string", "enum": ["a", "b"]}
    assert http.post(f"{ns}/properties", json=prop).status_code == 201
    assert http.get(f"{ns}/properties/hw_x").json()["title"] == "X"
    r = http.post(f"{ns}/tags", json={"tags": [{"name": "t1"}, {"name": "t2"}]})
    assert r.status_code == 201 and [t["name"] for t in r.json()["tags"]] == ["t1", "t2"]
    assert http.put(f"{ns}/tags/t1", json={"name": "t3"}).json()["name"] == "t3"
    assert sorted(t["name"] for t in http.get(f"{ns}/tags").json()["tags"]) == ["t2", "t3"]
    assert http.get(ns).json()["resource_type_associations"][0]["prefix"] == "hw_"
    r = http.delete(ns, headers=JSON)
    assert r.status_code == 403 and "is protected and cannot be deleted" in r.json()["message"]
    r = http.put(ns, json={"namespace": name, "visibility": "private", "protected": False})
    assert r.status_code == 200 and r.json()["visibility"] == "private"
    assert demo_http.get(ns).status_code == 404
    assert http.delete(ns).status_code == 204
    assert http.get(ns).status_code == 404


def test_metadef_schemas(http: httpx.Client) -> None:
    names = {
        "namespace": "namespace",
        "namespaces": "namespaces",
        "resource_type": "resource_type_association",
        "resource_types": "resource_type_associations",
        "object": "object",
        "objects": "objects",
        "property": "property",
        "properties": "properties",
        "tag": "tag",
        "tags": "tags",
    }
    for path, name in names.items():
        assert http.get(f"/v2/schemas/metadefs/{path}").json()["name"] == name
