"""Resources declared once, as neutron's attribute maps: the declaration drives everything.

An ``Attr`` says whether a field may be given on create (``post``) and update (``put``), its
default (or that it is required), how it is converted and validated, whether it is visible,
filterable and sortable, and whether only admins may set (and see) it. A ``Resource`` turns a
request body into checked values (``parse_create``/``parse_update``), query parameters into
``ListParams`` (filters, sorts, paging, ``fields``) and an item into its view. Lists are
filtered, sorted and paged here (``apply_list``), so every resource lists the same way.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table

from twinstack.core.context import RequestContext
from twinstack.services.network.errors import ApiError, bad_request, invalid_attr, policy
from twinstack.services.network.validators import Converter, Validator, to_boolean, to_int

REQUIRED = object()
NOT_SET = object()

# Query parameters that are not filters.
LIST_CONTROLS = {"fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse"}
TAG_FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    post: bool = False
    put: bool = False
    default: Any = NOT_SET  # NOT_SET: absent unless given; REQUIRED: must be given on create
    convert: Converter | None = None
    validate: Validator | None = None
    visible: bool = True
    filter: bool = True
    sort: bool = True
    # Who may set it ("admin", "network_owner") and whether only admins see it.
    set_by: str | None = None
    admin_view: bool = False
    column: str | None = ""  # "" -> name with ":" as "_"; None -> not stored (derived)
    filter_convert: Converter | None = None

    @property
    def col(self) -> str | None:
        if self.column == "":
            return self.name.replace(":", "_")
        return self.column


def standard_attrs(*, name: bool = True, taggable: bool = True) -> list[Attr]:
    from twinstack.services.network.validators import string, uuid_value

    attrs = [
        Attr("id", filter=True, sort=True, validate=uuid_value),
        Attr("project_id", post=True, default=REQUIRED, validate=string(255), column="project_id"),
        Attr("tenant_id", post=True, default=REQUIRED, validate=string(255), column="project_id"),
        Attr("description", post=True, put=True, default="", validate=string(255)),
        Attr("created_at", sort=True),
        Attr("updated_at", sort=True),
        Attr("revision_number", sort=True, filter_convert=to_int),
    ]
    if name:
        attrs.insert(1, Attr("name", post=True, put=True, default="", validate=string(255)))
    if taggable:
        attrs.append(Attr("tags", column=None, sort=False, filter=False))
    return attrs


@dataclass
class ListParams:
    filters: dict[str, list[Any]] = field(default_factory=dict)
    sorts: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = None
    marker: str | None = None
    page_reverse: bool = False
    fields: list[str] = field(default_factory=list)


class Resource:
    def __init__(
        self, name: str, collection: str, table: Table | None, attrs: Iterable[Attr], *, taggable: bool = True
    ) -> None:
        self.name = name
        self.collection = collection
        self.table = table
        self.attrs: dict[str, Attr] = {a.name: a for a in attrs}
        self.taggable = taggable
        self.columns = {a.name: a.col for a in self.attrs.values() if a.col}

    # request bodies ---------------------------------------------------------------------------
    def body_of(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or self.name not in body:
            raise bad_request(f"Unable to find '{self.name}' in request body")
        value = body[self.name]
        if not isinstance(value, dict):
            raise bad_request(f"Unable to find '{self.name}' in request body")
        return value

    def parse_create(
        self,
        ctx: RequestContext,
        data: Mapping[str, Any],
        network_owner: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """Check a create body: unknown/forbidden attributes, defaults, conversion, policy."""
        self._reject_unknown(data)
        values: dict[str, Any] = {}
        for attr in self.attrs.values():
            if attr.name in data:
                if not attr.post:
                    raise bad_request(f"Attribute '{attr.name}' not allowed in POST")
                values[attr.name] = self._convert(attr, data[attr.name])
        self._project(ctx, values, create=True)
        for attr in self.attrs.values():
            if not attr.post or attr.name in values:
                continue
            if attr.default is REQUIRED:
                raise bad_request(f"Failed to parse request. Required attribute '{attr.name}' not specified")
            if attr.default is not NOT_SET:
                values[attr.name] = attr.default() if callable(attr.default) else attr.default
        for name in data:
            attr = self.attrs[name]
            if attr.set_by:
                self._check_set_by(ctx, attr, f"create_{self.name}:{name}", values, network_owner)
        return values

    def parse_update(
        self,
        ctx: RequestContext,
        data: Mapping[str, Any],
        current: dict[str, Any] | None = None,
        network_owner: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        self._reject_unknown(data)
        values: dict[str, Any] = {}
        for name, raw in data.items():
            attr = self.attrs[name]
            if not attr.put:
                raise bad_request(f"Cannot update read-only attribute {name}")
            values[name] = self._convert(attr, raw)
            if attr.set_by:
                self._check_set_by(ctx, attr, f"update_{self.name}:{name}", current or {}, network_owner)
        return values

    def precheck_update(self, data: Mapping[str, Any]) -> None:
        """What neutron rejects before it looks the resource up: unknown and read-only keys."""
        self._reject_unknown(data)
        for name in data:
            if not self.attrs[name].put:
                raise bad_request(f"Cannot update read-only attribute {name}")

    def _reject_unknown(self, data: Mapping[str, Any]) -> None:
        extra = [key for key in data if key not in self.attrs]
        if extra:
            raise bad_request(f"Unrecognized attribute(s) '{', '.join(extra)}'")

    @staticmethod
    def _convert(attr: Attr, raw: Any) -> Any:
        value = attr.convert(raw) if attr.convert else raw
        if attr.validate is not None:
            reason = attr.validate(value)
            if reason:
                raise invalid_attr(attr.name, reason)
        return value

    @staticmethod
    def _check_set_by(
        ctx: RequestContext,
        attr: Attr,
        action: str,
        target: dict[str, Any],
        network_owner: Callable[[dict[str, Any]], bool] | None,
    ) -> None:
        if ctx.is_admin:
            return
        if attr.set_by == "network_owner" and network_owner is not None and network_owner(target):
            return
        raise policy(action)

    def _project(self, ctx: RequestContext, values: dict[str, Any], *, create: bool) -> None:
        if "project_id" not in self.attrs:
            return
        project = values.get("project_id")
        tenant = values.get("tenant_id")
        if project is not None and tenant is not None and project != tenant:
            raise bad_request("Both project_id and tenant_id passed with different values")
        owner = project or tenant
        if owner is not None and owner != ctx.project_id and not ctx.is_admin:
            raise bad_request(
                "Specifying 'project_id' or 'tenant_id' other than the authenticated project "
                "in request requires admin privileges"
            )
        owner = owner or ctx.project_id
        if create and not owner:
            raise bad_request("Running without keystone AuthN requires that project_id is specified")
        values["project_id"] = values["tenant_id"] = owner

    # rows <-> items -----------------------------------------------------------------------------
    def row_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Attribute values -> table column values (stored attributes only)."""
        return {col: values[name] for name, col in self.columns.items() if name in values}

    def item(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {name: row[col] for name, col in self.columns.items() if col in row}

    def view(
        self, item: Mapping[str, Any], ctx: RequestContext, fields: list[str] | None = None
    ) -> dict[str, Any]:
        admin = ctx.is_admin
        out: dict[str, Any] = {}
        for attr in self.attrs.values():
            if not attr.visible or (attr.admin_view and not admin) or attr.name not in item:
                continue
            if fields and attr.name not in fields:
                continue
            out[attr.name] = item[attr.name]
        return out

    # lists --------------------------------------------------------------------------------------
    def list_params(self, query: Any, extra_filters: Iterable[str] = ()) -> ListParams:
        """Query string -> ``ListParams``, with neutron's filter-validation and sort checks."""
        params = ListParams()
        multi: dict[str, list[str]] = {}
        for key, value in query.multi_items():
            multi.setdefault(key, []).append(value)
        allowed_extra = set(extra_filters) | (set(TAG_FILTERS) if self.taggable else set())
        invalid = []
        for key, raw_values in multi.items():
            if key in LIST_CONTROLS:
                continue
            attr = self.attrs.get(key)
            if key in allowed_extra:
                params.filters[key] = [v for v in raw_values if v != ""]
                continue
            if attr is None or not attr.filter:
                invalid.append(key)
                continue
            kept = [v for v in raw_values if v != ""]
            convert = attr.filter_convert or attr.convert
            if convert is not None:
                converted = []
                for v in kept:
                    try:
                        converted.append(convert(v))
                    except ApiError:
                        converted.append(v)
                kept = converted
            if kept:
                params.filters[key] = kept
        if invalid:
            raise bad_request(f"{invalid} is invalid attribute for filtering")
        params.fields = [f for f in multi.get("fields", []) if f]
        keys = [k for k in multi.get("sort_key", []) if k]
        dirs = [d for d in multi.get("sort_dir", []) if d]
        if keys and not dirs:
            dirs = ["asc"] * len(keys)
        if len(keys) != len(dirs):
            raise bad_request("The number of sort_keys and sort_dirs must be same")
        bad_keys = [k for k in keys if k not in self.attrs or not self.attrs[k].sort]
        if bad_keys:
            raise bad_request(f"{bad_keys} is invalid attribute for sort_keys")
        bad_dirs = [d for d in dirs if d not in ("asc", "desc")]
        if bad_dirs:
            raise bad_request(f"{bad_dirs} is invalid value for sort_dirs, valid value is 'asc' and 'desc'")
        params.sorts = [(k, d == "asc") for k, d in zip(keys, dirs, strict=True)]
        limit = query.get("limit")
        if limit is not None:
            try:
                number = int(limit)
                if number < 0:
                    raise ValueError
            except ValueError:
                raise ApiError(
                    f"Bad limit request: Limit must be an integer 0 or greater and not '{limit}'.",
                    400,
                    kind="BadRequest",
                ) from None
            params.limit = number or None
        params.marker = query.get("marker") or None
        params.page_reverse = str(query.get("page_reverse", "False")).lower() == "true"
        return params

    def sql_filters(self, params: ListParams) -> list[Any]:
        """WHERE clauses for the filters on stored, scalar attributes (the rest filter in Python)."""
        if self.table is None:
            return []
        clauses = []
        for key, wanted in params.filters.items():
            attr = self.attrs.get(key)
            if attr is None or not attr.col or attr.col not in self.table.c:
                continue
            column = self.table.c[attr.col]
            if column.type.__class__.__name__ == "JSON":
                continue
            clauses.append(column.in_(wanted))
        return clauses

    def apply_list(self, items: list[dict[str, Any]], params: ListParams) -> list[dict[str, Any]]:
        """Filter, sort and page items (attribute-keyed dicts); the result is still unviewed."""
        selected = [item for item in items if self.matches(item, params.filters)]
        sorts = params.sorts + ([("id", True)] if all(k != "id" for k, _ in params.sorts) else [])
        for key, ascending in reversed(sorts):
            selected.sort(key=lambda it, k=key: _sort_key(it.get(k)), reverse=not ascending)
        if params.marker is not None:
            index = next((i for i, it in enumerate(selected) if it.get("id") == params.marker), None)
            if index is not None:
                selected = selected[:index][::-1] if params.page_reverse else selected[index + 1 :]
            elif params.page_reverse:
                selected = selected[::-1]
        elif params.page_reverse:
            selected = selected[::-1]
        if params.limit:
            selected = selected[: params.limit]
        if params.page_reverse:
            selected = selected[::-1]
        return selected

    def matches(self, item: Mapping[str, Any], filters: Mapping[str, list[Any]]) -> bool:
        for key, wanted in filters.items():
            if key in TAG_FILTERS:
                if not _tags_match(key, item.get("tags", []), wanted):
                    return False
                continue
            if key not in item:
                continue  # filters handled by the service (e.g. fixed_ips)
            value = item[key]
            if isinstance(value, list):
                if not any(v in wanted or str(v) in wanted for v in value):
                    return False
            elif value not in wanted and str(value) not in wanted:
                return False
        return True

    def links(
        self, request_url: str, query: Any, items: list[dict[str, Any]], params: ListParams
    ) -> list[dict[str, str]]:
        """``<collection>_links`` as neutron builds them (api_common.get_pagination_links)."""
        if not params.limit:
            return []
        links = []
        base = [(k, v) for k, v in query.multi_items() if k not in ("marker", "page_reverse")]
        if not (len(items) < params.limit and not params.page_reverse):
            marker = [("marker", items[-1]["id"])] if items else []
            links.append({"rel": "next", "href": f"{request_url}?{urllib.parse.urlencode(base + marker)}"})
        if not (len(items) < params.limit and params.page_reverse):
            marker = [("marker", items[0]["id"])] if items else []
            href = f"{request_url}?{urllib.parse.urlencode(base + marker + [('page_reverse', 'True')])}"
            links.append({"rel": "previous", "href": href})
        return links


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        try:
            return (
                (2, ipaddress.ip_address(value).packed.rjust(16, b"\0").hex())
                if _looks_ip(value)
                else (3, value)
            )
        except ValueError:
            return (3, value)
    return (4, str(value))


def _looks_ip(value: str) -> bool:
    return (
        len(value) <= 45
        and (value.count(".") == 3 or value.count(":") >= 2)
        and "/" not in value
        and not value.count("-")
    )


def _tags_match(key: str, have: list[str], wanted: list[str]) -> bool:
    tags = {t for value in wanted for t in value.split(",") if t}
    present = set(have)
    if key == "tags":
        return tags <= present
    if key == "tags-any":
        return bool(tags & present)
    if key == "not-tags":
        return not tags <= present
    return not tags & present


def to_filter_bool(value: Any) -> Any:
    try:
        return to_boolean(value)
    except ApiError:
        return value
