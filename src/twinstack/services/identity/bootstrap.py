"""What ``keystone-manage bootstrap`` and devstack leave in a fresh keystone.

Domain ``Default``; roles ``admin`` > ``manager`` > ``member`` > ``reader`` (implied) and ``service``;
project ``admin`` with user ``admin`` (role admin there and on the system); project ``demo``
with user ``demo`` (member); region ``RegionOne``; a service and public/internal/admin
endpoints for every twinstack service. It runs at every start: it creates what is missing,
resets the admin and demo passwords to the settings, and points the endpoints at the current
URL (the port may have changed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select, update

from twinstack.services.identity import models as m
from twinstack.services.identity.service import DEFAULT_DOMAIN_ID, INTERFACES

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.identity.service import IdentityService


def bootstrap(cloud: Cloud, identity: IdentityService) -> None:
    settings = cloud.settings
    with cloud.db.begin() as conn:
        _ensure(
            conn,
            m.domains,
            DEFAULT_DOMAIN_ID,
            name="Default",
            description="The default domain",
            enabled=True,
            extra={},
        )
        role_ids = {}
        for name in ("admin", "manager", "member", "reader", "service"):
            role_ids[name] = _ensure_named(
                conn, m.roles, name, cloud.ids.hex(), domain_id=None, description=None, options={}, extra={}
            )
        for prior, implied in (("admin", "manager"), ("manager", "member"), ("member", "reader")):
            _ensure_row(
                conn, m.implied_roles, prior_role_id=role_ids[prior], implied_role_id=role_ids[implied]
            )
        admin_project = _ensure_project(conn, cloud, "admin", "Bootstrap project for initializing the cloud.")
        demo_project = _ensure_project(conn, cloud, "demo", "Demo project")
        _ensure_project(conn, cloud, "service", "Project for the services' users")
        admin = _ensure_user(conn, cloud, identity, "admin", settings.admin_password, admin_project)
        demo = _ensure_user(conn, cloud, identity, "demo", settings.demo_password, demo_project)
        _grant(conn, "UserProject", admin, admin_project, role_ids["admin"])
        _grant(conn, "UserSystem", admin, "system", role_ids["admin"])
        _grant(conn, "UserProject", demo, demo_project, role_ids["member"])
        _ensure(conn, m.regions, settings.region, description="", parent_region_id=None, extra={})
        _sync_endpoints(conn, cloud)
    identity.changed()


def _ensure(conn: Connection, table: object, row_id: str, **values: object) -> None:
    t = table  # type: ignore[assignment]
    if conn.execute(select(t.c.id).where(t.c.id == row_id)).first() is None:  # type: ignore[attr-defined]
        conn.execute(insert(t).values(id=row_id, **values))  # type: ignore[arg-type]


def _ensure_named(conn: Connection, table: object, name: str, new_id: str, **values: object) -> str:
    t = table
    row = conn.execute(select(t.c.id).where(t.c.name == name)).first()  # type: ignore[attr-defined]
    if row:
        return str(row[0])
    conn.execute(insert(t).values(id=new_id, name=name, **values))  # type: ignore[arg-type]
    return new_id


def _ensure_row(conn: Connection, table: object, **values: object) -> None:
    t = table
    cond = [t.c[k] == v for k, v in values.items()]  # type: ignore[attr-defined]
    if conn.execute(select(t).where(*cond)).first() is None:  # type: ignore[arg-type]
        conn.execute(insert(t).values(**values))  # type: ignore[arg-type]


def _ensure_project(conn: Connection, cloud: Cloud, name: str, description: str) -> str:
    p = m.projects
    row = conn.execute(select(p.c.id).where(p.c.name == name, p.c.domain_id == DEFAULT_DOMAIN_ID)).first()
    if row:
        return str(row[0])
    project_id = cloud.ids.hex()
    conn.execute(
        insert(p).values(
            id=project_id,
            name=name,
            domain_id=DEFAULT_DOMAIN_ID,
            parent_id=None,
            description=description,
            enabled=True,
            extra={},
        )
    )
    return project_id


def _ensure_user(
    conn: Connection, cloud: Cloud, identity: IdentityService, name: str, password: str, project_id: str
) -> str:
    u = m.users
    row = conn.execute(
        select(u.c.id, u.c.password_hash).where(u.c.name == name, u.c.domain_id == DEFAULT_DOMAIN_ID)
    ).first()
    if row:
        if not identity.hasher.verify(password, row[1]):
            conn.execute(
                update(u).where(u.c.id == row[0]).values(password_hash=identity.hasher.hash(password))
            )
        return str(row[0])
    user_id = cloud.ids.hex()
    conn.execute(
        insert(u).values(
            id=user_id,
            name=name,
            domain_id=DEFAULT_DOMAIN_ID,
            enabled=True,
            password_hash=identity.hasher.hash(password),
            default_project_id=project_id,
            options={},
            extra={},
            created_at=cloud.clock.now(),
        )
    )
    return user_id


def _grant(conn: Connection, kind: str, actor: str, target: str, role_id: str) -> None:
    _ensure_row(
        conn, m.assignments, type=kind, actor_id=actor, target_id=target, role_id=role_id, inherited=False
    )


def _sync_endpoints(conn: Connection, cloud: Cloud) -> None:
    """One service per catalog type, with an endpoint per interface at the current URL."""
    base = cloud.base_url
    region = cloud.settings.region
    for plugin in cloud.plugins.values():
        for entry in plugin.catalog:
            s = m.services
            row = conn.execute(select(s.c.id).where(s.c.type == entry.type)).first()
            if row is None:
                service_id = cloud.ids.hex()
                conn.execute(
                    insert(s).values(
                        id=service_id,
                        type=entry.type,
                        enabled=True,
                        extra={"name": entry.name, "description": ""},
                    )
                )
            else:
                service_id = row[0]
            url = base + entry.path
            e = m.endpoints
            existing = conn.execute(
                select(e.c.id, e.c.interface).where(e.c.service_id == service_id, e.c.region_id == region)
            ).all()
            have = {r[1]: r[0] for r in existing}
            for interface in INTERFACES:
                if interface in have:
                    conn.execute(update(e).where(e.c.id == have[interface]).values(url=url, region_id=region))
                else:
                    conn.execute(
                        insert(e).values(
                            id=cloud.ids.hex(),
                            service_id=service_id,
                            interface=interface,
                            url=url,
                            region_id=region,
                            enabled=True,
                            extra={},
                        )
                    )
            stale = [r[0] for r in existing if r[1] not in INTERFACES]
            if stale:
                conn.execute(delete(e).where(e.c.id.in_(stale)))
