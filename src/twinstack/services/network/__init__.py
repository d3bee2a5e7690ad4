"""Networking: neutron v2.0.

Does: version discovery. Does not do yet: everything else (answers 501).
"""
