"""Nova's network proxy APIs over the network service (neutron), as nova does them with neutron.

``os-security-groups``, ``os-security-group-rules``, ``/servers/{id}/os-security-groups``, the
``addSecurityGroup``/``removeSecurityGroup`` actions, ``os-floating-ips`` (and the
``addFloatingIp``/``removeFloatingIp`` actions until 2.43), ``os-floating-ip-pools``,
``os-networks`` and ``os-tenant-networks``. The proxies answer 404 from microversion 2.36;
neutron's refusals come back in nova's shape and status (e.g. a group in use is a 400).
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from twinstack.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import check, compute, int_param, route, until
from twinstack.services.compute.api.server_actions import ACCEPTED, action
from twinstack.services.network.resource import ListParams

PROXY_MAX = "2.35"
_TEXT = {"type": "string", "minLength": 0, "maxLength": 255}
GROUP = {
    "type": "object",
    "properties": {
        "security_group": {
            "type": "object",
            "properties": {"name": _TEXT, "description": _TEXT},
            "required": ["name", "description"],
        }
    },
    "required": ["security_group"],
}
RULE = {
    "type": "object",
    "properties": {
        "security_group_rule": {
            "type": "object",
            "properties": {
                "group_id": {"type": ["string", "null"], "format": "uuid"},
                "parent_group_id": {"type": "string", "format": "uuid"},
            },
            "required": ["parent_group_id"],
        }
    },
    "required": ["security_group_rule"],
}


def _network(req: ApiRequest) -> Any:
    return req.cloud.service("network")


def _params(**filters: Any) -> ListParams:
    return ListParams(filters={k: v if isinstance(v, list) else [v] for k, v in filters.items()})


def _valid_id(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise BadRequest("Security group id should be uuid") from None
    return value


# security groups ------------------------------------------------------------------------------------
def _rule_view(rule: dict[str, Any], names: dict[str, dict[str, Any]]) -> dict[str, Any]:
    protocol = rule.get("protocol")
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol and low is None and high is None:
        low, high = (1, 65535) if protocol.upper() in ("TCP", "UDP") else (-1, -1)
    view: dict[str, Any] = {
        "id": rule["id"],
        "parent_group_id": rule["security_group_id"],
        "ip_protocol": protocol,
        "from_port": low,
        "to_port": high,
        "group": {},
        "ip_range": {},
    }
    if rule.get("remote_group_id"):
        view["group"] = names.get(rule["remote_group_id"], {})
    else:
        view["ip_range"] = {"cidr": rule.get("remote_ip_prefix") or "0.0.0.0/0"}
    return view


def _group_view(
    req: ApiRequest, group: dict[str, Any], names: dict[str, Any] | None = None
) -> dict[str, Any]:
    names = dict(names or {})
    names.setdefault(group["id"], {"name": group["name"], "tenant_id": group["project_id"]})
    for rule in group.get("security_group_rules") or []:
        remote = rule.get("remote_group_id")
        if remote and remote not in names:
            try:
                other = _network(req).show_security_group(req.ctx, remote)
                names[remote] = {"name": other["name"], "tenant_id": other["project_id"]}
            except NotFound:
                names[remote] = {}
    return {
        "id": group["id"],
        "name": group["name"],
        "description": group.get("description") or "",
        "tenant_id": group["project_id"],
        "rules": [
            _rule_view(r, names)
            for r in group.get("security_group_rules") or []
            if r.get("direction") == "ingress"
        ],
    }


def _get_group(req: ApiRequest, group_id: str) -> dict[str, Any]:
    try:
        return dict(_network(req).show_security_group(req.ctx, group_id))
    except NotFound as exc:
        raise NotFound(exc.message) from None


def _check_text(value: str, what: str) -> None:
    if not value.strip():
        raise BadRequest(f"Security group {what} cannot be empty.")


def list_security_groups(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    limit = int_param(req, "limit", 0)
    offset = int_param(req, "offset", 0) or 0
    all_tenants = req.ctx.is_admin and "all_tenants" in req.query
    params = _params() if all_tenants else _params(project_id=req.ctx.project_id)
    groups = _network(req).list_security_groups(req.ctx, params)
    groups = groups[offset : offset + limit if limit is not None else None]
    names = {g["id"]: {"name": g["name"], "tenant_id": g["project_id"]} for g in groups}
    views = [_group_view(req, g, names) for g in groups]
    return {"security_groups": sorted(views, key=lambda v: (v["tenant_id"], v["name"]))}


def create_security_group(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    check(GROUP, req.body)
    body = req.body["security_group"]
    _check_text(body["name"], "name")
    try:
        group = _network(req).create_security_group(
            req.ctx, {"name": body["name"], "description": body["description"]}
        )
    except Conflict as exc:
        raise Forbidden(exc.message) from None
    except ApiError as exc:
        if exc.status == 400:
            raise BadRequest(exc.message) from None
        raise
    return {"security_group": _group_view(req, group)}


def show_security_group(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    group = _get_group(req, _valid_id(req.path["group_id"]))
    return {"security_group": _group_view(req, group)}


def update_security_group(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    group_id = _valid_id(req.path["group_id"])
    _get_group(req, group_id)
    check(GROUP, req.body)
    body = req.body["security_group"]
    _check_text(body["name"], "name")
    group = _network(req).update_security_group(
        req.ctx, group_id, {"name": body["name"], "description": body["description"]}
    )
    return {"security_group": _group_view(req, group)}


def delete_security_group(req: ApiRequest) -> ApiResponse:
    until(req, PROXY_MAX)
    group_id = _valid_id(req.path["group_id"])
    _get_group(req, group_id)
    try:
        _network(req).delete_security_group(req.ctx, group_id)
    except ApiError as exc:
        if exc.status == 404:
            raise NotFound(exc.message) from None
        if exc.status in (403, 409):  # in use, or the default group: nova's Invalid
            raise BadRequest(exc.message) from None
        raise
    return ApiResponse(None, 202)


def delete_security_group_without_id(req: ApiRequest) -> None:
    raise NotFound("The resource could not be found.")


def _new_rule(rule: dict[str, Any]) -> dict[str, Any] | None:
    """Nova's ``_new_ingress_rule``: ports and protocol checked as nova checks them."""
    protocol, low, high = rule.get("ip_protocol"), rule.get("from_port"), rule.get("to_port")
    values: dict[str, Any] = {}
    if rule.get("group_id"):
        values["group_id"] = rule["group_id"]
        upper = str(protocol).upper() if protocol else ""
        if upper == "ICMP" and low is None and high is None:
            low = high = -1
        elif upper in ("TCP", "UDP") and low is None and high is None:
            low, high = 1, 65535
    else:
        cidr = rule.get("cidr") or "0.0.0.0/0"
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            raise BadRequest(f"{cidr} is not a valid IP network.") from None
        if str(network.network_address) not in ("0.0.0.0", "::") and network.prefixlen == 0:
            raise BadRequest(f"Bad prefix for network in cidr {cidr}")
        values["cidr"] = str(cidr)
    if not (protocol and low is not None and high is not None):
        return None if "cidr" in values else values
    protocol = str(protocol)
    upper = protocol.upper()
    try:
        low, high = int(low), int(high)
    except (TypeError, ValueError):
        if upper == "ICMP":
            raise BadRequest(
                "Invalid input received: Type and Code must be integers for ICMP protocol type"
            ) from None
        raise BadRequest("Invalid input received: To and From ports must be integers") from None
    if upper not in ("TCP", "UDP", "ICMP"):
        raise BadRequest(f"Invalid IP protocol {protocol}.")
    if upper in ("TCP", "UDP") and low > high:
        raise BadRequest(f"Invalid port range {low}:{high}. Former value cannot be greater than the later")
    if upper in ("TCP", "UDP") and (low < 1 or high > 65535):
        raise BadRequest(f"Invalid port range {low}:{high}. Valid {upper} ports should be between 1-65535")
    if upper == "ICMP" and not (-1 <= low <= 255 and -1 <= high <= 255):
        raise BadRequest(f"Invalid port range {low}:{high}. For ICMP, the type:code must be valid")
    values.update(protocol=protocol, from_port=low, to_port=high)
    return values


def create_security_group_rule(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    check(RULE, req.body)
    rule = req.body["security_group_rule"]
    group = _get_group(req, rule["parent_group_id"])
    if rule.get("group_id"):
        _get_group(req, rule["group_id"])
    new = _new_rule(rule)
    if new is None:
        raise BadRequest("Not enough parameters to build a valid rule.")
    cidr = new.get("cidr")
    neutron_rule: dict[str, Any] = {
        "security_group_id": group["id"],
        "direction": "ingress",
        "ethertype": "IPv6" if cidr and ":" in cidr else "IPv4",
        "protocol": new.get("protocol"),
    }
    if cidr:
        neutron_rule["remote_ip_prefix"] = cidr
    if new.get("group_id"):
        neutron_rule["remote_group_id"] = new["group_id"]
    if "from_port" in new:
        is_icmp = str(new["protocol"]).upper() == "ICMP"
        neutron_rule["port_range_min"] = None if is_icmp and new["from_port"] == -1 else new["from_port"]
        neutron_rule["port_range_max"] = None if is_icmp and new["to_port"] == -1 else new["to_port"]
    try:
        created = _network(req).create_security_group_rule(req.ctx, neutron_rule)
    except NotFound as exc:
        raise NotFound(exc.message) from None
    except ApiError as exc:
        if exc.status == 409:
            raise BadRequest(f"This rule already exists in group {group['id']}") from None
        if exc.status == 400:
            raise BadRequest(exc.message) from None
        raise
    names = {group["id"]: {"name": group["name"], "tenant_id": group["project_id"]}}
    return {
        "security_group_rule": _group_view(req, {**group, "security_group_rules": [created]}, names)["rules"][
            0
        ]
    }


def delete_security_group_rule(req: ApiRequest) -> ApiResponse:
    until(req, PROXY_MAX)
    rule_id = _valid_id(req.path["rule_id"])
    try:
        _network(req).delete_security_group_rule(req.ctx, rule_id)
    except NotFound as exc:
        raise NotFound(exc.message) from None
    return ApiResponse(None, 202)


def _instance_ports(req: ApiRequest, server_id: str) -> list[dict[str, Any]]:
    return list(_network(req).list_ports(req.ctx, device_id=server_id))


def server_security_groups(req: ApiRequest) -> dict[str, Any]:
    inst = compute(req).get_instance(req.ctx, req.path["server_id"])
    ids: list[str] = []
    for port in _instance_ports(req, inst["id"]):
        ids += [g for g in port.get("security_groups") or [] if g not in ids]
    groups = []
    for group_id in ids:
        try:
            groups.append(_network(req).show_security_group(req.ctx, group_id))
        except NotFound:
            continue
    names = {g["id"]: {"name": g["name"], "tenant_id": g["project_id"]} for g in groups}
    views = [_group_view(req, g, names) for g in groups]
    return {"security_groups": sorted(views, key=lambda v: (v["tenant_id"], v["name"]))}


def _group_name(value: Any, action_name: str) -> str:
    if not isinstance(value, dict):
        raise BadRequest("Missing parameter dict")
    check(
        {
            "type": "object",
            "properties": {"name": {"type": "string", "minLength": 1}},
            "required": ["name"],
            "additionalProperties": False,
        },
        value,
    )
    name = str(value["name"])
    if not name.strip():
        raise BadRequest("Security group name cannot be empty")
    return name


def find_group(req: ApiRequest, name: str) -> str:
    network = _network(req)
    try:
        uuid.UUID(name)
        return str(network.show_security_group(req.ctx, name)["id"])
    except (ValueError, NotFound):
        pass
    found = network.list_security_groups(req.ctx, _params(name=name, project_id=req.ctx.project_id))
    if len(found) > 1:
        raise Conflict(
            f"Multiple security_group matches found for name '{name}', use an ID to be more specific."
        )
    if not found:
        raise NotFound(f"Security group {name} is not found for project {req.ctx.project_id}")
    return str(found[0]["id"])


@action("addSecurityGroup")
async def add_security_group(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    inst = compute(req).get_instance(req.ctx, sid)
    name = _group_name(value, "addSecurityGroup")
    group_id = find_group(req, name)
    ports = _instance_ports(req, inst["id"])
    if not ports:
        raise NotFound(f"instance_id {inst['id']} could not be found as device id on any ports")
    for port in ports:
        if not port.get("port_security_enabled", True) or not port.get("fixed_ips"):
            raise BadRequest(
                "Network requires port_security_enabled and subnet associated in order to apply "
                "security groups."
            )
        groups = list(port.get("security_groups") or [])
        if group_id not in groups:
            _network(req).update_port(req.ctx, port["id"], {"security_groups": [*groups, group_id]})
    return ACCEPTED


@action("removeSecurityGroup")
async def remove_security_group(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    inst = compute(req).get_instance(req.ctx, sid)
    name = _group_name(value, "removeSecurityGroup")
    group_id = find_group(req, name)
    ports = _instance_ports(req, inst["id"])
    if not ports:
        raise NotFound(f"instance_id {inst['id']} could not be found as device id on any ports")
    found = False
    for port in ports:
        groups = list(port.get("security_groups") or [])
        if group_id in groups:
            groups.remove(group_id)
            _network(req).update_port(req.ctx, port["id"], {"security_groups": groups})
            found = True
    if not found:
        raise NotFound(f"Security group {name} not associated with the instance {inst['id']}")
    return ACCEPTED


# floating IPs -------------------------------------------------------------------------------------
def _pools(req: ApiRequest) -> list[dict[str, Any]]:
    return list(_network(req).list_networks(req.ctx, **{"router:external": True}))


def _fip_view(req: ApiRequest, fip: dict[str, Any], pools: dict[str, str] | None = None) -> dict[str, Any]:
    if pools is None:
        pools = {n["id"]: n.get("name") or n["id"] for n in _pools(req)}
    instance_id = None
    if fip.get("port_id"):
        try:
            instance_id = _network(req).get_port(req.ctx, fip["port_id"]).get("device_id") or None
        except NotFound:
            instance_id = None
    net = fip["floating_network_id"]
    return {
        "id": fip["id"],
        "instance_id": instance_id,
        "ip": fip["floating_ip_address"],
        "fixed_ip": fip.get("fixed_ip_address"),
        "pool": pools.get(net, net),
    }


def _get_fip(req: ApiRequest, fip_id: str) -> dict[str, Any]:
    try:
        return dict(_network(req).show_floatingip(req.ctx, fip_id))
    except NotFound:
        raise NotFound(f"Floating IP not found for ID {fip_id}") from None


def _fip_by_address(req: ApiRequest, address: str) -> dict[str, Any] | None:
    found = _network(req).list_floatingips(
        req.ctx, _params(floating_ip_address=address, project_id=req.ctx.project_id)
    )
    return dict(found[0]) if found else None


def list_floating_ips(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    fips = _network(req).list_floatingips(req.ctx, _params(project_id=req.ctx.project_id))
    pools = {n["id"]: n.get("name") or n["id"] for n in _pools(req)}
    return {"floating_ips": [_fip_view(req, f, pools) for f in fips]}


def show_floating_ip(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"floating_ip": _fip_view(req, _get_fip(req, req.path["fip_id"]))}


def create_floating_ip(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    body = req.body if isinstance(req.body, dict) else {}
    check({"type": "object", "properties": {"pool": {"type": ["string", "null"]}}}, body)
    pool = body.get("pool")
    pools = _pools(req)
    if pool:
        match = [n for n in pools if pool in (n["id"], n.get("name"))]
        if not match:
            raise NotFound(f"Floating IP pool not found: {pool}")
        net = match[0]
    else:
        net = next((n for n in pools if n.get("name") == "public"), pools[0] if pools else None)
        if net is None:
            raise NotFound("No more floating IPs available.")
    try:
        fip = _network(req).create_floatingip(
            req.ctx, {"floating_network_id": net["id"], "project_id": req.ctx.project_id}
        )
    except Conflict:
        raise NotFound(
            f"No more floating IPs in pool {pool}." if pool else "No more floating IPs available."
        ) from None
    except Forbidden:
        raise Forbidden(
            f"IP allocation over quota in pool {pool}." if pool else "IP allocation over quota."
        ) from None
    return {"floating_ip": _fip_view(req, fip)}


def delete_floating_ip(req: ApiRequest) -> ApiResponse:
    until(req, PROXY_MAX)
    fip = _get_fip(req, req.path["fip_id"])
    _network(req).delete_floatingip(req.ctx, fip["id"])
    return ApiResponse(None, 202)


def _fixed_ips(req: ApiRequest, server_id: str) -> list[tuple[str, str]]:
    """(address, port id) of the instance's fixed IPs."""
    return [
        (ip["ip_address"], port["id"])
        for port in _instance_ports(req, server_id)
        for ip in port.get("fixed_ips") or []
    ]


def _ip(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise BadRequest(
            f"Invalid input for field/attribute address. Value: {value}. '{value}' is not a 'ip-address'"
        ) from None
    return value


@action("addFloatingIp")
async def add_floating_ip(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    until(req, "2.43")
    check(
        {
            "type": "object",
            "properties": {
                "address": {"type": "string"},
                "fixed_address": {"type": "string"},
            },
            "required": ["address"],
            "additionalProperties": False,
        },
        value,
    )
    inst = compute(req).get_instance(req.ctx, sid)
    address = _ip(value["address"])
    fixed = _fixed_ips(req, inst["id"])
    if not fixed:
        raise BadRequest("No fixed IPs associated to instance")
    wanted = value.get("fixed_address")
    if wanted:
        choice = next((f for f in fixed if f[0] == wanted), None)
        if choice is None:
            raise BadRequest("Specified fixed address not assigned to instance")
    else:
        choice = next((f for f in fixed if ipaddress.ip_address(f[0]).version == 4), None)
        if choice is None:
            raise BadRequest(
                f"Unable to associate floating IP {address} to any fixed IPs for instance {sid}. "
                "Instance has no fixed IPv4 addresses to associate."
            )
    fip = _fip_by_address(req, address)
    if fip is None:
        raise NotFound("floating IP not found")
    try:
        _network(req).update_floatingip(
            req.ctx, fip["id"], {"port_id": choice[1], "fixed_ip_address": choice[0]}
        )
    except ApiError as exc:
        raise BadRequest(
            f"Unable to associate floating IP {address} to fixed IP {choice[0]} for instance {sid}. "
            f"Error: {exc.message}"
        ) from None
    return ACCEPTED


@action("removeFloatingIp")
async def remove_floating_ip(req: ApiRequest, sid: str, value: Any) -> ApiResponse:
    until(req, "2.43")
    check(
        {
            "type": "object",
            "properties": {"address": {"type": "string"}},
            "required": ["address"],
            "additionalProperties": False,
        },
        value,
    )
    address = _ip(value["address"])
    fip = _fip_by_address(req, address)
    if fip is None:
        raise NotFound("floating IP not found")
    inst = compute(req).get_instance(req.ctx, sid)
    ports = {p["id"] for p in _instance_ports(req, inst["id"])}
    if not fip.get("port_id") or fip["port_id"] not in ports:
        raise Conflict(f"Floating IP {address} is not associated with instance {sid}.")
    _network(req).update_floatingip(req.ctx, fip["id"], {"port_id": None})
    return ACCEPTED


def list_floating_ip_pools(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"floating_ip_pools": [{"name": n.get("name") or n["id"]} for n in _pools(req)]}


# networks -----------------------------------------------------------------------------------------
_NET_FIELDS = (
    "cidr",
    "netmask",
    "gateway",
    "broadcast",
    "dns1",
    "dns2",
    "cidr_v6",
    "gateway_v6",
    "netmask_v6",
)
_NET_ADMIN_FIELDS = (
    "created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge", "vlan",
    "vpn_public_address", "vpn_public_port", "vpn_private_address", "dhcp_start", "project_id",
    "host", "bridge_interface", "multi_host", "priority", "rxtx_base", "mtu", "dhcp_server",
    "enable_dhcp", "share_address",
)  # fmt: skip


def _visible_networks(req: ApiRequest) -> list[dict[str, Any]]:
    """What neutron lists for the caller's token (nova's ``get_all``): its own, shared and
    external networks, every network for an admin."""
    return list(_network(req).list_networks(req.ctx))


def _get_network(req: ApiRequest, network_id: str) -> dict[str, Any]:
    try:
        return dict(_network(req).get_network(req.ctx, network_id))
    except NotFound:
        raise NotFound("Network not found") from None


def _network_view(req: ApiRequest, net: dict[str, Any]) -> dict[str, Any]:
    fields = _NET_FIELDS + (_NET_ADMIN_FIELDS if req.ctx.is_admin else ())
    return {"id": net["id"], "label": net.get("name"), **dict.fromkeys(fields)}


def list_networks(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"networks": [_network_view(req, n) for n in _visible_networks(req)]}


def show_network(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"network": _network_view(req, _get_network(req, req.path["network_id"]))}


def _tenant_network_view(net: dict[str, Any]) -> dict[str, Any]:
    return {"id": net["id"], "cidr": "None", "label": net.get("name")}


def list_tenant_networks(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"networks": [_tenant_network_view(n) for n in _visible_networks(req)]}


def show_tenant_network(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"network": _tenant_network_view(_get_network(req, req.path["network_id"]))}


def gone(req: ApiRequest) -> None:
    until(req, PROXY_MAX)
    raise ApiError("This API was removed: nova-network is gone (Ussuri).", 410)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-security-groups", list_security_groups)
    route(api, "POST", "/os-security-groups", create_security_group)
    route(api, "DELETE", "/os-security-groups", delete_security_group_without_id)
    route(api, "GET", "/os-security-groups/{group_id}", show_security_group)
    route(api, "PUT", "/os-security-groups/{group_id}", update_security_group)
    route(api, "DELETE", "/os-security-groups/{group_id}", delete_security_group, status=202)
    route(api, "POST", "/os-security-group-rules", create_security_group_rule)
    route(api, "DELETE", "/os-security-group-rules/{rule_id}", delete_security_group_rule, status=202)
    route(api, "GET", "/servers/{server_id}/os-security-groups", server_security_groups)
    route(api, "GET", "/os-floating-ips", list_floating_ips)
    route(api, "POST", "/os-floating-ips", create_floating_ip)
    route(api, "GET", "/os-floating-ips/{fip_id}", show_floating_ip)
    route(api, "DELETE", "/os-floating-ips/{fip_id}", delete_floating_ip, status=202)
    route(api, "GET", "/os-floating-ip-pools", list_floating_ip_pools)
    route(api, "GET", "/os-networks", list_networks)
    route(api, "POST", "/os-networks", gone)
    route(api, "GET", "/os-networks/{network_id}", show_network)
    route(api, "DELETE", "/os-networks/{network_id}", gone)
    route(api, "GET", "/os-tenant-networks", list_tenant_networks)
    route(api, "POST", "/os-tenant-networks", gone)
    route(api, "GET", "/os-tenant-networks/{network_id}", show_tenant_network)
    route(api, "DELETE", "/os-tenant-networks/{network_id}", gone)
