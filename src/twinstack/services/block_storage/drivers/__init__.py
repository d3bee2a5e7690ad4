"""Volume drivers: ``base.VolumeDriver`` is the contract, ``fake.FakeDriver`` the implementation."""

from twinstack.services.block_storage.drivers.base import DriverError, VolumeDriver

__all__ = ["DriverError", "VolumeDriver"]
