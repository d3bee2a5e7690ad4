"""Placement with microversions 1.0 .. 1.39.

Does: version discovery. Does not do yet: everything else (answers 501).
"""
