"""Image: glance v2.

Does: version discovery. Does not do yet: everything else (answers 501).
"""
