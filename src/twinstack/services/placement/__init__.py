"""Placement with microversions 1.0 .. 1.39.

Does: resource providers (nested parents, in_tree), inventories with generations, custom
resource classes, traits, aggregates, allocations (list and dict forms, consumer generations,
consumer types, POST /allocations), usages, allocation candidates (limit, required and
forbidden traits, ``in:`` traits, member_of incl. ``!``, in_tree, root_required) and error
bodies with placement's error codes. State lives in memory and is written through to the DB.

Does not do yet: granular (numbered) request groups, sharing providers and candidates spread
over a provider tree, the reshaper (POST /reshaper), same_subtree.
"""
