"""Metadata definitions (``/v2/metadefs``): namespaces with their objects, properties, tags and
resource type associations, as glance's metadef API keeps them. Writes are admin-only (glance's
default policy); readers see public namespaces and their own project's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from twinstack.core.clock import isotime
from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound
from twinstack.services.image import models as m

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from twinstack.services.image.service import ImageService

ns_t = m.metadef_namespaces
# glance's seeded resource types (glance-manage db load_metadefs).
RESOURCE_TYPES = (
    "OS::Glance::Image",
    "OS::Cinder::Volume",
    "OS::Nova::Flavor",
    "OS::Nova::Aggregate",
    "OS::Nova::Server",
    "OS::Trove::Instance",
    "OS::Glance::Metadef",
)
NAMESPACE_FIELDS = ("namespace", "display_name", "description", "visibility", "protected", "owner")
READ_ONLY = ("self", "schema", "created_at", "updated_at")


def _time(dt: datetime) -> str:
    return isotime(dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt)


def _stamp(now: datetime) -> dict[str, str]:
    text = _time(now)
    return {"created_at": text, "updated_at": text}


def namespace_view(row: dict[str, Any], *, full: bool = True) -> dict[str, Any]:
    name = row["namespace"]
    view: dict[str, Any] = {k: row[k] for k in NAMESPACE_FIELDS if row[k] is not None}
    view["created_at"] = _time(row["created_at"])
    view["updated_at"] = _time(row["updated_at"])
    if row["resource_types"]:
        view["resource_type_associations"] = list(row["resource_types"])
    if full:
        if row["properties"]:
            view["properties"] = row["properties"]
        if row["objects"]:
            view["objects"] = list(row["objects"].values())
        if row["tags"]:
            view["tags"] = [{"name": t} for t in row["tags"]]
    view["self"] = f"/v2/metadefs/namespaces/{name}"
    view["schema"] = "/v2/schemas/metadefs/namespace"
    return view


def _check_writable(body: dict[str, Any]) -> None:
    for key in READ_ONLY:
        if key in body:
            raise Forbidden(f"Attribute '{key}' is read-only.")


class MetadefsMixin:
    def _ns(self: ImageService, conn: Connection, ctx: RequestContext, namespace: str) -> dict[str, Any]:
        row = conn.execute(select(ns_t).where(ns_t.c.namespace == namespace)).mappings().first()
        if row is None or not (
            ctx.is_admin or row["visibility"] == "public" or row["owner"] == ctx.project_id
        ):
            raise NotFound(f"Namespace {namespace} not found")
        return dict(row)

    def _admin_only(self: ImageService, ctx: RequestContext, rule: str) -> None:
        if not ctx.is_admin:
            raise Forbidden(f"You are not authorized to complete {rule} action.")

    def _save_ns(
        self: ImageService, conn: Connection, row: dict[str, Any], old_name: str | None = None
    ) -> None:
        row["updated_at"] = self._now()
        values = {k: v for k, v in row.items()}
        conn.execute(ns_t.update().where(ns_t.c.namespace == (old_name or row["namespace"])).values(**values))

    # namespaces ------------------------------------------------------------------------------
    def list_namespaces(
        self: ImageService, ctx: RequestContext, params: dict[str, str]
    ) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            rows = [dict(r) for r in conn.execute(select(ns_t).order_by(ns_t.c.created_at)).mappings()]
        rows = [
            r for r in rows if ctx.is_admin or r["visibility"] == "public" or r["owner"] == ctx.project_id
        ]
        if params.get("visibility"):
            rows = [r for r in rows if r["visibility"] == params["visibility"]]
        if params.get("resource_types"):
            wanted = set(params["resource_types"].split(","))
            rows = [r for r in rows if wanted & {a["name"] for a in r["resource_types"]}]
        return [namespace_view(r, full=False) for r in rows]

    def create_namespace(self: ImageService, ctx: RequestContext, body: Any) -> dict[str, Any]:
        self._admin_only(ctx, "add_metadef_namespace")
        if not isinstance(body, dict) or not body.get("namespace"):
            raise BadRequest("Couldn't create metadata namespace: 'namespace' is a required property")
        _check_writable(body)
        visibility = body.get("visibility", "private")
        if visibility not in ("public", "private"):
            raise BadRequest(
                f"Couldn't create metadata namespace: '{visibility}' is not one of ['public', 'private']"
            )
        now = self._now()
        associations = [self._association(a, now) for a in body.get("resource_type_associations") or []]
        props = dict(body.get("properties") or {})
        objects = {o["name"]: self._object(o, now) for o in body.get("objects") or [] if isinstance(o, dict)}
        tags = {t["name"]: _stamp(now) for t in body.get("tags") or [] if isinstance(t, dict) and "name" in t}
        row = {
            "namespace": body["namespace"],
            "display_name": body.get("display_name"),
            "description": body.get("description"),
            "visibility": visibility,
            "protected": bool(body.get("protected", False)),
            "owner": body.get("owner") or ctx.project_id,
            "created_at": now,
            "updated_at": now,
            "objects": objects,
            "properties": props,
            "tags": tags,
            "resource_types": associations,
        }
        with self.db.begin() as conn:
            if conn.execute(select(ns_t.c.namespace).where(ns_t.c.namespace == row["namespace"])).first():
                raise Conflict(f"Metadata definition namespace={row['namespace']} already exists.")
            conn.execute(ns_t.insert(), row)
        return namespace_view(row)

    def get_namespace(self: ImageService, ctx: RequestContext, namespace: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            return namespace_view(self._ns(conn, ctx, namespace))

    def update_namespace(
        self: ImageService, ctx: RequestContext, namespace: str, body: Any
    ) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest("Body expected in request.")
        _check_writable(body)
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "modify_metadef_namespace")
            for key in NAMESPACE_FIELDS:
                if key in body:
                    row[key] = body[key]
            if row["visibility"] not in ("public", "private"):
                raise BadRequest(
                    f"Couldn't update metadata namespace: '{row['visibility']}' is not one of "
                    "['public', 'private']"
                )
            self._save_ns(conn, row, namespace)
        return namespace_view(row)

    def delete_namespace(self: ImageService, ctx: RequestContext, namespace: str) -> None:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "delete_metadef_namespace")
            if row["protected"]:
                raise Forbidden(
                    f"Metadata definition namespace {namespace} is protected and cannot be deleted."
                )
            conn.execute(ns_t.delete().where(ns_t.c.namespace == namespace))

    # objects ---------------------------------------------------------------------------------
    @staticmethod
    def _object(body: dict[str, Any], now: datetime, created: str | None = None) -> dict[str, Any]:
        stamp = _stamp(now)
        return {
            "name": body["name"],
            "description": body.get("description"),
            "required": body.get("required", []),
            "properties": body.get("properties", {}),
            "created_at": created or stamp["created_at"],
            "updated_at": stamp["updated_at"],
        }

    def _object_view(self: ImageService, namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in obj.items() if v is not None}
        view["self"] = f"/v2/metadefs/namespaces/{namespace}/objects/{obj['name']}"
        view["schema"] = "v2/schemas/metadefs/object"
        return view

    def metadef_objects(self: ImageService, ctx: RequestContext, namespace: str) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
        return [self._object_view(namespace, o) for o in row["objects"].values()]

    def metadef_object(self: ImageService, ctx: RequestContext, namespace: str, name: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
        if name not in row["objects"]:
            raise NotFound(f"Metadata definition object not found for id={name}")
        return self._object_view(namespace, row["objects"][name])

    def put_metadef_object(
        self: ImageService, ctx: RequestContext, namespace: str, name: str | None, body: Any
    ) -> dict[str, Any]:
        """Create (``name`` None) or update an object."""
        if not isinstance(body, dict) or not body.get("name"):
            raise BadRequest("Couldn't create metadata object: 'name' is a required property")
        _check_writable(body)
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "add_metadef_object" if name is None else "modify_metadef_object")
            objects = dict(row["objects"])
            created = None
            if name is not None:
                if name not in objects:
                    raise NotFound(f"Metadata definition object not found for id={name}")
                created = objects.pop(name)["created_at"]
            if body["name"] in objects:
                raise Conflict(
                    f"A metadata definition object with name={body['name']} already exists in "
                    f"namespace={namespace}."
                )
            obj = self._object(body, self._now(), created)
            objects[obj["name"]] = obj
            row["objects"] = objects
            self._save_ns(conn, row)
        return self._object_view(namespace, obj)

    def delete_metadef_object(self: ImageService, ctx: RequestContext, namespace: str, name: str) -> None:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "delete_metadef_object")
            if name not in row["objects"]:
                raise NotFound(f"Metadata definition object not found for id={name}")
            row["objects"] = {k: v for k, v in row["objects"].items() if k != name}
            self._save_ns(conn, row)

    # properties ------------------------------------------------------------------------------
    def metadef_properties(self: ImageService, ctx: RequestContext, namespace: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            return dict(self._ns(conn, ctx, namespace)["properties"])

    def metadef_property(
        self: ImageService, ctx: RequestContext, namespace: str, name: str
    ) -> dict[str, Any]:
        props = self.metadef_properties(ctx, namespace)
        if name not in props:
            raise NotFound(f"Metadata definition property not found for id={name}")
        return {"name": name, **props[name]}

    def put_metadef_property(
        self: ImageService, ctx: RequestContext, namespace: str, name: str | None, body: Any
    ) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("name"):
            raise BadRequest("Couldn't create metadata property: 'name' is a required property")
        for key in ("title", "type"):
            if key not in body:
                raise BadRequest(f"Couldn't create metadata property: '{key}' is a required property")
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "add_metadef_property" if name is None else "modify_metadef_property")
            props = dict(row["properties"])
            if name is not None:
                if name not in props:
                    raise NotFound(f"Metadata definition property not found for id={name}")
                props.pop(name)
            if body["name"] in props:
                raise Conflict(
                    f"A metadata definition property with name={body['name']} already exists in "
                    f"namespace={namespace}."
                )
            props[body["name"]] = {k: v for k, v in body.items() if k != "name"}
            row["properties"] = props
            self._save_ns(conn, row)
        return dict(body)

    def delete_metadef_property(self: ImageService, ctx: RequestContext, namespace: str, name: str) -> None:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "remove_metadef_property")
            if name not in row["properties"]:
                raise NotFound(f"Metadata definition property not found for id={name}")
            row["properties"] = {k: v for k, v in row["properties"].items() if k != name}
            self._save_ns(conn, row)

    # tags ------------------------------------------------------------------------------------
    @staticmethod
    def _tag_view(name: str, stamp: dict[str, str]) -> dict[str, Any]:
        return {"name": name, **stamp}

    def metadef_tags(self: ImageService, ctx: RequestContext, namespace: str) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
        return [self._tag_view(k, v) for k, v in row["tags"].items()]

    def metadef_tag(self: ImageService, ctx: RequestContext, namespace: str, name: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            tags = self._ns(conn, ctx, namespace)["tags"]
        if name not in tags:
            raise NotFound(f"Metadata tag not found for id {name}")
        return self._tag_view(name, tags[name])

    def put_metadef_tags(
        self: ImageService,
        ctx: RequestContext,
        namespace: str,
        names: list[str],
        *,
        replace_all: bool,
        rename: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Add tags (all of them replacing the old ones for ``POST .../tags``) or rename one."""
        now = self._now()
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "add_metadef_tags" if replace_all else "modify_metadef_tag")
            tags = {} if replace_all else dict(row["tags"])
            if rename is not None:
                old, new = rename
                if old not in tags:
                    raise NotFound(f"Metadata tag not found for id {old}")
                stamp = tags.pop(old)
                tags[new] = {"created_at": stamp["created_at"], "updated_at": _time(now)}
                names = [new]
            else:
                for name in names:
                    if name in tags:
                        raise Conflict(
                            f"A metadata tag with name={name} already exists in namespace={namespace}."
                        )
                    tags[name] = _stamp(now)
            row["tags"] = tags
            self._save_ns(conn, row)
        return [self._tag_view(n, tags[n]) for n in names]

    def delete_metadef_tags(
        self: ImageService, ctx: RequestContext, namespace: str, name: str | None
    ) -> None:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "delete_metadef_tags" if name is None else "delete_metadef_tag")
            if name is not None and name not in row["tags"]:
                raise NotFound(f"Metadata tag not found for id {name}")
            row["tags"] = {} if name is None else {k: v for k, v in row["tags"].items() if k != name}
            self._save_ns(conn, row)

    # resource types --------------------------------------------------------------------------
    @staticmethod
    def _association(body: Any, now: datetime) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("name"):
            raise BadRequest("Couldn't create resource type association: 'name' is a required property")
        view = {"name": body["name"], **_stamp(now)}
        for key in ("prefix", "properties_target"):
            if body.get(key) is not None:
                view[key] = body[key]
        return view

    def resource_types(self: ImageService) -> list[dict[str, Any]]:
        stamp = _stamp(datetime(2014, 8, 28, 17, 13, 4))
        return [{"name": name, **stamp} for name in RESOURCE_TYPES]

    def associations(self: ImageService, ctx: RequestContext, namespace: str) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return list(self._ns(conn, ctx, namespace)["resource_types"])

    def associate(self: ImageService, ctx: RequestContext, namespace: str, body: Any) -> dict[str, Any]:
        association = self._association(body, self._now())
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "add_metadef_resource_type_association")
            if any(a["name"] == association["name"] for a in row["resource_types"]):
                raise Conflict(
                    f"The metadata definition resource-type association of resource-type="
                    f"{association['name']} to namespace={namespace}, already exists."
                )
            row["resource_types"] = [*row["resource_types"], association]
            self._save_ns(conn, row)
        return association

    def dissociate(self: ImageService, ctx: RequestContext, namespace: str, name: str) -> None:
        with self.db.begin() as conn:
            row = self._ns(conn, ctx, namespace)
            self._admin_only(ctx, "remove_metadef_resource_type_association")
            if not any(a["name"] == name for a in row["resource_types"]):
                raise NotFound(
                    f"The metadata definition resource-type association of resource-type={name} to "
                    f"namespace={namespace}, was not found."
                )
            row["resource_types"] = [a for a in row["resource_types"] if a["name"] != name]
            self._save_ns(conn, row)
