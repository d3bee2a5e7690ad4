"""Issue 2's user-facing sequence with the real ``openstack`` CLI, then u1 and ac1 authenticate."""

from __future__ import annotations

from typing import Any

import openstack

from twinstack.testing import CloudHandle


def test_issue_sequence_then_u1_and_ac1_authenticate(cli: Any, twinstack_cloud: CloudHandle) -> None:
    token = cli.json("token", "issue")
    assert token["id"] and token["project_id"] and token["user_id"] and token["expires"]

    catalog = cli.json("catalog", "list")
    types = {entry["Type"] for entry in catalog}
    assert {"identity", "compute", "image", "network", "placement", "block-storage", "volumev3"} <= types

    project = cli.json("project", "create", "p1")
    assert project["name"] == "p1" and project["domain_id"] == "default" and project["enabled"] is True

    user = cli.json("user", "create", "--project", "p1", "--password", "s3cret", "u1")
    assert user["name"] == "u1" and user["default_project_id"] == project["id"]

    assert cli.run("role", "add", "--project", "p1", "--user", "u1", "member").returncode == 0

    cred = cli.json("application", "credential", "create", "ac1")
    assert cred["Name"] == "ac1" and cred["Secret"] and cred["Project ID"] == token["project_id"]
    assert {r["name"] for r in cred["Roles"]} == {"admin", "manager", "member", "reader"}

    # u1 authenticates with the password and gets member (and the implied reader) on p1.
    u1 = openstack.connect(
        auth_url=twinstack_cloud.auth_url,
        username="u1",
        password="s3cret",
        project_name="p1",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="RegionOne",
    )
    access = u1.session.auth.get_access(u1.session)
    assert access.project_id == project["id"] and access.user_id == user["id"]
    assert {"member", "reader"} <= set(access.role_names) and "admin" not in access.role_names
    assert u1.identity.get_user(user["id"]).name == "u1"

    # ac1 authenticates with its id and secret, scoped to the project it was made on.
    ac1 = openstack.connect(
        auth_type="v3applicationcredential",
        auth_url=twinstack_cloud.auth_url,
        application_credential_id=cred["ID"],
        application_credential_secret=cred["Secret"],
        region_name="RegionOne",
    )
    ac_access = ac1.session.auth.get_access(ac1.session)
    assert ac_access.project_id == token["project_id"]
    assert ac_access.user_id == token["user_id"]
    assert "admin" in ac_access.role_names
    assert [p.name for p in ac1.identity.projects(name="p1")] == ["p1"]
