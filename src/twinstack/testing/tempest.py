"""Run Tempest's API tests against a twinstack cloud.

    python -m twinstack.testing.tempest 'tempest\\.api\\.identity'      # starts a cloud for the run
    python -m twinstack.testing.tempest --auth-url http://127.0.0.1:8770/identity 'tempest\\.api\\.image'

Tempest lives in its own virtualenv (``~/.cache/twinstack/tempest-venv``, made on first use),
since its dependencies are not twinstack's. The run uses dynamic credentials from the admin
account; ``tempest.conf`` is written from what the cloud offers (the cirros image, the two
smallest flavors, the ``public`` network, neutron's extension list) and ``UNSUPPORTED`` names
the Tempest tests of features twinstack does not have yet.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Tempest tests of features twinstack does not emulate (yet), excluded from runs.
UNSUPPORTED = (
    r"tempest\.api\.identity\.admin\.v3\.test_domain_configuration",
    r"tempest\.api\.identity\.admin\.v3\.test_oauth_consumers",
    r"tempest\.api\.identity\.admin\.v3\.test_policies",
    r"tempest\.api\.identity\.admin\.v3\.test_trusts",
    r"tempest\.api\.identity\.admin\.v3\.test_endpoint_groups",
    r"tempest\.api\.volume\..*\.test_volume_type_encryption",  # encryption types
    r"tempest\.api\.volume\..*\.test_create_volume_type_encryption",
    r"tempest\.api\.volume\..*\.test_volume_backup_export_import",  # backup export/import
)


def venv_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "twinstack" / "tempest-venv"


def ensure_venv() -> Path:
    """A virtualenv with tempest installed (made once, then reused)."""
    venv = venv_dir()
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "tempest-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build it once
        if not (venv / "bin" / "tempest").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "tempest"], check=True)
    return venv


@dataclass
class TempestResult:
    returncode: int
    passed: int
    failed: int
    skipped: int
    output: str


def tempest_conf(cloud: dict[str, Any], workspace: Path) -> str:
    """A tempest.conf for the cloud described by openstacksdk ``connect`` arguments."""
    import openstack

    conn = openstack.connect(**cloud)
    try:
        image = next((i for i in conn.image.images() if i.name and "cirros" in i.name), None)
        flavors = sorted(conn.compute.flavors(), key=lambda f: (f.ram, f.vcpus, f.name))
        public = conn.network.find_network("public")
        extensions = ",".join(sorted(e.alias for e in conn.network.extensions()))
    finally:
        conn.close()
    flavor = flavors[0].id if flavors else ""
    flavor_alt = flavors[1].id if len(flavors) > 1 else flavor
    return f"""[DEFAULT]
log_dir = {workspace}/logs
[oslo_concurrency]
lock_path = {workspace}/lock
[auth]
use_dynamic_credentials = true
admin_username = {cloud["username"]}
admin_password = {cloud["password"]}
admin_project_name = {cloud["project_name"]}
admin_domain_name = {cloud.get("user_domain_name", "Default")}
create_isolated_networks = true
[identity]
uri_v3 = {cloud["auth_url"].rstrip("/")}/v3
auth_version = v3
region = {cloud.get("region_name", "RegionOne")}
[identity-feature-enabled]
api_v2 = false
[compute]
image_ref = {image.id if image else ""}
image_ref_alt = {image.id if image else ""}
flavor_ref = {flavor}
flavor_ref_alt = {flavor_alt}
build_timeout = 60
build_interval = 1
[volume]
build_timeout = 60
build_interval = 1
[image]
build_timeout = 60
build_interval = 1
[image-feature-enabled]
import_image = true
os_glance_reserved = true
image_format_enforcement = false
[network]
public_network_id = {public.id if public else ""}
floating_network_name = public
project_network_cidr = 10.100.0.0/16
build_timeout = 60
build_interval = 1
[network-feature-enabled]
api_extensions = {extensions}
[service_available]
nova = true
cinder = true
glance = true
neutron = true
swift = false
horizon = false
placement = true
[validation]
run_validation = false
"""


def run(
    cloud: dict[str, Any],
    regex: str,
    *,
    concurrency: int = 2,
    exclude: tuple[str, ...] = UNSUPPORTED,
    extra_conf: str = "",
) -> TempestResult:
    """Run ``tempest run --regex REGEX`` against the cloud; return the counts."""
    venv = ensure_venv()
    workspace = Path(tempfile.mkdtemp(prefix="twinstack-tempest-"))
    subprocess.run([str(venv / "bin" / "tempest"), "init", str(workspace)], check=True, capture_output=True)
    (workspace / "etc" / "tempest.conf").write_text(tempest_conf(cloud, workspace) + extra_conf)
    cmd = [str(venv / "bin" / "tempest"), "run", "--regex", regex, "--concurrency", str(concurrency)]
    if exclude:
        cmd += ["--exclude-regex", "|".join(f"({e})" for e in exclude)]
    proc = subprocess.run(cmd, cwd=workspace, capture_output=True, text=True)
    output = proc.stdout + proc.stderr

    def count(label: str) -> int:
        match = re.search(rf"^ - {label}: (\d+)", output, re.MULTILINE)
        return int(match.group(1)) if match else 0

    return TempestResult(proc.returncode, count("Passed"), count("Failed"), count("Skipped"), output)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("regex", nargs="+")
    ap.add_argument("--auth-url", help="a running cloud's keystone URL (default: start one for the run)")
    ap.add_argument("--password", default=os.environ.get("TWINSTACK_ADMIN_PASSWORD", "secret"))
    ap.add_argument("--concurrency", type=int, default=2)
    args = ap.parse_args()
    regex = "|".join(f"({r})" for r in args.regex)
    handle = None
    if args.auth_url:
        cloud = {
            "auth_url": args.auth_url,
            "username": "admin",
            "password": args.password,
            "project_name": "admin",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": "RegionOne",
        }
    else:
        from twinstack.testing.server import start_cloud

        handle = start_cloud()
        cloud = handle.cloud_config
    try:
        result = run(cloud, regex, concurrency=args.concurrency)
    finally:
        if handle is not None:
            handle.stop()
    print(result.output)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
