"""Tags on any standard resource, quotas, and trunks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select

from twinstack.core.context import RequestContext
from twinstack.services.network import models as m
from twinstack.services.network.attributes import TRUNK
from twinstack.services.network.base import DEFAULT_QUOTAS
from twinstack.services.network.errors import bad_request, conflict, err, invalid_attr, missing, not_found
from twinstack.services.network.resource import ListParams
from twinstack.services.network.routers import RoutersMixin
from twinstack.services.network.validators import quota_limit, sub_ports

MAX_TAG_LEN = 255

# URL collection -> (resource kind, table) for /v2.0/{collection}/{id}/tags
TAGGABLE = {
    "networks": ("network", m.networks),
    "subnets": ("subnet", m.subnets),
    "ports": ("port", m.ports),
    "routers": ("router", m.routers),
    "subnetpools": ("subnetpool", m.subnetpools),
    "floatingips": ("floatingip", m.floatingips),
    "security-groups": ("security_group", m.security_groups),
    "address-scopes": ("address_scope", m.address_scopes),
    "trunks": ("trunk", m.trunks),
}


class ExtrasMixin(RoutersMixin):
    # tags -----------------------------------------------------------------------------------
    def _tag_parent(self, conn: Connection, ctx: RequestContext, collection: str, resource_id: str) -> Any:
        kind, table = TAGGABLE[collection]
        row = self.row(conn, table, resource_id)
        visible = row is not None and (
            self.owned(ctx, row)
            or (kind == "network" and self.network_usable(conn, ctx, row))
            or row.get("shared") is True
        )
        if kind == "subnet" and row is not None and not visible:
            try:
                self.subnet_row(conn, ctx, resource_id)
                visible = True
            except Exception:
                visible = False
        if not visible:
            raise missing(kind, resource_id)
        return table

    @staticmethod
    def _check_tag(tag: Any) -> str:
        if not isinstance(tag, str) or not tag:
            raise invalid_attr("tags", f"'{tag}' is not a valid string")
        if len(tag) > MAX_TAG_LEN:
            raise invalid_attr("tags", f"'{tag}' exceeds maximum length of {MAX_TAG_LEN}")
        return tag

    def get_tags(self, ctx: RequestContext, collection: str, resource_id: str) -> list[str]:
        with self.tx() as conn:
            self._tag_parent(conn, ctx, collection, resource_id)
            return self.tags_for(conn, [resource_id])[resource_id]

    def has_tag(self, ctx: RequestContext, collection: str, resource_id: str, tag: str) -> None:
        if tag not in self.get_tags(ctx, collection, resource_id):
            raise not_found("TagNotFound", f"Tag {tag} could not be found.")

    def add_tag(self, ctx: RequestContext, collection: str, resource_id: str, tag: str) -> None:
        self._check_tag(tag)
        with self.tx() as conn:
            table = self._tag_parent(conn, ctx, collection, resource_id)
            if tag not in self.tags_for(conn, [resource_id])[resource_id]:
                self.insert(conn, m.tags, {"resource_id": resource_id, "tag": tag})
                self.touch(conn, table, resource_id)

    def replace_tags(self, ctx: RequestContext, collection: str, resource_id: str, body: Any) -> list[str]:
        if not isinstance(body, dict) or not isinstance(body.get("tags"), list):
            raise bad_request("Invalid tags body")
        extra = set(body) - {"tags"}
        if extra:
            raise bad_request(f"Unrecognized attribute(s) '{', '.join(sorted(extra))}'")
        tags = sorted({self._check_tag(t) for t in body["tags"]})
        with self.tx() as conn:
            table = self._tag_parent(conn, ctx, collection, resource_id)
            self.drop_tags(conn, resource_id)
            for tag in tags:
                self.insert(conn, m.tags, {"resource_id": resource_id, "tag": tag})
            self.touch(conn, table, resource_id)
        return tags

    def remove_tag(self, ctx: RequestContext, collection: str, resource_id: str, tag: str) -> None:
        with self.tx() as conn:
            table = self._tag_parent(conn, ctx, collection, resource_id)
            t = m.tags
            if (
                conn.execute(select(t.c.tag).where(t.c.resource_id == resource_id, t.c.tag == tag)).first()
                is None
            ):
                raise not_found("TagNotFound", f"Tag {tag} could not be found.")
            conn.execute(delete(t).where(t.c.resource_id == resource_id, t.c.tag == tag))
            self.touch(conn, table, resource_id)

    def remove_all_tags(self, ctx: RequestContext, collection: str, resource_id: str) -> None:
        with self.tx() as conn:
            table = self._tag_parent(conn, ctx, collection, resource_id)
            self.drop_tags(conn, resource_id)
            self.touch(conn, table, resource_id)

    # quotas ---------------------------------------------------------------------------------
    def _quota_target(self, ctx: RequestContext, project_id: str) -> None:
        if not ctx.is_admin and project_id != ctx.project_id:
            raise err(
                "NotAuthorized", 403, "Non-admin is not authorized to access quotas for another project"
            )

    def get_quota(self, ctx: RequestContext, project_id: str) -> dict[str, int]:
        self._quota_target(ctx, project_id)
        with self.tx() as conn:
            return self.quota_limits(conn, project_id)

    def quota_details(self, ctx: RequestContext, project_id: str) -> dict[str, dict[str, int]]:
        self._quota_target(ctx, project_id)
        with self.tx() as conn:
            limits = self.quota_limits(conn, project_id)
            return {
                r: {"limit": limit, "used": self.usage(conn, project_id, r), "reserved": 0}
                for r, limit in limits.items()
            }

    def list_quotas(self, ctx: RequestContext) -> list[dict[str, Any]]:
        q = m.quotas
        with self.tx() as conn:
            query = select(q.c.project_id).distinct()
            if not ctx.is_admin:
                query = query.where(q.c.project_id == ctx.project_id)
            projects = [r[0] for r in conn.execute(query)]
            return [{**self.quota_limits(conn, p), "project_id": p, "tenant_id": p} for p in projects]

    def update_quota(self, ctx: RequestContext, project_id: str, body: Any) -> dict[str, int]:
        if not ctx.is_admin:
            raise err(
                "AdminRequired", 403, "User does not have admin privileges: Only admin can update quotas."
            )
        if not isinstance(body, dict) or not isinstance(body.get("quota"), dict):
            raise bad_request("Unable to find 'quota' in request body")
        changes = body["quota"]
        unknown = [k for k in changes if k not in DEFAULT_QUOTAS]
        if unknown:
            raise bad_request(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
        for name, value in changes.items():
            reason = quota_limit(value)
            if reason:
                raise invalid_attr(name, reason)
        q = m.quotas
        self.quota_cache.clear()
        with self.tx() as conn:
            for name, value in changes.items():
                conn.execute(delete(q).where(q.c.project_id == project_id, q.c.resource == name))
                self.insert(conn, q, {"project_id": project_id, "resource": name, "hard_limit": int(value)})
            return self.quota_limits(conn, project_id)

    def delete_quota(self, ctx: RequestContext, project_id: str) -> None:
        if not ctx.is_admin:
            raise err(
                "AdminRequired", 403, "User does not have admin privileges: Only admin can delete quotas."
            )
        self.quota_cache.clear()
        with self.tx() as conn:
            conn.execute(delete(m.quotas).where(m.quotas.c.project_id == project_id))

    # trunks ---------------------------------------------------------------------------------
    def _trunk_row(self, conn: Connection, ctx: RequestContext, trunk_id: str) -> dict[str, Any]:
        return self.owned_row(conn, ctx, "trunk", m.trunks, trunk_id)

    def _subports(self, conn: Connection, trunk_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        sp = m.subports
        out: dict[str, list[dict[str, Any]]] = {t: [] for t in trunk_ids}
        for row in conn.execute(select(sp).where(sp.c.trunk_id.in_(trunk_ids))).mappings():
            out[row["trunk_id"]].append(
                {
                    "port_id": row["port_id"],
                    "segmentation_type": row["segmentation_type"],
                    "segmentation_id": row["segmentation_id"],
                }
            )
        return out

    def _trunk_items(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = [TRUNK.item(r) for r in rows]
        subs = self._subports(conn, [i["id"] for i in items])
        self.add_tags(conn, items)
        for item in items:
            item["sub_ports"] = subs[item["id"]]
            parent = self.row(conn, m.ports, item["port_id"])
            item["status"] = "ACTIVE" if parent and parent["binding_host_id"] else "DOWN"
        return items

    def _trunk_view(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], fields: list[str] | None = None
    ) -> dict[str, Any]:
        return TRUNK.view(self._trunk_items(conn, [row])[0], ctx, fields)

    def list_trunks(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        with self.tx() as conn:
            items = self.select_items(conn, TRUNK, ctx, params, self.project_clause(ctx, m.trunks))
            items = self._trunk_items(conn, [dict(self.row(conn, m.trunks, i["id"]) or {}) for i in items])
        return self.finish_list(TRUNK, ctx, items, params)

    def show_trunk(
        self, ctx: RequestContext, trunk_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return self._trunk_view(conn, ctx, self._trunk_row(conn, ctx, trunk_id), fields)

    def create_trunk(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = TRUNK.parse_create(ctx, data)
        with self.tx() as conn:
            parent = self.port_row(conn, ctx, values["port_id"])
            self._check_trunk_port_free(conn, parent["id"])
            row = self.stamp(TRUNK.row_values(values))
            row["status"] = "DOWN"
            self.insert(conn, m.trunks, row)
            self._add_subports(conn, ctx, row, values.get("sub_ports") or [])
            return self._trunk_view(conn, ctx, row)

    def _check_trunk_port_free(self, conn: Connection, port_id: str) -> None:
        t, sp = m.trunks, m.subports
        if (
            conn.execute(select(t.c.id).where(t.c.port_id == port_id)).first() is not None
            or conn.execute(select(sp.c.trunk_id).where(sp.c.port_id == port_id)).first() is not None
        ):
            raise conflict("TrunkPortInUse", f"Port {port_id} is in use by another trunk.")

    def _add_subports(self, conn: Connection, ctx: RequestContext, trunk: dict[str, Any], subs: Any) -> None:
        reason = sub_ports(subs)
        if reason:
            raise invalid_attr("sub_ports", reason)
        sp = m.subports
        used = {
            (r[0], r[1])
            for r in conn.execute(
                select(sp.c.segmentation_type, sp.c.segmentation_id).where(sp.c.trunk_id == trunk["id"])
            )
        }
        for sub in subs:
            port = self.port_row(conn, ctx, sub["port_id"])
            if port["id"] == trunk["port_id"]:
                raise conflict(
                    "ParentPortInUse",
                    f"Port {port['id']} is currently in use and is not eligible for use as a parent port.",
                )
            self._check_trunk_port_free(conn, port["id"])
            seg_type = sub.get("segmentation_type", "vlan")
            seg_id = int(sub.get("segmentation_id", 0))
            if (seg_type, seg_id) in used:
                raise conflict(
                    "DuplicateSubPort",
                    f"segmentation_type {seg_type} and segmentation_id {seg_id} already "
                    f"in use on trunk {trunk['id']}.",
                )
            used.add((seg_type, seg_id))
            self.insert(
                conn,
                sp,
                {
                    "port_id": port["id"],
                    "trunk_id": trunk["id"],
                    "segmentation_type": seg_type,
                    "segmentation_id": seg_id,
                },
            )
            self.touch(conn, m.ports, port["id"], device_owner="trunk:subport", device_id=trunk["id"])

    def update_trunk(self, ctx: RequestContext, trunk_id: str, data: dict[str, Any]) -> dict[str, Any]:
        values = TRUNK.parse_update(ctx, data)
        with self.tx() as conn:
            self._trunk_row(conn, ctx, trunk_id)
            if values:
                self.touch(conn, m.trunks, trunk_id, **TRUNK.row_values(values))
            return self._trunk_view(conn, ctx, self._trunk_row(conn, ctx, trunk_id))

    def delete_trunk(self, ctx: RequestContext, trunk_id: str) -> None:
        with self.tx() as conn:
            row = self._trunk_row(conn, ctx, trunk_id)
            parent = self.row(conn, m.ports, row["port_id"])
            if parent is not None and parent["binding_host_id"]:
                raise conflict("TrunkInUse", f"Trunk {trunk_id} is currently in use.")
            for sub in self._subports(conn, [trunk_id])[trunk_id]:
                self.touch(conn, m.ports, sub["port_id"], device_owner="", device_id="")
            conn.execute(delete(m.subports).where(m.subports.c.trunk_id == trunk_id))
            self.drop_tags(conn, trunk_id)
            conn.execute(delete(m.trunks).where(m.trunks.c.id == trunk_id))

    def add_subports(self, ctx: RequestContext, trunk_id: str, body: Any) -> dict[str, Any]:
        subs = body.get("sub_ports") if isinstance(body, dict) else None
        with self.tx() as conn:
            row = self._trunk_row(conn, ctx, trunk_id)
            self._add_subports(conn, ctx, row, subs)
            self.touch(conn, m.trunks, trunk_id)
            return self._trunk_view(conn, ctx, self._trunk_row(conn, ctx, trunk_id))

    def remove_subports(self, ctx: RequestContext, trunk_id: str, body: Any) -> dict[str, Any]:
        subs = body.get("sub_ports") if isinstance(body, dict) else None
        if not isinstance(subs, list):
            raise invalid_attr("sub_ports", f"Invalid data format for subports: '{subs}' is not a list")
        with self.tx() as conn:
            self._trunk_row(conn, ctx, trunk_id)
            current = {s["port_id"] for s in self._subports(conn, [trunk_id])[trunk_id]}
            for sub in subs:
                port_id = sub.get("port_id") if isinstance(sub, dict) else None
                if port_id not in current:
                    raise not_found(
                        "SubPortNotFound", f"SubPort {port_id} could not be found in trunk {trunk_id}."
                    )
                conn.execute(delete(m.subports).where(m.subports.c.port_id == port_id))
                self.touch(conn, m.ports, port_id, device_owner="", device_id="")
            self.touch(conn, m.trunks, trunk_id)
            return self._trunk_view(conn, ctx, self._trunk_row(conn, ctx, trunk_id))

    def get_subports(self, ctx: RequestContext, trunk_id: str) -> list[dict[str, Any]]:
        with self.tx() as conn:
            self._trunk_row(conn, ctx, trunk_id)
            return self._subports(conn, [trunk_id])[trunk_id]
