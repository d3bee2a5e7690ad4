"""Neutron's attribute converters and validators (neutron_lib.api.validators, converters).

A validator returns ``None`` when the value is good, else neutron's reason text; a converter
returns the converted value or raises ``ApiError`` (InvalidInput) as neutron's converters do.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from typing import Any

from twinstack.services.network.errors import invalid_input

Validator = Callable[[Any], str | None]
Converter = Callable[[Any], Any]

_MAC_RE = re.compile(r"^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$")


# converters ---------------------------------------------------------------------------------
def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise invalid_input(f"'{value}' cannot be converted to boolean")


def to_boolean_or_none(value: Any) -> bool | None:
    return None if value is None else to_boolean(value)


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_input(f"'{value}' is not an integer") from None


def to_int_or_none(value: Any) -> int | None:
    return None if value is None else to_int(value)


def to_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def to_none_if_empty(value: Any) -> Any:
    return None if value in ("", []) else value


def to_protocol(value: Any) -> str | None:
    """Security group rule protocol: a name (lower case) or a number 0-255 as a string."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise protocol_error(value)
    lowered = value.lower()
    if lowered in PROTOCOL_NAMES:
        return lowered
    if lowered.isdigit() and 0 <= int(lowered) <= 255:
        return lowered
    raise protocol_error(value)


def protocol_error(value: Any) -> Exception:
    from twinstack.services.network.errors import err

    names = ", ".join(sorted(PROTOCOL_NAMES))
    return err(
        "SecurityGroupRuleInvalidProtocol",
        400,
        f"Security group rule protocol {value} not supported. Only protocol values "
        f"[{names}] and integer representations [0 to 255] are supported.",
    )


PROTOCOL_NAMES = {
    "ah",
    "dccp",
    "egp",
    "esp",
    "gre",
    "hopopt",
    "icmp",
    "igmp",
    "ipip",
    "ipv6-encap",
    "ipv6-frag",
    "ipv6-icmp",
    "icmpv6",
    "ipv6-nonxt",
    "ipv6-opts",
    "ipv6-route",
    "ospf",
    "pgm",
    "rsvp",
    "sctp",
    "tcp",
    "udp",
    "udplite",
    "vrrp",
    "any",
}


# validators ---------------------------------------------------------------------------------
def string(max_len: int | None = 255) -> Validator:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"'{value}' is not a valid string"
        if max_len is not None and len(value) > max_len:
            return f"'{value}' exceeds maximum length of {max_len}"
        return None

    return check


def string_or_none(max_len: int | None = 255) -> Validator:
    inner = string(max_len)
    return lambda value: None if value is None else inner(value)


def values(*allowed: Any) -> Validator:
    def check(value: Any) -> str | None:
        if value not in allowed:
            return f"{value} is not in {list(allowed)}"
        return None

    return check


def range_of(low: int, high: int) -> Validator:
    def check(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            return f"'{value}' is not an integer"
        if value < low:
            return f"'{value}' is too small - must be at least '{low}'"
        if value > high:
            return f"'{value}' is too large - must be no larger than '{high}'"
        return None

    return check


def is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def uuid_value(value: Any) -> str | None:
    return None if is_uuid(value) else f"'{value}' is not a valid UUID"


def uuid_or_none(value: Any) -> str | None:
    return None if value is None else uuid_value(value)


def uuid_list(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"'{value}' is not a list"
    for item in value:
        problem = uuid_value(item)
        if problem:
            return problem
    if len(set(value)) != len(value):
        return f"Duplicate items in the list: '{', '.join(sorted({v for v in value if value.count(v) > 1}))}'"
    return None


def ip_address(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"'{value}' is not a valid IP address"
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return f"'{value}' is not a valid IP address"
    if str(addr) != value and addr.version == 4:
        return f"'{value}' is not an accepted IP address, '{addr}' is recommended"
    return None


def ip_address_or_none(value: Any) -> str | None:
    return None if value is None else ip_address(value)


def subnet_cidr(value: Any) -> str | None:
    if not isinstance(value, str) or "/" not in value:
        return f"'{value}' is not a valid IP subnet"
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"'{value}' is not a valid IP subnet"
    if str(net) != value:
        return f"'{value}' isn't a recommended CIDR, '{net}' is recommended"
    return None


def subnet_cidr_or_none(value: Any) -> str | None:
    return None if value is None else subnet_cidr(value)


def ip_or_subnet_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"'{value}' is neither a valid IP address, nor is it a valid IP subnet"
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"'{value}' is neither a valid IP address, nor is it a valid IP subnet"
    return None


def mac_address(value: Any) -> str | None:
    if not isinstance(value, str) or not _MAC_RE.match(value):
        return f"'{value}' is not a valid MAC address"
    first = int(value[:2], 16)
    if first & 1 or value.replace("-", ":").lower() == "00:00:00:00:00:00":
        return f"'{value}' is not a valid MAC address"
    return None


def dict_or_empty(value: Any) -> str | None:
    return None if isinstance(value, dict) else f"'{value}' is not a dictionary"


def list_of_strings(max_len: int = 255) -> Validator:
    inner = string(max_len)

    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return f"'{value}' is not a list"
        for item in value:
            problem = inner(item)
            if problem:
                return problem
        return None

    return check


def nameservers(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"Invalid data format for nameserver: '{value}'"
    seen: set[str] = set()
    for host in value:
        problem = ip_address(host)
        if problem:
            return f"'{host}' is not a valid nameserver. {problem}"
        if host in seen:
            return f"Duplicate nameserver '{host}'"
        seen.add(host)
    return None


def hostroutes(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"Invalid data format for hostroute: '{value}'"
    seen: list[dict[str, Any]] = []
    for route in value:
        if not isinstance(route, dict) or set(route) != {"destination", "nexthop"}:
            return f"Invalid data format for hostroute: '{route}'"
        problem = subnet_cidr(route["destination"]) or ip_address(route["nexthop"])
        if problem:
            return problem
        if route in seen:
            return f"Duplicate hostroute '{route}'"
        seen.append(route)
    return None


def ip_pools(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"Invalid data format for IP pool: '{value}'"
    for pool in value:
        if not isinstance(pool, dict) or set(pool) != {"start", "end"}:
            return f"Invalid data format for IP pool: '{pool}'"
        problem = ip_address(pool["start"]) or ip_address(pool["end"])
        if problem:
            return problem
    return None


def fixed_ips(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"Invalid data format for fixed IP: '{value}'"
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict) or not set(item) <= {"ip_address", "subnet_id"}:
            return f"Invalid data format for fixed IP: '{item}'"
        if "ip_address" in item:
            address = item["ip_address"]
            if address in seen:
                return f"Duplicate IP address '{address}'"
            problem = ip_address(address)
            if problem:
                return problem
            seen.add(address)
        if "subnet_id" in item:
            problem = uuid_value(item["subnet_id"])
            if problem:
                return problem
    return None


def address_pairs(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"'{value}' is not a list"
    return None  # the details are checked with neutron's own exceptions in the port rules


def sub_ports(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"Invalid data format for subports: '{value}' is not a list"
    seen: set[str] = set()
    for sub in value:
        if not isinstance(sub, dict):
            return f"Invalid data format for subport: '{sub}' is not a dict"
        if "port_id" not in sub:
            return "A valid port UUID must be specified"
        if not is_uuid(sub["port_id"]):
            return f"Invalid UUID for subport: '{sub['port_id']}'"
        if sub["port_id"] in seen:
            return f"Non unique UUID for subport: '{sub['port_id']}'"
        seen.add(sub["port_id"])
        seg_type = sub.get("segmentation_type")
        if seg_type not in (None, "inherit") and "segmentation_id" not in sub:
            return (
                f"Invalid subport details '{sub}': missing segmentation information. "
                "Must specify both segmentation_id and segmentation_type"
            )
        if "segmentation_id" in sub:
            try:
                seg_id = int(sub["segmentation_id"])
            except (TypeError, ValueError):
                return f"'{sub['segmentation_id']}' is not an integer"
            if seg_type == "vlan" and not 1 <= seg_id <= 4094:
                return f"Segmentation ID '{seg_id}' for '{sub['port_id']}' is not in range [1, 4094]"
    return None


def quota_limit(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return f"'{value}' is not an integer"
    try:
        number = int(value)
    except ValueError:
        return f"'{value}' is not an integer"
    if number < -1:
        return f"'{value}' is too small - must be at least '-1'"
    return None
