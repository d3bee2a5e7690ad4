"""``/v2/metadefs``: metadata definition namespaces, objects, properties, tags, resource types,
and their schemas under ``/v2/schemas/metadefs/...``."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi

NS = "/v2/metadefs/namespaces/{namespace}"


def _svc(req: ApiRequest) -> Any:
    return req.cloud.service("image")


def _ns(req: ApiRequest) -> str:
    return req.path["namespace"]


def _string(description: str = "") -> dict[str, Any]:
    return {"type": "string", **({"description": description} if description else {})}


def _schemas() -> dict[str, dict[str, Any]]:
    stamps = {
        "created_at": {**_string("Date and time of creation"), "format": "date-time", "readOnly": True},
        "updated_at": {
            **_string("Date and time of the last modification"),
            "format": "date-time",
            "readOnly": True,
        },
    }
    association = {
        "name": "resource_type_association",
        "properties": {
            "name": {
                **_string("Resource type names should be aligned with Heat resource types whenever possible"),
                "maxLength": 80,
            },
            "prefix": {
                **_string("Specifies the prefix to use for the given resource type."),
                "maxLength": 80,
            },
            "properties_target": {
                **_string("Some resource types allow more than one key / value pair per instance."),
                "maxLength": 80,
            },
            **stamps,
        },
        "required": ["name"],
        "additionalProperties": False,
    }
    prop = {
        "name": "property",
        "properties": {
            "name": {"type": "string", "maxLength": 80},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "operators": {"type": "array", "items": {"type": "string"}},
            "type": {
                "type": "string",
                "enum": ["array", "boolean", "integer", "number", "object", "string", None],
            },
            "required": {"type": "array", "items": {"type": "string"}},
            "minimum": {"type": "number"},
            "maximum": {"type": "number"},
            "maxLength": {"type": "integer"},
            "minLength": {"type": "integer"},
            "pattern": {"type": "string", "format": "regex"},
            "enum": {"type": "array"},
            "readonly": {"type": "boolean"},
            "default": {},
            "items": {"type": "object"},
            "maxItems": {"type": "integer"},
            "minItems": {"type": "integer"},
            "uniqueItems": {"type": "boolean"},
            "additionalItems": {"type": "boolean"},
        },
        "required": ["name", "title", "type"],
        "additionalProperties": False,
    }
    obj = {
        "name": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 80},
            "description": {"type": "string"},
            "required": {"type": "array", "items": {"type": "string"}},
            "properties": {"type": "object"},
            "schema": {"type": "string", "readOnly": True},
            "self": {"type": "string", "readOnly": True},
            **stamps,
        },
        "required": ["name"],
        "additionalProperties": False,
    }
    tag = {
        "name": "tag",
        "properties": {"name": {"type": "string", "maxLength": 255}, **stamps},
        "required": ["name"],
        "additionalProperties": False,
    }
    namespace = {
        "name": "namespace",
        "properties": {
            "namespace": {**_string("The unique namespace text."), "maxLength": 80},
            "display_name": {**_string("The user friendly name for the namespace."), "maxLength": 80},
            "description": {
                **_string("Provides a user friendly description of the namespace."),
                "maxLength": 500,
            },
            "visibility": {**_string("Scope of namespace accessibility."), "enum": ["public", "private"]},
            "protected": {"type": "boolean", "description": "If true, namespace will not be deletable."},
            "owner": {**_string("Owner of the namespace."), "maxLength": 255},
            "resource_type_associations": {"type": "array", "items": association},
            "properties": {"type": "object"},
            "objects": {"type": "array", "items": obj},
            "tags": {"type": "array", "items": tag},
            "schema": {"type": "string", "readOnly": True},
            "self": {"type": "string", "readOnly": True},
            **stamps,
        },
        "required": ["namespace"],
        "additionalProperties": False,
    }

    def collection(name: str, key: str, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "properties": {
                key: {"type": "array", "items": item},
                "first": {"type": "string"},
                "next": {"type": "string"},
                "schema": {"type": "string"},
            },
            "links": [
                {"rel": "first", "href": "{first}"},
                {"rel": "next", "href": "{next}"},
                {"rel": "describedby", "href": "{schema}"},
            ],
        }

    return {
        "namespace": namespace,
        "namespaces": collection("namespaces", "namespaces", namespace),
        "object": obj,
        "objects": collection("objects", "objects", obj),
        "property": prop,
        "properties": {
            "name": "properties",
            "properties": {"properties": {"type": "object", "additionalProperties": prop}},
        },
        "resource_type": association,
        "resource_types": collection("resource_type_associations", "resource_type_associations", association),
        "tag": tag,
        "tags": collection("tags", "tags", tag),
    }


def list_namespaces(req: ApiRequest) -> dict[str, Any]:
    namespaces = _svc(req).list_namespaces(req.ctx, dict(req.query))
    return {
        "namespaces": namespaces,
        "first": "/v2/metadefs/namespaces",
        "schema": "/v2/schemas/metadefs/namespaces",
    }


def create_namespace(req: ApiRequest) -> ApiResponse:
    return ApiResponse(_svc(req).create_namespace(req.ctx, req.body), 201)


def register(api: ServiceApi) -> None:
    for name, schema in _schemas().items():
        api.add("GET", f"/v2/schemas/metadefs/{name}", lambda req, schema=schema: schema)
    api.add("GET", "/v2/metadefs/resource_types", lambda req: {"resource_types": _svc(req).resource_types()})
    api.add("GET", "/v2/metadefs/namespaces", list_namespaces)
    api.add("POST", "/v2/metadefs/namespaces", create_namespace, status=201)
    api.add("GET", NS, lambda req: _svc(req).get_namespace(req.ctx, _ns(req)))
    api.add("PUT", NS, lambda req: _svc(req).update_namespace(req.ctx, _ns(req), req.body))
    api.add("DELETE", NS, lambda req: _svc(req).delete_namespace(req.ctx, _ns(req)), status=204)
    # objects
    api.add(
        "GET",
        NS + "/objects",
        lambda req: {
            "objects": _svc(req).metadef_objects(req.ctx, _ns(req)),
            "schema": "v2/schemas/metadefs/objects",
        },
    )
    api.add(
        "POST",
        NS + "/objects",
        lambda req: ApiResponse(_svc(req).put_metadef_object(req.ctx, _ns(req), None, req.body), 201),
    )
    api.add(
        "GET",
        NS + "/objects/{name}",
        lambda req: _svc(req).metadef_object(req.ctx, _ns(req), req.path["name"]),
    )
    api.add(
        "PUT",
        NS + "/objects/{name}",
        lambda req: _svc(req).put_metadef_object(req.ctx, _ns(req), req.path["name"], req.body),
    )
    api.add(
        "DELETE",
        NS + "/objects/{name}",
        lambda req: _svc(req).delete_metadef_object(req.ctx, _ns(req), req.path["name"]),
        status=204,
    )
    # properties
    api.add(
        "GET", NS + "/properties", lambda req: {"properties": _svc(req).metadef_properties(req.ctx, _ns(req))}
    )
    api.add(
        "POST",
        NS + "/properties",
        lambda req: ApiResponse(_svc(req).put_metadef_property(req.ctx, _ns(req), None, req.body), 201),
    )
    api.add(
        "GET",
        NS + "/properties/{name}",
        lambda req: _svc(req).metadef_property(req.ctx, _ns(req), req.path["name"]),
    )
    api.add(
        "PUT",
        NS + "/properties/{name}",
        lambda req: _svc(req).put_metadef_property(req.ctx, _ns(req), req.path["name"], req.body),
    )
    api.add(
        "DELETE",
        NS + "/properties/{name}",
        lambda req: _svc(req).delete_metadef_property(req.ctx, _ns(req), req.path["name"]),
        status=204,
    )
    # tags
    api.add("GET", NS + "/tags", lambda req: {"tags": _svc(req).metadef_tags(req.ctx, _ns(req))})
    api.add("POST", NS + "/tags", create_tags, status=201)
    api.add(
        "DELETE", NS + "/tags", lambda req: _svc(req).delete_metadef_tags(req.ctx, _ns(req), None), status=204
    )
    api.add(
        "GET", NS + "/tags/{name}", lambda req: _svc(req).metadef_tag(req.ctx, _ns(req), req.path["name"])
    )
    api.add(
        "POST",
        NS + "/tags/{name}",
        lambda req: ApiResponse(
            _svc(req).put_metadef_tags(req.ctx, _ns(req), [req.path["name"]], replace_all=False)[0], 201
        ),
    )
    api.add("PUT", NS + "/tags/{name}", rename_tag)
    api.add(
        "DELETE",
        NS + "/tags/{name}",
        lambda req: _svc(req).delete_metadef_tags(req.ctx, _ns(req), req.path["name"]),
        status=204,
    )
    # resource type associations
    api.add(
        "GET",
        NS + "/resource_types",
        lambda req: {"resource_type_associations": _svc(req).associations(req.ctx, _ns(req))},
    )
    api.add(
        "POST",
        NS + "/resource_types",
        lambda req: ApiResponse(_svc(req).associate(req.ctx, _ns(req), req.body), 201),
    )
    api.add(
        "DELETE",
        NS + "/resource_types/{name}",
        lambda req: _svc(req).dissociate(req.ctx, _ns(req), req.path["name"]),
        status=204,
    )


def create_tags(req: ApiRequest) -> ApiResponse:
    body = req.body
    if not isinstance(body, dict) or not isinstance(body.get("tags"), list):
        raise BadRequest("Couldn't create metadata tag: 'tags' is a required property")
    names = [t.get("name") for t in body["tags"] if isinstance(t, dict)]
    if not all(isinstance(n, str) and n for n in names):
        raise BadRequest("Couldn't create metadata tag: 'name' is a required property")
    tags = _svc(req).put_metadef_tags(req.ctx, _ns(req), names, replace_all=True)
    return ApiResponse({"tags": [{"name": t["name"]} for t in tags]}, 201)


def rename_tag(req: ApiRequest) -> dict[str, Any]:
    body = req.body
    if not isinstance(body, dict) or not body.get("name"):
        raise BadRequest("Couldn't update metadata tag: 'name' is a required property")
    old = req.path["name"]
    return _svc(req).put_metadef_tags(req.ctx, _ns(req), [], replace_all=False, rename=(old, body["name"]))[0]
