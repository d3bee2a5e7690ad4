"""Hypervisor drivers: ``base.ComputeDriver`` is the contract, ``fake.FakeDriver`` the emulation."""
