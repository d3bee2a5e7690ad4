"""Settings for a twinstack cloud.

Every setting can come from the environment (``TWINSTACK_<NAME>``) or from the command line;
nothing reads them globally: the app gets a ``Settings`` object and passes it on.
(``twinstack.core.settings`` says how values are read.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import msgspec

from twinstack.core.settings import EnvSettings

DEFAULT_PORT = 8770
DEFAULT_ADMIN_PASSWORD = "secret"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "twinstack"


class Settings(EnvSettings, kw_only=True):
    """A cloud's settings. Defaults give a small devstack-like cloud on 127.0.0.1.

    ``Settings.from_env(**overrides)`` reads ``TWINSTACK_<NAME>`` for what is not overridden.
    """

    env_prefix = "TWINSTACK_"

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # The URL clients are told to use; derived from host/port when empty.
    public_url: str = ""
    data_dir: Path = msgspec.field(default_factory=default_data_dir)
    ephemeral: bool = False
    # SQLAlchemy URL; empty means a SQLite file in data_dir (or memory when ephemeral).
    database_url: str = ""
    region: str = "RegionOne"

    # Identity
    admin_password: str = DEFAULT_ADMIN_PASSWORD
    demo_password: str = DEFAULT_ADMIN_PASSWORD
    token_expiration: int = 3600
    # pbkdf2_sha256 is fast and suits a test cloud; bcrypt is keystone's default.
    password_hasher: Literal["pbkdf2_sha256", "bcrypt"] = "pbkdf2_sha256"
    # Work factor: PBKDF2 iterations or bcrypt log2 rounds. 0 means the hasher's default.
    password_hash_rounds: int = 0
    max_request_body_size: int = 114688

    # clouds.yaml
    write_clouds_yaml: bool = True
    clouds_yaml_path: Path | None = None
    cloud_name: str = "twinstack"

    # Compute: how many fake hypervisors (compute-1 .. compute-N); None keeps compute's default.
    # Other compute settings: TWINSTACK_COMPUTE_* (see services/compute/config.py).
    compute_hosts: int | None = None

    # Determinism and the bus
    seed: int | None = None
    # Run casts to completion before returning (for tests that want no asynchrony).
    synchronous_bus: bool = False

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.ephemeral:
            return "sqlite://"
        return f"sqlite:///{self.data_dir / 'twinstack.sqlite'}"
