"""Volume types: public/private, access lists, extra specs, the default type ``__DEFAULT__``;
QoS specs (stored and associated; the fake backend does not enforce them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, Conflict, NotFound
from twinstack.services.block_storage import models as m

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService

DEFAULT_TYPE_DESCRIPTION = "Default Volume Type"


class TypesMixin:
    def types_by_id(self: BlockStorageService, conn: Connection) -> dict[str, dict[str, Any]]:
        cache = self._types_cache
        if cache is None:
            cache = {r["id"]: dict(r) for r in conn.execute(select(m.volume_types)).mappings()}
            self._types_cache = cache
        return cache

    def _types_changed(self: BlockStorageService) -> None:
        self._types_cache = None
        self.usage_changed()  # per-type quota names follow the types
        self.limits_changed()

    def ensure_default_type(self: BlockStorageService) -> None:
        name = self.config.default_volume_type
        with self.cloud.db.begin() as conn:
            found = conn.execute(select(m.volume_types.c.id).where(m.volume_types.c.name == name)).first()
            if found is None:
                conn.execute(
                    m.volume_types.insert().values(
                        id=self.cloud.ids.uuid(),
                        name=name,
                        description=DEFAULT_TYPE_DESCRIPTION,
                        is_public=True,
                        extra_specs={},
                        created_at=self.now(),
                    )
                )
        self._types_changed()

    def default_volume_type(
        self: BlockStorageService, conn: Connection, ctx: RequestContext | None = None
    ) -> dict[str, Any]:
        for vtype in self.types_by_id(conn).values():
            if vtype["name"] == self.config.default_volume_type:
                return vtype
        raise NotFound("Default volume type can not be found.")

    def _accessible(
        self: BlockStorageService, conn: Connection, ctx: RequestContext, vtype: dict[str, Any]
    ) -> bool:
        if vtype["is_public"] or ctx.is_admin:
            return True
        return (
            conn.execute(
                select(m.type_access).where(
                    m.type_access.c.volume_type_id == vtype["id"],
                    m.type_access.c.project_id == ctx.project_id,
                )
            ).first()
            is not None
        )

    def find_volume_type(
        self: BlockStorageService, conn: Connection, ctx: RequestContext, ref: str
    ) -> dict[str, Any]:
        """A type by id or name that the caller may use; cinder's 404 otherwise."""
        types = self.types_by_id(conn)
        vtype = types.get(ref) or next((t for t in types.values() if t["name"] == ref), None)
        if vtype is None or not self._accessible(conn, ctx, vtype):
            raise NotFound(f"Volume type {ref} could not be found.")
        return vtype

    def get_volume_type(self: BlockStorageService, ctx: RequestContext, type_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            if type_id == "default":
                return self.default_volume_type(conn, ctx)
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None or not self._accessible(conn, ctx, vtype):
                raise NotFound(f"Volume type {type_id} could not be found.")
            return vtype

    def list_volume_types(
        self: BlockStorageService, ctx: RequestContext, is_public: str | None
    ) -> list[dict[str, Any]]:
        with self.cloud.db.begin() as conn:
            types = list(self.types_by_id(conn).values())
            access = {
                r[0]
                for r in conn.execute(
                    select(m.type_access.c.volume_type_id).where(m.type_access.c.project_id == ctx.project_id)
                )
            }
        flag = None
        if is_public is not None and is_public.lower() != "none":
            flag = is_public.strip().lower() in ("1", "true", "yes", "on", "t", "y")
        out = []
        for t in types:
            if ctx.is_admin:
                if flag is not None and bool(t["is_public"]) != flag:
                    continue
            elif not (t["is_public"] or t["id"] in access):
                continue
            out.append(t)
        return sorted(out, key=lambda t: t["created_at"])

    def create_volume_type(
        self: BlockStorageService,
        ctx: RequestContext,
        *,
        name: str,
        description: str | None,
        is_public: bool,
        extra_specs: dict[str, str],
    ) -> dict[str, Any]:
        row = {
            "id": self.cloud.ids.uuid(),
            "name": name,
            "description": description,
            "is_public": is_public,
            "extra_specs": dict(extra_specs),
            "qos_specs_id": None,
            "created_at": self.now(),
            "updated_at": None,
        }
        try:
            with self.cloud.db.begin() as conn:
                conn.execute(m.volume_types.insert().values(**row))
        except IntegrityError:
            raise Conflict(f"Volume Type {name} already exists.") from None
        finally:
            self._types_changed()
        return row

    def update_volume_type(
        self: BlockStorageService, ctx: RequestContext, type_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            values = {k: v for k, v in changes.items() if k in ("name", "description", "is_public")}
            values["updated_at"] = self.now()
            if values.get("name"):
                clash = conn.execute(
                    select(m.volume_types.c.id).where(
                        m.volume_types.c.name == values["name"], m.volume_types.c.id != type_id
                    )
                ).first()
                if clash:
                    raise Conflict(f"Volume Type {values['name']} already exists.")
            conn.execute(update(m.volume_types).where(m.volume_types.c.id == type_id).values(**values))
        self._types_changed()
        return {**vtype, **values}

    def delete_volume_type(self: BlockStorageService, ctx: RequestContext, type_id: str) -> None:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            if vtype["name"] == self.config.default_volume_type:
                raise BadRequest("Default volume type can not be deleted.")
            used = conn.execute(
                select(func.count()).select_from(m.volumes).where(m.volumes.c.volume_type_id == type_id)
            ).scalar()
            if used:
                raise BadRequest("Target volume type is still in use.")
            conn.execute(delete(m.type_access).where(m.type_access.c.volume_type_id == type_id))
            conn.execute(delete(m.volume_types).where(m.volume_types.c.id == type_id))
        self._types_changed()

    # extra specs
    def set_extra_specs(
        self: BlockStorageService, ctx: RequestContext, type_id: str, specs: dict[str, str]
    ) -> dict[str, str]:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            in_use = conn.execute(
                select(func.count()).select_from(m.volumes).where(m.volumes.c.volume_type_id == type_id)
            ).scalar()
            if in_use and any(
                k in ("multiattach", "volume_backend_name") or k.startswith("RESKEY:")
                for k in specs
                if vtype["extra_specs"].get(k) != specs[k]
            ):
                raise BadRequest("Volume Type is currently in use.")
            new = {**vtype["extra_specs"], **specs}
            conn.execute(
                update(m.volume_types)
                .where(m.volume_types.c.id == type_id)
                .values(extra_specs=new, updated_at=self.now())
            )
        self._types_changed()
        return new

    def delete_extra_spec(self: BlockStorageService, ctx: RequestContext, type_id: str, key: str) -> None:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            specs = dict(vtype["extra_specs"])
            if key not in specs:
                raise NotFound(f"Volume Type {type_id} has no extra specs with key {key}.")
            del specs[key]
            conn.execute(
                update(m.volume_types)
                .where(m.volume_types.c.id == type_id)
                .values(extra_specs=specs, updated_at=self.now())
            )
        self._types_changed()

    # access
    def type_access(self: BlockStorageService, ctx: RequestContext, type_id: str) -> list[dict[str, str]]:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            if vtype["is_public"]:
                raise NotFound("Access list not available for public volume types.")
            rows = conn.execute(select(m.type_access).where(m.type_access.c.volume_type_id == type_id)).all()
        return [{"volume_type_id": r[0], "project_id": r[1]} for r in rows]

    def add_type_access(
        self: BlockStorageService, ctx: RequestContext, type_id: str, project_id: str
    ) -> None:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            if vtype["is_public"]:
                raise BadRequest(
                    "Invalid volume type: Type access modification is not applicable to public volume type."
                )
            exists = conn.execute(
                select(m.type_access).where(
                    m.type_access.c.volume_type_id == type_id, m.type_access.c.project_id == project_id
                )
            ).first()
            if exists:
                raise Conflict(f"Volume type access for {type_id} / {project_id} combination already exists.")
            conn.execute(m.type_access.insert().values(volume_type_id=type_id, project_id=project_id))

    def remove_type_access(
        self: BlockStorageService, ctx: RequestContext, type_id: str, project_id: str
    ) -> None:
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            if vtype["is_public"]:
                raise BadRequest(
                    "Invalid volume type: Type access modification is not applicable to public volume type."
                )
            done = conn.execute(
                delete(m.type_access).where(
                    m.type_access.c.volume_type_id == type_id, m.type_access.c.project_id == project_id
                )
            ).rowcount
            if not done:
                raise NotFound(f"Volume type access not found for {type_id} / {project_id} combination.")

    # QoS specs
    def list_qos(self: BlockStorageService) -> list[dict[str, Any]]:
        with self.cloud.db.begin() as conn:
            return [
                dict(r)
                for r in conn.execute(select(m.qos_specs).order_by(m.qos_specs.c.created_at)).mappings()
            ]

    def get_qos(self: BlockStorageService, qos_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            row = conn.execute(select(m.qos_specs).where(m.qos_specs.c.id == qos_id)).mappings().first()
        if row is None:
            raise NotFound(f"No such QoS spec {qos_id}.")
        return dict(row)

    def create_qos(self: BlockStorageService, name: str, specs: dict[str, str]) -> dict[str, Any]:
        consumer = specs.pop("consumer", "back-end")
        if consumer not in ("front-end", "back-end", "both"):
            raise BadRequest(
                "Invalid input received: Valid consumer of QoS specs are: ['front-end', 'back-end', 'both']"
            )
        row = {
            "id": self.cloud.ids.uuid(),
            "name": name,
            "consumer": consumer,
            "specs": specs,
            "created_at": self.now(),
        }
        try:
            with self.cloud.db.begin() as conn:
                conn.execute(m.qos_specs.insert().values(**row))
        except IntegrityError:
            raise Conflict(f"QoS Specs {name} already exists.") from None
        return row

    def set_qos_keys(self: BlockStorageService, qos_id: str, specs: dict[str, str]) -> dict[str, str]:
        row = self.get_qos(qos_id)
        new = {**row["specs"], **specs}
        with self.cloud.db.begin() as conn:
            conn.execute(update(m.qos_specs).where(m.qos_specs.c.id == qos_id).values(specs=new))
        return specs

    def unset_qos_keys(self: BlockStorageService, qos_id: str, keys: list[str]) -> None:
        row = self.get_qos(qos_id)
        specs = dict(row["specs"])
        for key in keys:
            if key not in specs:
                raise NotFound(f"QoS spec {qos_id} has no spec with key {key}.")
            del specs[key]
        with self.cloud.db.begin() as conn:
            conn.execute(update(m.qos_specs).where(m.qos_specs.c.id == qos_id).values(specs=specs))

    def delete_qos(self: BlockStorageService, qos_id: str, force: bool) -> None:
        self.get_qos(qos_id)
        with self.cloud.db.begin() as conn:
            used = conn.execute(
                select(func.count())
                .select_from(m.volume_types)
                .where(m.volume_types.c.qos_specs_id == qos_id)
            ).scalar()
            if used and not force:
                raise BadRequest(f"QoS Specs {qos_id} is still associated with entities.")
            conn.execute(
                update(m.volume_types)
                .where(m.volume_types.c.qos_specs_id == qos_id)
                .values(qos_specs_id=None)
            )
            conn.execute(delete(m.qos_specs).where(m.qos_specs.c.id == qos_id))
        self._types_changed()

    def qos_associations(self: BlockStorageService, qos_id: str) -> list[dict[str, str]]:
        self.get_qos(qos_id)
        with self.cloud.db.begin() as conn:
            rows = conn.execute(
                select(m.volume_types.c.id, m.volume_types.c.name).where(
                    m.volume_types.c.qos_specs_id == qos_id
                )
            ).all()
        return [{"association_type": "volume_type", "id": r[0], "name": r[1]} for r in rows]

    def associate_qos(self: BlockStorageService, qos_id: str, type_id: str | None) -> None:
        self.get_qos(qos_id)
        if not type_id:
            raise BadRequest("Volume Type id must not be None.")
        with self.cloud.db.begin() as conn:
            vtype = self.types_by_id(conn).get(type_id)
            if vtype is None:
                raise NotFound(f"Volume type {type_id} could not be found.")
            if vtype["qos_specs_id"] and vtype["qos_specs_id"] != qos_id:
                raise BadRequest(
                    f"Type {type_id} is already associated with another qos specs: {vtype['qos_specs_id']}"
                )
            conn.execute(
                update(m.volume_types).where(m.volume_types.c.id == type_id).values(qos_specs_id=qos_id)
            )
        self._types_changed()

    def disassociate_qos(self: BlockStorageService, qos_id: str, type_id: str | None) -> None:
        self.get_qos(qos_id)
        with self.cloud.db.begin() as conn:
            query = update(m.volume_types).where(m.volume_types.c.qos_specs_id == qos_id)
            if type_id:
                if type_id not in self.types_by_id(conn):
                    raise NotFound(f"Volume type {type_id} could not be found.")
                query = query.where(m.volume_types.c.id == type_id)
            conn.execute(query.values(qos_specs_id=None))
        self._types_changed()
