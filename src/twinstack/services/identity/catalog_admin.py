"""Keystone's catalog backend: regions (a tree), services and their endpoints.

A mixin of ``IdentityService``; every write drops the cached catalog (``changed()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound
from twinstack.services.identity import models as m
from twinstack.services.identity.common import not_found, row, split_extra, validation_error

if TYPE_CHECKING:
    from twinstack.services.identity.service import IdentityService


class CatalogAdminMixin:
    """Regions, services, endpoints."""

    # regions --------------------------------------------------------------------------------
    def get_region(self: IdentityService, region_id: str) -> dict[str, Any]:
        found = self._cached_row(m.regions, region_id)
        if found is None:
            raise not_found("region", region_id)
        return found

    def list_regions(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.regions).order_by(m.regions.c.id)).mappings()]

    def create_region(
        self: IdentityService, values: dict[str, Any], region_id: str | None = None
    ) -> dict[str, Any]:
        cols, extra = split_extra(values, ("description", "parent_region_id"))
        region_id = region_id or values.get("id") or self.cloud.ids.hex()
        record = {"id": region_id, "description": "", "parent_region_id": None, **cols, "extra": extra}
        record["description"] = record["description"] or ""
        with self.db.begin() as conn:
            if row(conn.execute(select(m.regions).where(m.regions.c.id == region_id))) is not None:
                raise Conflict(f"Conflict occurred attempting to store region - Duplicate ID, {region_id}.")
            if record["parent_region_id"]:
                self._check_parent_region(conn, region_id, record["parent_region_id"])
            conn.execute(insert(m.regions).values(**record))
        self.changed()
        return record

    def _check_parent_region(self: IdentityService, conn: Connection, region_id: str, parent_id: str) -> None:
        current: str | None = parent_id
        seen = set()
        while current:
            if current == region_id or current in seen:
                raise BadRequest(
                    f"Circular reference or a repeated entry found in region tree - {region_id}."
                )
            seen.add(current)
            parent = row(conn.execute(select(m.regions).where(m.regions.c.id == current)))
            if parent is None:
                raise not_found("region", current)
            current = parent["parent_region_id"]

    def update_region(self: IdentityService, region_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_region(region_id)
        cols, extra = split_extra(values, ("description", "parent_region_id"))
        with self.db.begin() as conn:
            if cols.get("parent_region_id"):
                self._check_parent_region(conn, region_id, cols["parent_region_id"])
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(update(m.regions).where(m.regions.c.id == region_id).values(**cols, extra=new_extra))
        self.changed()
        return self.get_region(region_id)

    def delete_region(self: IdentityService, region_id: str) -> None:
        self.get_region(region_id)
        with self.db.begin() as conn:
            tree = [region_id]
            frontier = [region_id]
            while frontier:
                frontier = [
                    r[0]
                    for r in conn.execute(
                        select(m.regions.c.id).where(m.regions.c.parent_region_id.in_(frontier))
                    )
                ]
                tree.extend(frontier)
            if conn.execute(select(m.endpoints.c.id).where(m.endpoints.c.region_id.in_(tree))).first():
                raise Forbidden(
                    f"Unable to delete region {region_id} because it or its child regions have "
                    "associated endpoints."
                )
            for rid in reversed(tree):
                conn.execute(delete(m.regions).where(m.regions.c.id == rid))
        self.changed()

    # services -------------------------------------------------------------------------------
    def get_service(self: IdentityService, service_id: str) -> dict[str, Any]:
        found = self._cached_row(m.services, service_id)
        if found is None:
            raise not_found("service", service_id)
        return found

    def list_services(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.services)).mappings()]

    def create_service(self: IdentityService, values: dict[str, Any]) -> dict[str, Any]:
        cols, extra = split_extra(values, ("type", "enabled"))
        record = {"id": self.cloud.ids.hex(), "enabled": True, **cols, "extra": extra}
        with self.db.begin() as conn:
            conn.execute(insert(m.services).values(**record))
        self.changed()
        return record

    def update_service(self: IdentityService, service_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_service(service_id)
        cols, extra = split_extra(values, ("type", "enabled"))
        with self.db.begin() as conn:
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(
                update(m.services).where(m.services.c.id == service_id).values(**cols, extra=new_extra)
            )
        self.changed()
        return self.get_service(service_id)

    def delete_service(self: IdentityService, service_id: str) -> None:
        self.get_service(service_id)
        with self.db.begin() as conn:
            conn.execute(delete(m.endpoints).where(m.endpoints.c.service_id == service_id))
            conn.execute(delete(m.services).where(m.services.c.id == service_id))
        self.changed()

    # endpoints ------------------------------------------------------------------------------
    def get_endpoint(self: IdentityService, endpoint_id: str) -> dict[str, Any]:
        found = self._cached_row(m.endpoints, endpoint_id)
        if found is None:
            raise not_found("endpoint", endpoint_id)
        return found

    def list_endpoints(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.endpoints)).mappings()]

    def _endpoint_refs(self: IdentityService, cols: dict[str, Any]) -> None:
        try:
            if "service_id" in cols:
                self.get_service(cols["service_id"])
        except NotFound:
            raise validation_error("endpoint service_id", "service table") from None
        try:
            if cols.get("region_id"):
                self.get_region(cols["region_id"])
        except NotFound:
            raise validation_error("endpoint region_id", "region table") from None

    def create_endpoint(self: IdentityService, values: dict[str, Any]) -> dict[str, Any]:
        values = self._legacy_region(values)
        cols, extra = split_extra(values, ("service_id", "interface", "url", "region_id", "enabled"))
        self._endpoint_refs(cols)
        record = {"id": self.cloud.ids.hex(), "enabled": True, "region_id": None, **cols, "extra": extra}
        with self.db.begin() as conn:
            conn.execute(insert(m.endpoints).values(**record))
        self.changed()
        return record

    def update_endpoint(self: IdentityService, endpoint_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_endpoint(endpoint_id)
        values = self._legacy_region(values)
        cols, extra = split_extra(values, ("service_id", "interface", "url", "region_id", "enabled"))
        self._endpoint_refs(cols)
        with self.db.begin() as conn:
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(
                update(m.endpoints).where(m.endpoints.c.id == endpoint_id).values(**cols, extra=new_extra)
            )
        self.changed()
        return self.get_endpoint(endpoint_id)

    def _legacy_region(self: IdentityService, values: dict[str, Any]) -> dict[str, Any]:
        """Keystone still accepts ``region`` for ``region_id`` (``region_id`` wins), and creates
        a region named that way when it does not exist."""
        values = dict(values)
        legacy = values.pop("region", None)
        if legacy and not values.get("region_id"):
            values["region_id"] = legacy
            try:
                self.get_region(legacy)
            except NotFound:
                self.create_region({}, legacy)
        return values

    def delete_endpoint(self: IdentityService, endpoint_id: str) -> None:
        self.get_endpoint(endpoint_id)
        with self.db.begin() as conn:
            conn.execute(delete(m.endpoints).where(m.endpoints.c.id == endpoint_id))
        self.changed()
