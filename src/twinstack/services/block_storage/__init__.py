"""Block storage: cinder v3 with microversions 3.0 .. 3.71.

Does: version discovery. Does not do yet: everything else (answers 501).
"""
