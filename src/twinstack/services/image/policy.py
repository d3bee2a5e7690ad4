"""Glance's default policies (secure RBAC, ``enforce_new_defaults``), under glance's rule names.

A target is the image as policy sees it: ``project_id`` (the owner), ``visibility`` and
``member_id`` (the caller's project when it is a member of the image).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twinstack.core.context import RequestContext
from twinstack.core.policy import Policy

Target = Mapping[str, Any]


def _admin(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin


def _project_member(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (ctx.is_member and t.get("project_id") == ctx.project_id)


def _add_image(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (
        ctx.is_member and t.get("project_id") == ctx.project_id and t.get("owner") == ctx.project_id
    )


def _sees(ctx: RequestContext, t: Target) -> bool:
    return (
        t.get("project_id") == ctx.project_id
        or t.get("member_id") == ctx.project_id
        or t.get("visibility") in ("community", "public", "shared")
    )


def _get_image(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (ctx.is_reader and _sees(ctx, t))


def _download_image(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (ctx.is_member and _sees(ctx, t))


def _project_reader(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (ctx.is_reader and t.get("project_id") == ctx.project_id)


def _reader_or_shared_member(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (
        ctx.is_reader
        and ctx.project_id is not None
        and ctx.project_id in (t.get("project_id"), t.get("member_id"))
    )


def _shared_member(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or (
        ctx.is_member and ctx.project_id is not None and t.get("member_id") == ctx.project_id
    )


RULES = {
    "add_image": _add_image,
    "delete_image": _project_member,
    "get_image": _get_image,
    "get_images": _project_reader,
    "modify_image": _project_member,
    "publicize_image": _admin,
    "communitize_image": _project_member,
    "download_image": _download_image,
    "upload_image": _project_member,
    "add_member": _project_member,
    "delete_member": _project_member,
    "get_member": _reader_or_shared_member,
    "get_members": _reader_or_shared_member,
    "modify_member": _shared_member,
    "deactivate": _project_member,
    "reactivate": _project_member,
    "stores_info_detail": _admin,
}


def register(policy: Policy) -> None:
    policy.register(RULES)
