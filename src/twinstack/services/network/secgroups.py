"""Security groups and rules, with a ``default`` group per project made on first use."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from twinstack.core.context import RequestContext
from twinstack.services.network import models as m
from twinstack.services.network.attributes import SECURITY_GROUP, SECURITY_GROUP_RULE
from twinstack.services.network.errors import conflict, err, missing
from twinstack.services.network.ports import PortsMixin
from twinstack.services.network.resource import ListParams

PORT_PROTOCOLS = ("tcp", "udp", "dccp", "sctp", "udplite", "6", "17", "33", "132", "136")
ICMP_PROTOCOLS = ("icmp", "icmpv6", "ipv6-icmp", "1", "58")
RULE_KEYS = (
    "direction",
    "ethertype",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_group_id",
    "remote_address_group_id",
)

_DEFAULT_SG = select(m.security_groups.c.id).where(
    m.security_groups.c.project_id == bindparam("project_id"), m.security_groups.c.is_default.is_(True)
)


class SecurityGroupsMixin(PortsMixin):
    # default group --------------------------------------------------------------------------
    def ensure_default_security_group(self, conn: Connection, project_id: str) -> str:
        cached = self.default_groups.get(project_id)
        if cached is not None:
            return cached
        sg = m.security_groups
        found = conn.execute(_DEFAULT_SG, {"project_id": project_id}).first()
        if found is not None:
            self.default_groups[project_id] = str(found[0])
            return str(found[0])
        row = self.stamp(
            {
                "project_id": project_id,
                "name": "default",
                "description": "Default security group",
                "stateful": True,
                "shared": False,
                "is_default": True,
            }
        )
        self.insert(conn, sg, row)
        for ethertype in ("IPv4", "IPv6"):
            self._insert_rule(
                conn, row, {"direction": "ingress", "ethertype": ethertype, "remote_group_id": row["id"]}
            )
            self._insert_rule(conn, row, {"direction": "egress", "ethertype": ethertype})
        return str(row["id"])

    def _insert_rule(self, conn: Connection, group: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        prefix = values.get("remote_ip_prefix")
        rule = self.stamp(
            {
                "project_id": values.get("project_id") or group["project_id"],
                "security_group_id": group["id"],
                "direction": values["direction"],
                "ethertype": values.get("ethertype") or "IPv4",
                "protocol": values.get("protocol"),
                "port_range_min": values.get("port_range_min"),
                "port_range_max": values.get("port_range_max"),
                "remote_ip_prefix": prefix,
                "remote_group_id": values.get("remote_group_id"),
                "remote_address_group_id": values.get("remote_address_group_id"),
                "normalized_cidr": str(ipaddress.ip_network(prefix, strict=False)) if prefix else None,
                "description": values.get("description") or "",
            }
        )
        self.insert(conn, m.security_group_rules, rule)
        return rule

    # groups ---------------------------------------------------------------------------------
    def _group_row(self, conn: Connection, ctx: RequestContext, group_id: str) -> dict[str, Any]:
        row = self.row(conn, m.security_groups, group_id)
        if row is None or not (self.owned(ctx, row) or row["shared"]):
            raise missing("security_group", group_id)
        return row

    def _group_items(
        self, conn: Connection, ctx: RequestContext, rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        items = [SECURITY_GROUP.item(r) for r in rows]
        if not items:
            return items
        ids = [i["id"] for i in items]
        r = m.security_group_rules
        rules: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        defaults = {row["id"] for row in rows if row["is_default"]}
        for rule in conn.execute(
            select(r).where(r.c.security_group_id.in_(ids)).order_by(r.c.created_at)
        ).mappings():
            rules[rule["security_group_id"]].append(
                SECURITY_GROUP_RULE.view(self._rule_item(dict(rule), defaults), ctx)
            )
        self.add_tags(conn, items)
        for item in items:
            item["security_group_rules"] = rules[item["id"]]
            item["shared"] = False
        return items

    @staticmethod
    def _rule_item(row: dict[str, Any], defaults: set[str]) -> dict[str, Any]:
        item = SECURITY_GROUP_RULE.item(row)
        item["belongs_to_default_sg"] = row["security_group_id"] in defaults
        return item

    def create_security_group(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = SECURITY_GROUP.parse_create(ctx, data)
        with self.tx() as conn:
            self.ensure_default_security_group(conn, values["project_id"])
            if values.get("name") == "default":
                raise conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
            self.check_quota(conn, values["project_id"], "security_group")
            row = self.stamp(SECURITY_GROUP.row_values(values))
            row.update(shared=False, is_default=False)
            self.insert(conn, m.security_groups, row)
            for ethertype in ("IPv4", "IPv6"):
                self._insert_rule(conn, row, {"direction": "egress", "ethertype": ethertype})
            return SECURITY_GROUP.view(self._group_items(conn, ctx, [row])[0], ctx)

    def list_security_groups(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        sg = m.security_groups
        with self.tx() as conn:
            if ctx.project_id:
                self.ensure_default_security_group(conn, ctx.project_id)
            if ctx.is_admin:
                for project in params.filters.get("project_id", []) + params.filters.get("tenant_id", []):
                    self.ensure_default_security_group(conn, str(project))
            rows = [
                dict(r)
                for r in conn.execute(
                    select(sg).where(
                        *[
                            c
                            for c in [
                                self.project_clause(ctx, sg, sg.c.shared.is_(True)),
                                *SECURITY_GROUP.sql_filters(params),
                            ]
                            if c is not None
                        ]
                    )
                ).mappings()
            ]
            items = self._group_items(conn, ctx, rows)
        return self.finish_list(SECURITY_GROUP, ctx, items, params)

    def show_security_group(
        self, ctx: RequestContext, group_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            row = self._group_row(conn, ctx, group_id)
            return SECURITY_GROUP.view(self._group_items(conn, ctx, [row])[0], ctx, fields)

    def update_security_group(
        self, ctx: RequestContext, group_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        with self.tx() as conn:
            row = self._group_row(conn, ctx, group_id)
            values = SECURITY_GROUP.parse_update(ctx, data, row)
            if row["is_default"] and values.get("name", "default") != "default":
                raise conflict(
                    "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed."
                )
            if not row["is_default"] and values.get("name") == "default":
                raise conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
            if values:
                self.touch(conn, m.security_groups, group_id, **SECURITY_GROUP.row_values(values))
            row = self._group_row(conn, ctx, group_id)
            return SECURITY_GROUP.view(self._group_items(conn, ctx, [row])[0], ctx)

    def delete_security_group(self, ctx: RequestContext, group_id: str) -> None:
        with self.tx() as conn:
            row = self._group_row(conn, ctx, group_id)
            if row["is_default"] and not ctx.is_admin:
                raise conflict(
                    "SecurityGroupCannotRemoveDefault",
                    "Insufficient rights for removing default security group.",
                )
            p = m.ports
            for (groups,) in conn.execute(
                select(p.c.security_groups).where(p.c.project_id == row["project_id"])
            ):
                if group_id in (groups or []):
                    raise conflict("SecurityGroupInUse", f"Security Group {group_id} in use.")
            r = m.security_group_rules
            conn.execute(delete(r).where(r.c.remote_group_id == group_id))
            conn.execute(delete(r).where(r.c.security_group_id == group_id))
            self.drop_tags(conn, group_id)
            self.default_groups.pop(row["project_id"], None)
            conn.execute(delete(m.security_groups).where(m.security_groups.c.id == group_id))

    # rules ----------------------------------------------------------------------------------
    def create_security_group_rule(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = SECURITY_GROUP_RULE.parse_create(ctx, data)
        with self.tx() as conn:
            group = self._group_row(conn, ctx, values["security_group_id"])
            if not self.owned(ctx, group):
                raise missing("security_group", group["id"])
            if values.get("remote_group_id"):
                self._group_row(conn, ctx, values["remote_group_id"])
            self._check_rule(values)
            self._check_duplicate(conn, values)
            self.check_quota(conn, values["project_id"], "security_group_rule")
            rule = self._insert_rule(conn, group, values)
            self.touch(conn, m.security_groups, group["id"])
            defaults = {group["id"]} if group["is_default"] else set()
            return SECURITY_GROUP_RULE.view(self._rule_item(rule, defaults), ctx)

    def _check_rule(self, values: dict[str, Any]) -> None:
        protocol = values.get("protocol")
        if protocol == "any":
            protocol = values["protocol"] = None
        low, high = values.get("port_range_min"), values.get("port_range_max")
        prefix = values.get("remote_ip_prefix")
        if prefix is not None and values.get("remote_group_id") is not None:
            raise err(
                "SecurityGroupRemoteGroupAndRemoteIpPrefix",
                400,
                "Only remote_ip_prefix or remote_group_id may be provided.",
            )
        if prefix is not None:
            net = ipaddress.ip_network(prefix, strict=False)
            if f"IPv{net.version}" != values["ethertype"]:
                raise err(
                    "SecurityGroupRuleParameterConflict",
                    400,
                    f"Conflicting value ethertype {values['ethertype']} for CIDR {prefix}",
                )
            if "/" not in prefix:
                values["remote_ip_prefix"] = str(net)
        if protocol is None and (low is not None or high is not None):
            raise err(
                "SecurityGroupProtocolRequiredWithPorts",
                400,
                "Must also specify protocol if port range is given.",
            )
        if (
            protocol
            in (
                "icmpv6",
                "ipv6-icmp",
                "58",
                "ipv6-encap",
                "ipv6-frag",
                "ipv6-nonxt",
                "ipv6-opts",
                "ipv6-route",
            )
            and values["ethertype"] == "IPv4"
        ):
            raise err(
                "SecurityGroupEthertypeConflictWithProtocol",
                400,
                f"Invalid ethertype {values['ethertype']} for protocol {protocol}.",
            )
        if protocol in PORT_PROTOCOLS:
            for port in (low, high):
                if port is not None and not 1 <= port <= 65535:
                    raise err("SecurityGroupInvalidPortValue", 400, f"Invalid value for port {port}")
            if high is not None and (low is None or low > high):
                raise err(
                    "SecurityGroupInvalidPortRange",
                    400,
                    "For TCP/UDP protocols, port_range_min must be <= port_range_max",
                )
        elif protocol in ICMP_PROTOCOLS:
            for field, attr, value in (("type", "port_range_min", low), ("code", "port_range_max", high)):
                if value is not None and not 0 <= value <= 255:
                    raise err(
                        "SecurityGroupInvalidIcmpValue",
                        400,
                        f"Invalid value for ICMP {field} ({attr}) {value}. It must be 0 to 255.",
                    )
            if low is None and high is not None:
                raise err(
                    "SecurityGroupMissingIcmpType",
                    400,
                    f"ICMP code (port-range-max) {high} is provided but ICMP type (port-range-min) "
                    "is missing.",
                )
        elif protocol is not None and (low is not None or high is not None):
            raise err(
                "SecurityGroupInvalidProtocolForPortRange",
                400,
                f"Ports cannot be specified for protocol {protocol}.",
            )

    def _check_duplicate(self, conn: Connection, values: dict[str, Any]) -> None:
        r = m.security_group_rules
        for rule in conn.execute(
            select(r).where(r.c.security_group_id == values["security_group_id"])
        ).mappings():
            if all(_norm(k, rule[k]) == _norm(k, values.get(k)) for k in RULE_KEYS):
                raise conflict(
                    "SecurityGroupRuleExists", f"Security group rule already exists. Rule id is {rule['id']}."
                )

    def _rule_row(self, conn: Connection, ctx: RequestContext, rule_id: str) -> dict[str, Any]:
        row = self.row(conn, m.security_group_rules, rule_id)
        if row is None or not self.owned(ctx, row):
            raise missing("security_group_rule", rule_id)
        return row

    def _default_ids(self, conn: Connection) -> set[str]:
        sg = m.security_groups
        return {r[0] for r in conn.execute(select(sg.c.id).where(sg.c.is_default.is_(True)))}

    def list_security_group_rules(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        with self.tx() as conn:
            if ctx.project_id:
                self.ensure_default_security_group(conn, ctx.project_id)
            r = m.security_group_rules
            rows = [
                dict(x)
                for x in conn.execute(
                    select(r).where(
                        *[
                            c
                            for c in [self.project_clause(ctx, r), *SECURITY_GROUP_RULE.sql_filters(params)]
                            if c is not None
                        ]
                    )
                ).mappings()
            ]
            defaults = self._default_ids(conn)
        items = [self._rule_item(row, defaults) for row in rows]
        return self.finish_list(SECURITY_GROUP_RULE, ctx, items, params)

    def show_security_group_rule(
        self, ctx: RequestContext, rule_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            row = self._rule_row(conn, ctx, rule_id)
            return SECURITY_GROUP_RULE.view(self._rule_item(row, self._default_ids(conn)), ctx, fields)

    def update_security_group_rule(
        self, ctx: RequestContext, rule_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        values = SECURITY_GROUP_RULE.parse_update(ctx, data)
        with self.tx() as conn:
            self._rule_row(conn, ctx, rule_id)
            if values:
                self.touch(conn, m.security_group_rules, rule_id, **SECURITY_GROUP_RULE.row_values(values))
            row = self._rule_row(conn, ctx, rule_id)
            return SECURITY_GROUP_RULE.view(self._rule_item(row, self._default_ids(conn)), ctx)

    def delete_security_group_rule(self, ctx: RequestContext, rule_id: str) -> None:
        with self.tx() as conn:
            row = self._rule_row(conn, ctx, rule_id)
            conn.execute(delete(m.security_group_rules).where(m.security_group_rules.c.id == rule_id))
            self.touch(conn, m.security_groups, row["security_group_id"])

    def security_group_names_for_instance(self, instance_id: str) -> list[str]:
        with self.tx() as conn:
            p = m.ports
            ids: list[str] = []
            for (groups,) in conn.execute(select(p.c.security_groups).where(p.c.device_id == instance_id)):
                ids += [g for g in groups or [] if g not in ids]
            if not ids:
                return []
            sg = m.security_groups
            names = dict(conn.execute(select(sg.c.id, sg.c.name).where(sg.c.id.in_(ids))).all())
        return [names[i] for i in ids if i in names]


def _norm(key: str, value: Any) -> Any:
    if key == "remote_ip_prefix" and value is not None:
        return str(ipaddress.ip_network(value, strict=False))
    return value
