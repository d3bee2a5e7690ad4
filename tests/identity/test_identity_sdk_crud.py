"""CRUD of each keystone resource through openstacksdk, as a user of the SDK sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openstack.exceptions as exc
import pytest

from twinstack.testing import CloudHandle


def test_domains(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    domain = idn.create_domain(name=unique("dom"), description="d")
    assert domain.is_enabled and idn.get_domain(domain.id).description == "d"
    assert domain.id in [d.id for d in idn.domains(name=domain.name)]
    idn.update_domain(domain, is_enabled=False, description="off")
    assert idn.get_domain(domain.id).is_enabled is False
    idn.delete_domain(domain)
    with pytest.raises(exc.NotFoundException):
        idn.get_domain(domain.id)


def test_projects_hierarchy_and_tags(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    parent = idn.create_project(name=unique("parent"), tags=["blue", "red"])
    child = idn.create_project(name=unique("child"), parent_id=parent.id)
    assert child.parent_id == parent.id and child.domain_id == "default" and not child.is_domain
    assert sorted(idn.get_project(parent.id).tags) == ["blue", "red"]
    assert parent.id in [p.id for p in idn.projects(tags="blue,red")]
    assert parent.id in [p.id for p in idn.projects(tags_any="red,green")]
    assert parent.id not in [p.id for p in idn.projects(not_tags="blue")]
    assert [p.id for p in idn.projects(parent_id=parent.id)] == [child.id]
    idn.update_project(child, description="kid", is_enabled=False)
    assert idn.get_project(child.id).is_enabled is False
    assert child.id in [p.id for p in idn.projects(is_enabled=False)]
    idn.delete_project(child)
    idn.delete_project(parent)
    assert idn.find_project(parent.name) is None


def test_project_tag_api(
    twinstack_conn: Any, twinstack_cloud: CloudHandle, unique: Callable[[str], str]
) -> None:
    project = twinstack_conn.identity.create_project(name=unique("tags"))
    session = twinstack_conn.session
    base = f"{twinstack_cloud.url}/identity/v3/projects/{project.id}/tags"
    assert session.put(f"{base}/one").status_code == 201
    assert session.put(base, json={"tags": ["a", "b"]}).json() == {"tags": ["a", "b"]}
    assert session.head(f"{base}/a").status_code == 204
    assert session.get(base).json() == {"tags": ["a", "b"]}
    assert session.delete(f"{base}/a").status_code == 204
    assert session.get(f"{base}/a", raise_exc=False).status_code == 404
    assert session.delete(base).status_code == 204
    assert session.get(base).json() == {"tags": []}


def test_users_with_extra_attributes(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    project = idn.create_project(name=unique("home"))
    user = idn.create_user(
        name=unique("user"),
        password="pw-1",
        email="a@example.com",
        description="who",
        default_project_id=project.id,
    )
    got = idn.get_user(user.id)
    assert got.email == "a@example.com" and got.description == "who" and got.default_project_id == project.id
    assert not hasattr(got, "password") or got.password is None
    assert user.id in [u.id for u in idn.users(name=user.name)]
    idn.update_user(user, email="b@example.com", is_enabled=False)
    assert idn.get_user(user.id).email == "b@example.com"
    assert user.id in [u.id for u in idn.users(is_enabled=False)]
    idn.delete_user(user)
    with pytest.raises(exc.NotFoundException):
        idn.get_user(user.id)


def test_groups_and_membership(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    group = idn.create_group(name=unique("grp"), description="g")
    user = idn.create_user(name=unique("member"), password="pw")
    idn.add_user_to_group(user, group)
    assert idn.check_user_in_group(user, group)
    assert [u.id for u in idn.group_users(group)] == [user.id]
    assert [g.id for g in idn.user_groups(user)] == [group.id]
    idn.remove_user_from_group(user, group)
    assert not idn.check_user_in_group(user, group)
    idn.update_group(group, description="changed")
    assert idn.get_group(group.id).description == "changed"
    idn.delete_group(group)
    assert idn.find_group(group.name) is None


def test_roles_implied_and_domain_roles(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    prior = idn.create_role(name=unique("prior"), description="p")
    implied = idn.create_role(name=unique("implied"))
    domain_role = idn.create_role(name=unique("drole"), domain_id="default")
    assert domain_role.domain_id == "default"
    assert prior.id in [r.id for r in idn.roles()]
    assert domain_role.id not in [r.id for r in idn.roles()]
    assert domain_role.id in [r.id for r in idn.roles(domain_id="default")]
    session = twinstack_conn.session
    url = twinstack_conn.identity.get_endpoint_data().url.rstrip("/")
    r = session.put(f"{url}/roles/{prior.id}/implies/{implied.id}")
    assert r.status_code == 201
    assert r.json()["role_inference"]["implies"]["id"] == implied.id
    assert session.head(f"{url}/roles/{prior.id}/implies/{implied.id}").status_code == 204
    listed = session.get(f"{url}/roles/{prior.id}/implies").json()["role_inference"]
    assert [i["id"] for i in listed["implies"]] == [implied.id]
    inferences = session.get(f"{url}/role_inferences").json()["role_inferences"]
    assert any(rule["prior_role"]["id"] == prior.id for rule in inferences)
    admin = idn.find_role("admin")
    assert session.put(f"{url}/roles/{prior.id}/implies/{admin.id}", raise_exc=False).status_code == 403
    assert session.delete(f"{url}/roles/{prior.id}/implies/{implied.id}").status_code == 204
    idn.update_role(prior, description="q")
    assert idn.get_role(prior.id).description == "q"
    for role in (prior, implied, domain_role):
        idn.delete_role(role)


def test_grants_and_role_assignments(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    project = idn.create_project(name=unique("gp"))
    child = idn.create_project(name=unique("gc"), parent_id=project.id)
    user = idn.create_user(name=unique("gu"), password="pw")
    group = idn.create_group(name=unique("gg"))
    idn.add_user_to_group(user, group)
    member, reader = idn.find_role("member"), idn.find_role("reader")
    idn.assign_project_role_to_user(project, user, member)
    idn.assign_project_role_to_group(project, group, reader)
    assert idn.validate_user_has_project_role(project, user, member)
    direct = list(idn.role_assignments(user_id=user.id))
    assert [(a.role["id"], a.scope["project"]["id"]) for a in direct] == [(member.id, project.id)]
    effective = list(idn.role_assignments(user_id=user.id, effective=True))
    assert {(a.role["id"], a.scope["project"]["id"]) for a in effective} == {
        (member.id, project.id),
        (reader.id, project.id),
    }
    with_names = list(idn.role_assignments(user_id=user.id, include_names=True))
    assert with_names[0].role["name"] == "member" and with_names[0].user["name"] == user.name
    subtree = list(idn.role_assignments(scope_project_id=project.id, include_subtree=True))
    assert {a.scope["project"]["id"] for a in subtree} == {project.id}
    # Inherited to the subtree: the child gets it, the parent itself does not.
    session = twinstack_conn.session
    url = idn.get_endpoint_data().url.rstrip("/")
    inherit = (
        f"{url}/OS-INHERIT/projects/{project.id}/users/{user.id}/roles/{reader.id}/inherited_to_projects"
    )
    assert session.put(inherit).status_code == 204
    effective = list(idn.role_assignments(user_id=user.id, scope_project_id=child.id, effective=True))
    assert [a.role["id"] for a in effective] == [reader.id]
    idn.assign_domain_role_to_user("default", user, reader)
    assert idn.validate_user_has_domain_role("default", user, reader)
    system = f"{url}/system/users/{user.id}/roles/{reader.id}"
    assert session.put(system).status_code == 204 and session.head(system).status_code == 204
    assert [r["id"] for r in session.get(f"{url}/system/users/{user.id}/roles").json()["roles"]] == [
        reader.id
    ]
    assert any("system" in a.scope for a in idn.role_assignments(user_id=user.id, scope_system="all"))
    idn.unassign_project_role_from_user(project, user, member)
    assert not idn.validate_user_has_project_role(project, user, member)
    idn.delete_project(child)
    idn.delete_project(project)
    assert not list(idn.role_assignments(scope_project_id=project.id))


def test_regions_services_endpoints(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    region = idn.create_region(id=unique("Region"), description="r")
    sub = idn.create_region(id=unique("Sub"), parent_region_id=region.id)
    assert idn.get_region(sub.id).parent_region_id == region.id
    service = idn.create_service(name=unique("svc"), type="test-type", description="s")
    endpoint = idn.create_endpoint(
        service_id=service.id, interface="internal", url="http://127.0.0.1:9/x", region_id=region.id
    )
    assert endpoint.region_id == region.id and endpoint.is_enabled
    assert [e.id for e in idn.endpoints(service_id=service.id)] == [endpoint.id]
    assert [e.id for e in idn.endpoints(interface="internal", region_id=region.id)] == [endpoint.id]
    catalog = twinstack_conn.session.get(idn.get_endpoint_data().url.rstrip("/") + "/auth/catalog").json()
    assert any(s["id"] == service.id for s in catalog["catalog"])
    idn.update_endpoint(endpoint, url="http://127.0.0.1:9/y")
    assert idn.get_endpoint(endpoint.id).url == "http://127.0.0.1:9/y"
    idn.update_service(service, is_enabled=False)
    assert idn.get_service(service.id).is_enabled is False
    with pytest.raises(exc.HttpException) as err:
        idn.delete_region(region)
    assert err.value.status_code == 403
    idn.delete_service(service)  # its endpoints go with it
    with pytest.raises(exc.NotFoundException):
        idn.get_endpoint(endpoint.id)
    idn.delete_region(region)
    with pytest.raises(exc.NotFoundException):
        idn.get_region(sub.id)


def test_application_credentials(
    twinstack_conn: Any, twinstack_cloud: CloudHandle, unique: Callable[[str], str]
) -> None:
    idn = twinstack_conn.identity
    me = twinstack_conn.current_user_id
    reader = idn.find_role("reader")
    cred = idn.create_application_credential(
        me, unique("ac"), roles=[{"name": "reader"}], expires_at="2099-01-01T00:00:00", description="ci"
    )
    assert cred.secret and [r["id"] for r in cred.roles] == [reader.id]
    found = idn.find_application_credential(me, cred.name)
    assert found.id == cred.id and found.secret is None
    assert cred.id in [c.id for c in idn.application_credentials(me)]
    with pytest.raises(exc.HttpException) as err:
        idn.create_application_credential(me, cred.name)
    assert err.value.status_code == 409
    conn = twinstack_cloud.connect(
        auth_type="v3applicationcredential",
        application_credential_id=cred.id,
        application_credential_secret=cred.secret,
        username=None,
        password=None,
        project_name=None,
        user_domain_name=None,
        project_domain_name=None,
    )
    assert conn.session.auth.get_access(conn.session).role_names == ["reader"]
    idn.delete_application_credential(me, cred)
    with pytest.raises(exc.NotFoundException):
        idn.get_application_credential(me, cred.id)


def test_credentials(twinstack_conn: Any, unique: Callable[[str], str]) -> None:
    idn = twinstack_conn.identity
    user = idn.create_user(name=unique("cu"), password="pw")
    cred = idn.create_credential(type="totp", blob="secret-blob", user_id=user.id)
    assert idn.get_credential(cred.id).blob == "secret-blob"
    assert [c.id for c in idn.credentials(user_id=user.id)] == [cred.id]
    idn.update_credential(cred, blob="new-blob")
    assert idn.get_credential(cred.id).blob == "new-blob"
    idn.delete_credential(cred)
    with pytest.raises(exc.NotFoundException):
        idn.get_credential(cred.id)
