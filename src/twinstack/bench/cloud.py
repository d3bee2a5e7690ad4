"""The cloud a run talks to: ``--cloud NAME`` (clouds.yaml), OS_* variables, or an in-process
twinstack started for the run.

``Env`` hands out openstacksdk connections: one per (user, thread), because a workload's
iterations run in threads and a keystoneauth session is best not shared across them.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any


class CloudError(Exception):
    """No usable cloud configuration."""


@dataclass
class Poll:
    """How scenarios wait for a resource to reach a status."""

    interval: float = 0.2
    timeout: float = 300.0
    prepoll_delay: float = 0.0


_CRED_KEYS = ("username", "password", "project_name", "user_domain_name", "project_domain_name")


class Env:
    """Admin credentials (openstacksdk ``connect`` kwargs), optional existing users, poll config."""

    def __init__(
        self,
        admin: dict[str, Any],
        *,
        users: list[dict[str, Any]] | None = None,
        source: str = "",
        poll: Poll | None = None,
        on_close: Any = None,
    ) -> None:
        self.admin_credential = admin
        self.existing_users = users or []
        self.source = source
        self.poll = poll or Poll()
        self._on_close = on_close
        self._local = threading.local()
        self._admin_info: dict[str, Any] | None = None

    # -- connections ---------------------------------------------------------------------
    def _cache(self) -> dict[str, Any]:
        cache = getattr(self._local, "conns", None)
        if cache is None:
            cache = self._local.conns = {}
        return cache

    @staticmethod
    def connect(credential: dict[str, Any]) -> Any:
        import openstack

        if "cloud" in credential and len(credential) == 1:
            return openstack.connect(cloud=credential["cloud"])
        return openstack.connect(load_yaml_config=False, load_envvars=False, **credential)

    def admin_connection(self) -> Any:
        cache = self._cache()
        if "__admin__" not in cache:
            cache["__admin__"] = self.connect(self.admin_credential)
        return cache["__admin__"]

    def connection(self, user: dict[str, Any]) -> Any:
        if user.get("is_admin"):
            return self.admin_connection()
        cache = self._cache()
        key = user.get("id") or user["credential"]["username"]
        if key not in cache:
            cache[key] = self.connect(user["credential"])
        return cache[key]

    def user_credential(
        self, username: str, password: str, project_name: str, domain: str = "Default"
    ) -> dict[str, Any]:
        """Credentials of a new user, on the same endpoint, region and TLS as admin's."""
        conn = self.admin_connection()
        cfg = conn.config
        cred = {
            "auth_url": cfg.auth["auth_url"],
            "username": username,
            "password": password,
            "project_name": project_name,
            "user_domain_name": domain,
            "project_domain_name": domain,
        }
        if cfg.region_name:
            cred["region_name"] = cfg.region_name
        cred["interface"] = cfg.get_interface() or "public"
        cred["verify"] = cfg.verify
        return cred

    # -- users -----------------------------------------------------------------------------
    @property
    def admin(self) -> dict[str, Any]:
        return {"credential": self.admin_credential, "is_admin": True}

    def default_users(self) -> list[dict[str, Any]]:
        """Users for a workload with no ``users`` context: the env's users, else admin."""
        if self.existing_users:
            return [
                {
                    "credential": c,
                    "id": c.get("username"),
                    "tenant_id": c.get("project_name"),
                    "project_name": c.get("project_name"),
                }
                for c in self.existing_users
            ]
        conn = self.admin_connection()
        return [
            {
                "credential": self.admin_credential,
                "is_admin": True,
                "id": conn.current_user_id,
                "tenant_id": conn.current_project_id,
                "project_name": self.admin_credential.get("project_name"),
            }
        ]

    def describe(self) -> dict[str, Any]:
        cred = self.admin_credential
        return {
            "source": self.source,
            "auth_url": cred.get("auth_url"),
            "region_name": cred.get("region_name"),
            "cloud": cred.get("cloud"),
            "poll": vars(self.poll),
        }

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


def from_os_env(environ: dict[str, str] | None = None) -> dict[str, Any] | None:
    """openstacksdk kwargs from OS_* variables (as ``rally env create --from-sysenv`` reads them)."""
    env = os.environ if environ is None else environ
    if env.get("OS_CLOUD"):
        return {"cloud": env["OS_CLOUD"]}
    if not env.get("OS_AUTH_URL"):
        return None
    cred: dict[str, Any] = {"auth_url": env["OS_AUTH_URL"]}
    mapping = {
        "OS_USERNAME": "username",
        "OS_PASSWORD": "password",
        "OS_PROJECT_NAME": "project_name",
        "OS_TENANT_NAME": "project_name",
        "OS_USER_DOMAIN_NAME": "user_domain_name",
        "OS_PROJECT_DOMAIN_NAME": "project_domain_name",
        "OS_REGION_NAME": "region_name",
        "OS_INTERFACE": "interface",
        "OS_ENDPOINT_TYPE": "interface",
        "OS_CACERT": "cacert",
    }
    for var, key in mapping.items():
        if env.get(var) and key not in cred:
            cred[key] = env[var]
    if env.get("OS_INSECURE", "").lower() in ("1", "true", "yes"):
        cred["verify"] = False
    return cred


def open_env(
    cloud: str | None = None, poll: Poll | None = None, environ: dict[str, str] | None = None
) -> Env:
    """``--cloud`` first, then OS_* variables, else start an ephemeral in-process twinstack."""
    if cloud:
        return Env({"cloud": cloud}, source=f"clouds.yaml: {cloud}", poll=poll)
    cred = from_os_env(environ)
    if cred is not None:
        return Env(cred, source="OS_* environment variables", poll=poll)
    try:
        from twinstack.testing.server import start_cloud
    except ImportError as exc:
        raise CloudError(
            "no cloud given (--cloud or OS_* variables), and the in-process "
            f"twinstack is not available: {exc}"
        ) from exc
    try:
        handle = start_cloud(ephemeral=True)
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        raise CloudError(f"could not start the in-process twinstack: {type(exc).__name__}: {exc}") from exc
    return Env(
        dict(handle.cloud_config),
        source=f"in-process twinstack at {handle.auth_url}",
        poll=poll,
        on_close=handle.stop,
    )
