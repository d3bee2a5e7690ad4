"""Compute: nova v2.1 with microversions 2.1 .. 2.100.

Does: version discovery. Does not do yet: everything else (answers 501).
"""
