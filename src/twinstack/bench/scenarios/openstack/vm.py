"""VMTasks.boot_runcommand_delete: validates like rally-openstack's, then fails clearly, since
it needs a data plane (ping and SSH to the server) that twinstack does not have yet."""

from __future__ import annotations

from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import OpenStackScenario

DATA_PLANE_MESSAGE = (
    "VMTasks.boot_runcommand_delete needs a data plane: it boots a server, pings its "
    "floating IP (vm.wait_for_ping) and runs the command over SSH (vm.run_command_over_ssh). "
    "This cloud's servers are not reachable over the network (twinstack's netns data plane is "
    "not built yet), so the iteration stops before booting anything. To measure the control "
    "plane, run NovaServers.boot_and_delete_server or NovaServers.boot_and_associate_floating_ip."
)

COMMAND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "oneOf": [
        {"required": ["script_inline", "interpreter"]},
        {"required": ["script_file", "interpreter"]},
        {"required": ["remote_path"]},
    ],
    "properties": {
        "script_inline": {"type": "string"},
        "script_file": {"type": "string"},
        "interpreter": {"anyOf": [{"type": "string"}, {"type": "array"}]},
        "remote_path": {"anyOf": [{"type": "string"}, {"type": "array"}]},
        "local_path": {"type": "string"},
        "command_args": {"type": "array"},
    },
}


class DataPlaneRequired(RuntimeError):
    """The scenario needs instances reachable over the network."""


@register("scenario", "VMTasks.boot_runcommand_delete")
class BootRuncommandDelete(OpenStackScenario):
    """Boot a server, run a command in it over SSH, delete it (needs a data plane).

    image, flavor: ``{name|regex|id}``. username / password / port: SSH login. command:
    ``{script_inline|script_file, interpreter}`` or ``{remote_path[, local_path]}``. The older
    ``script`` + ``interpreter`` arguments are accepted too. floating_network,
    use_floating_ip, force_delete, wait_for_ping, max_log_length, volume_args: as in Rally.
    """

    # image and flavor are glance_image / nova_flavor references; they are not resolved until
    # there is a data plane, so that the iteration fails with the message below, not a lookup.
    ARG_TYPES: ClassVar[dict[str, str]] = {}
    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"command": COMMAND_SCHEMA}

    def run(
        self,
        flavor: str,
        username: str,
        password: str | None = None,
        image: str | None = None,
        command: dict[str, Any] | None = None,
        volume_args: dict[str, Any] | None = None,
        floating_network: str | None = None,
        port: int = 22,
        use_floating_ip: bool = True,
        force_delete: bool = False,
        wait_for_ping: bool = True,
        max_log_length: int | None = None,
        script: str | None = None,
        interpreter: str | None = None,
        **kwargs: Any,
    ) -> None:
        if command is None and script is None:
            raise ValueError("give 'command' (or the older 'script' and 'interpreter')")
        raise DataPlaneRequired(DATA_PLANE_MESSAGE)
