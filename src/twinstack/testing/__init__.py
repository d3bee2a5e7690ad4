"""Testing helpers: a cloud on a free port, clouds.yaml for the CLI, an openstacksdk connection."""

from twinstack.testing.server import CloudHandle, start_cloud

__all__ = ["CloudHandle", "start_cloud"]
