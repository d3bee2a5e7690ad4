"""Networks, RBAC policies (sharing) and address scopes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from twinstack.core.context import RequestContext
from twinstack.services.network import models as m
from twinstack.services.network.attributes import ADDRESS_SCOPE, NETWORK, RBAC_POLICY
from twinstack.services.network.base import ServiceBase
from twinstack.services.network.errors import bad_request, conflict, invalid_input, missing, policy
from twinstack.services.network.resource import ListParams

# Ports neutron deletes itself with their network or subnet.
AUTO_DELETE_OWNERS = ("network:dhcp", "network:distributed")
PROVIDER_TYPES = ("flat", "vlan", "vxlan", "geneve", "gre", "local")

_TOP_SEGMENT = select(func.max(m.networks.c.provider_segmentation_id)).where(
    m.networks.c.provider_network_type == "geneve"
)


class NetworksMixin(ServiceBase):
    # visibility -----------------------------------------------------------------------------
    def network_visible_clause(self, ctx: RequestContext) -> Any:
        n = m.networks
        if ctx.is_admin:
            return None
        r = m.rbac_policies
        shared_to_me = select(r.c.object_id).where(
            r.c.object_type == "network", r.c.target_tenant.in_([ctx.project_id, "*"])
        )
        return or_(
            n.c.project_id == ctx.project_id,
            n.c.shared.is_(True),
            n.c.router_external.is_(True),
            n.c.id.in_(shared_to_me),
        )

    def network_shared_clause(self, ctx: RequestContext) -> Any:
        """Networks whose subnets ctx sees: its own and those shared with it (not merely external)."""
        n = m.networks
        if ctx.is_admin:
            return None
        r = m.rbac_policies
        shared_to_me = select(r.c.object_id).where(
            r.c.object_type == "network",
            r.c.action == "access_as_shared",
            r.c.target_tenant.in_([ctx.project_id, "*"]),
        )
        return or_(n.c.project_id == ctx.project_id, n.c.shared.is_(True), n.c.id.in_(shared_to_me))

    def network_row(self, conn: Connection, ctx: RequestContext, network_id: str) -> dict[str, Any]:
        if ctx.is_admin:
            found = self.row(conn, m.networks, network_id)
            if found is None:
                raise missing("network", network_id)
            return found
        n = m.networks
        query = select(n).where(n.c.id == network_id)
        clause = self.network_visible_clause(ctx)
        if clause is not None:
            query = query.where(clause)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise missing("network", network_id)
        return dict(row)

    def network_usable(self, conn: Connection, ctx: RequestContext, row: dict[str, Any]) -> bool:
        """May ctx put ports on the network (owner, admin, shared to it)?"""
        if self.owned(ctx, row) or row["shared"]:
            return True
        r = m.rbac_policies
        return (
            conn.execute(
                select(r.c.id).where(
                    r.c.object_id == row["id"],
                    r.c.action == "access_as_shared",
                    r.c.target_tenant.in_([ctx.project_id, "*"]),
                )
            ).first()
            is not None
        )

    def network_items(
        self, conn: Connection, rows: list[dict[str, Any]], fresh: bool = False
    ) -> list[dict[str, Any]]:
        """Items with subnets, tags and the derived attributes (``fresh``: just created, so none)."""
        items = [NETWORK.item(r) for r in rows]
        if fresh:
            for item in items:
                item.update(
                    subnets=[],
                    tags=[],
                    availability_zones=["nova"],
                    ipv4_address_scope=None,
                    ipv6_address_scope=None,
                    l2_adjacency=True,
                    qos_policy_id=None,
                )
            return items
        if not items:
            return items
        ids = [i["id"] for i in items]
        s = m.subnets
        subnets: dict[str, list[str]] = {i: [] for i in ids}
        scopes: dict[str, dict[int, str | None]] = {i: {4: None, 6: None} for i in ids}
        sp = m.subnetpools
        query = (
            select(s.c.network_id, s.c.id, s.c.ip_version, sp.c.address_scope_id)
            .select_from(s.outerjoin(sp, s.c.subnetpool_id == sp.c.id))
            .where(s.c.network_id.in_(ids))
            .order_by(s.c.created_at)
        )
        for net_id, sub_id, version, scope in conn.execute(query):
            subnets[net_id].append(sub_id)
            if scope:
                scopes[net_id][version] = scope
        tags = self.tags_for(conn, ids)
        for item in items:
            item["subnets"] = subnets[item["id"]]
            item["tags"] = tags[item["id"]]
            item["availability_zones"] = ["nova"]
            item["ipv4_address_scope"] = scopes[item["id"]][4]
            item["ipv6_address_scope"] = scopes[item["id"]][6]
            item["l2_adjacency"] = True
            item["qos_policy_id"] = None
        return items

    # operations -----------------------------------------------------------------------------
    def create_network(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = NETWORK.parse_create(ctx, data)
        mtu_given = "mtu" in data
        self._check_provider(values)
        with self.tx() as conn:
            self.check_quota(conn, values["project_id"], "network")
            row = self.stamp(NETWORK.row_values(values))
            row["status"] = "ACTIVE"
            if row.get("provider_network_type") is None:
                row["provider_network_type"] = "geneve"
                row["provider_segmentation_id"] = self._next_segment(conn)
            if not mtu_given:
                row["mtu"] = 1442 if row["provider_network_type"] in ("geneve", "vxlan") else 1500
            self.insert(conn, m.networks, row)
            if row["shared"]:
                self._add_rbac(conn, row["project_id"], row["id"], "access_as_shared", "*")
            self.ensure_default_security_group(conn, row["project_id"])
            return NETWORK.view(self.network_items(conn, [row], fresh=True)[0], ctx)

    def _check_provider(self, values: dict[str, Any]) -> None:
        kind = values.get("provider:network_type")
        physnet = values.get("provider:physical_network")
        seg = values.get("provider:segmentation_id")
        if kind is None:
            if physnet is not None or seg is not None:
                raise invalid_input("provider:network_type required")
            return
        if kind not in PROVIDER_TYPES:
            raise invalid_input(f"network_type value '{kind}' not supported")
        if kind == "flat":
            if not physnet:
                raise invalid_input("physical_network required for flat provider network")
            if seg is not None:
                raise invalid_input("segmentation_id specified for flat provider network")
        elif kind == "vlan":
            if seg is not None and not 1 <= seg <= 4094:
                raise invalid_input("segmentation_id out of range (1 through 4094)")
        elif kind == "local" and (physnet or seg is not None):
            raise invalid_input(
                "Invalid input for operation: local provider network takes no physical network"
            )

    def _next_segment(self, conn: Connection) -> int:
        return int(conn.execute(_TOP_SEGMENT).scalar() or 0) + 1

    def list_networks(
        self, ctx: RequestContext, params: ListParams | None = None, **filters: Any
    ) -> list[dict[str, Any]]:
        params = params or ListParams(
            filters={k: v if isinstance(v, list) else [v] for k, v in filters.items()}
        )
        with self.tx() as conn:
            rows = [dict(r) for r in conn.execute(self._network_query(ctx, params)).mappings()]
            items = self.network_items(conn, rows)
        return self.finish_list(NETWORK, ctx, items, params)

    def _network_query(self, ctx: RequestContext, params: ListParams) -> Any:
        query = select(m.networks)
        clauses = [
            c for c in [self.network_visible_clause(ctx), *NETWORK.sql_filters(params)] if c is not None
        ]
        return query.where(*clauses) if clauses else query

    def finish_list(
        self, resource: Any, ctx: RequestContext, items: list[dict[str, Any]], params: ListParams
    ) -> list[dict[str, Any]]:
        fields = list(params.fields)
        if fields and "id" not in fields:
            fields.append("id")  # the API layer needs ids for links; it drops what was not asked
        return [resource.view(i, ctx, fields) for i in resource.apply_list(items, params)]

    def show_network(
        self, ctx: RequestContext, network_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            row = self.network_row(conn, ctx, network_id)
            return NETWORK.view(self.network_items(conn, [row])[0], ctx, fields)

    get_network = show_network

    def update_network(self, ctx: RequestContext, network_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.tx() as conn:
            row = self.network_row(conn, ctx, network_id)
            if not self.owned(ctx, row):
                raise policy("update_network")
            values = NETWORK.parse_update(ctx, data, row)
            changes = NETWORK.row_values(values)
            if changes.get("shared") is False and row["shared"]:
                self._unshare(conn, row)
            if changes.get("shared") and not row["shared"]:
                self._add_rbac(conn, row["project_id"], network_id, "access_as_shared", "*")
            if changes:
                self.touch(conn, m.networks, network_id, **changes)
            row = self.network_row(conn, ctx, network_id)
            return NETWORK.view(self.network_items(conn, [row])[0], ctx)

    def _unshare(self, conn: Connection, row: dict[str, Any]) -> None:
        p = m.ports
        others = conn.execute(
            select(p.c.id).where(
                p.c.network_id == row["id"],
                p.c.project_id != row["project_id"],
                p.c.device_owner.notlike("network:%"),
            )
        ).first()
        if others is not None:
            raise conflict(
                "InvalidSharedSetting",
                f"Unable to reconfigure sharing settings for network "
                f"{row['id']}. Multiple tenants are using it.",
            )
        r = m.rbac_policies
        conn.execute(
            delete(r).where(
                r.c.object_id == row["id"], r.c.action == "access_as_shared", r.c.target_tenant == "*"
            )
        )

    def delete_network(self, ctx: RequestContext, network_id: str) -> None:
        with self.tx() as conn:
            row = self.network_row(conn, ctx, network_id)
            if not self.owned(ctx, row):
                raise policy("delete_network")
            self._drop_unassociated_fips(conn, network_id)
            p = m.ports
            in_use = conn.execute(
                select(p.c.id).where(
                    p.c.network_id == network_id, p.c.device_owner.notin_(AUTO_DELETE_OWNERS)
                )
            ).first()
            if in_use is not None:
                raise conflict(
                    "NetworkInUse",
                    f"Unable to complete operation on network {network_id}. "
                    "There are one or more ports still in use on the network.",
                )
            auto = [r[0] for r in conn.execute(select(p.c.id).where(p.c.network_id == network_id))]
            conn.execute(delete(m.ip_allocations).where(m.ip_allocations.c.network_id == network_id))
            if auto:
                conn.execute(delete(p).where(p.c.id.in_(auto)))
            s = m.subnets
            for (subnet_id,) in conn.execute(select(s.c.id).where(s.c.network_id == network_id)).all():
                self.drop_tags(conn, subnet_id)
                self.ipam.forget(subnet_id)
            conn.execute(delete(s).where(s.c.network_id == network_id))
            conn.execute(delete(m.rbac_policies).where(m.rbac_policies.c.object_id == network_id))
            self.drop_tags(conn, network_id)
            conn.execute(delete(m.networks).where(m.networks.c.id == network_id))

    def _drop_unassociated_fips(self, conn: Connection, network_id: str) -> None:
        """Neutron deletes an external network's unassociated floating IPs with it."""
        f = m.floatingips
        rows = conn.execute(
            select(f.c.id, f.c.floating_port_id).where(
                f.c.floating_network_id == network_id, f.c.port_id.is_(None)
            )
        ).all()
        for fip_id, port_id in rows:
            self.drop_tags(conn, fip_id)
            conn.execute(delete(f).where(f.c.id == fip_id))
            conn.execute(delete(m.ip_allocations).where(m.ip_allocations.c.port_id == port_id))
            conn.execute(delete(m.ports).where(m.ports.c.id == port_id))

    # RBAC -----------------------------------------------------------------------------------
    def _add_rbac(
        self,
        conn: Connection,
        project_id: str,
        object_id: str,
        action: str,
        target: str,
        object_type: str = "network",
    ) -> dict[str, Any]:
        row = {
            "id": self.new_id(),
            "project_id": project_id,
            "object_type": object_type,
            "object_id": object_id,
            "action": action,
            "target_tenant": target,
        }
        self.insert(conn, m.rbac_policies, row)
        return row

    def create_rbac_policy(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        if "target_project" in data and "target_tenant" not in data:
            data = {**data, "target_tenant": data["target_project"]}
        values = RBAC_POLICY.parse_create(ctx, data)
        if values["object_type"] != "network":
            raise bad_request(
                f"Invalid input for object_type. Reason: {values['object_type']} "
                "RBAC policies are not supported by twinstack."
            )
        with self.tx() as conn:
            net = self.row(conn, m.networks, values["object_id"])
            if net is None or not self.owned(ctx, net):
                raise missing("network", values["object_id"])
            self.check_quota(conn, values["project_id"], "rbac_policy")
            r = m.rbac_policies
            dup = conn.execute(
                select(r.c.id).where(
                    r.c.object_id == net["id"],
                    r.c.action == values["action"],
                    r.c.target_tenant == values["target_tenant"],
                )
            ).first()
            if dup is not None:
                raise conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
            row = self._add_rbac(
                conn, values["project_id"], net["id"], values["action"], values["target_tenant"]
            )
            self._sync_network_flags(conn, net["id"])
            return RBAC_POLICY.view(RBAC_POLICY.item(row), ctx)

    def _sync_network_flags(self, conn: Connection, network_id: str) -> None:
        r = m.rbac_policies
        wild = {
            a
            for (a,) in conn.execute(
                select(r.c.action).where(r.c.object_id == network_id, r.c.target_tenant == "*")
            )
        }
        conn.execute(
            update(m.networks).where(m.networks.c.id == network_id).values(shared="access_as_shared" in wild)
        )
        if "access_as_external" in wild:
            conn.execute(update(m.networks).where(m.networks.c.id == network_id).values(router_external=True))

    def _rbac_row(self, conn: Connection, ctx: RequestContext, policy_id: str) -> dict[str, Any]:
        row = self.row(conn, m.rbac_policies, policy_id)
        if row is None or not self.owned(ctx, row):
            raise missing("rbac_policy", policy_id)
        return row

    def list_rbac_policies(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        with self.tx() as conn:
            items = self.select_items(
                conn, RBAC_POLICY, ctx, params, self.project_clause(ctx, m.rbac_policies)
            )
        return self.finish_list(RBAC_POLICY, ctx, items, params)

    def show_rbac_policy(
        self, ctx: RequestContext, policy_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return RBAC_POLICY.view(RBAC_POLICY.item(self._rbac_row(conn, ctx, policy_id)), ctx, fields)

    def update_rbac_policy(self, ctx: RequestContext, policy_id: str, data: dict[str, Any]) -> dict[str, Any]:
        if "target_project" in data:
            data = {
                "target_tenant": data["target_project"],
                **{k: v for k, v in data.items() if k != "target_project"},
            }
        values = RBAC_POLICY.parse_update(ctx, data)
        with self.tx() as conn:
            row = self._rbac_row(conn, ctx, policy_id)
            if "target_tenant" in values:
                self._check_rbac_unused(conn, row)
                conn.execute(
                    update(m.rbac_policies)
                    .where(m.rbac_policies.c.id == policy_id)
                    .values(target_tenant=values["target_tenant"])
                )
            self._sync_network_flags(conn, row["object_id"])
            return RBAC_POLICY.view(RBAC_POLICY.item(self._rbac_row(conn, ctx, policy_id)), ctx)

    def _check_rbac_unused(self, conn: Connection, row: dict[str, Any]) -> None:
        if row["action"] != "access_as_shared":
            return
        net = self.row(conn, m.networks, row["object_id"])
        if net is None:
            return
        p = m.ports
        query = select(p.c.id).where(
            p.c.network_id == net["id"],
            p.c.project_id != net["project_id"],
            p.c.device_owner.notlike("network:%"),
        )
        if row["target_tenant"] != "*":
            query = query.where(p.c.project_id == row["target_tenant"])
        if conn.execute(query).first() is not None:
            raise conflict(
                "RbacPolicyInUse",
                f"RBAC policy on object {net['id']} cannot be removed because "
                "other objects depend on it.\nDetails: Callback ports in use",
            )

    def delete_rbac_policy(self, ctx: RequestContext, policy_id: str) -> None:
        with self.tx() as conn:
            row = self._rbac_row(conn, ctx, policy_id)
            self._check_rbac_unused(conn, row)
            conn.execute(delete(m.rbac_policies).where(m.rbac_policies.c.id == policy_id))
            self._sync_network_flags(conn, row["object_id"])

    # address scopes -------------------------------------------------------------------------
    def _scope_clause(self, ctx: RequestContext) -> Any:
        a = m.address_scopes
        return self.project_clause(ctx, a, a.c.shared.is_(True))

    def _scope_row(self, conn: Connection, ctx: RequestContext, scope_id: str) -> dict[str, Any]:
        row = self.row(conn, m.address_scopes, scope_id)
        if row is None or not (self.owned(ctx, row) or row["shared"]):
            raise missing("address_scope", scope_id)
        return row

    def _scope_view(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], fields: list[str] | None = None
    ) -> dict[str, Any]:
        item = ADDRESS_SCOPE.item(row)
        self.add_tags(conn, [item])
        return ADDRESS_SCOPE.view(item, ctx, fields)

    def create_address_scope(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = ADDRESS_SCOPE.parse_create(ctx, data)
        with self.tx() as conn:
            row = self.stamp(ADDRESS_SCOPE.row_values(values))
            self.insert(conn, m.address_scopes, row)
            return self._scope_view(conn, ctx, row)

    def list_address_scopes(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        with self.tx() as conn:
            items = self.select_items(conn, ADDRESS_SCOPE, ctx, params, self._scope_clause(ctx))
            self.add_tags(conn, items)
        return self.finish_list(ADDRESS_SCOPE, ctx, items, params)

    def show_address_scope(
        self, ctx: RequestContext, scope_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return self._scope_view(conn, ctx, self._scope_row(conn, ctx, scope_id), fields)

    def update_address_scope(
        self, ctx: RequestContext, scope_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        with self.tx() as conn:
            row = self._scope_row(conn, ctx, scope_id)
            if not self.owned(ctx, row):
                raise missing("address_scope", scope_id)
            values = ADDRESS_SCOPE.parse_update(ctx, data, row)
            if values.get("shared") is False and row["shared"]:
                raise bad_request("Shared address scope can't be unshared")
            if values:
                self.touch(conn, m.address_scopes, scope_id, **ADDRESS_SCOPE.row_values(values))
            return self._scope_view(conn, ctx, self._scope_row(conn, ctx, scope_id))

    def delete_address_scope(self, ctx: RequestContext, scope_id: str) -> None:
        with self.tx() as conn:
            row = self._scope_row(conn, ctx, scope_id)
            if not self.owned(ctx, row):
                raise missing("address_scope", scope_id)
            sp = m.subnetpools
            if conn.execute(select(sp.c.id).where(sp.c.address_scope_id == scope_id)).first() is not None:
                raise conflict(
                    "AddressScopeInUse",
                    f"Unable to complete operation on address scope {scope_id}. "
                    "There are one or more subnet pools in use on the address scope",
                )
            self.drop_tags(conn, scope_id)
            conn.execute(delete(m.address_scopes).where(m.address_scopes.c.id == scope_id))
