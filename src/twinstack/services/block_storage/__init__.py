"""Block storage: cinder v3 (microversions 3.0 .. 3.71) with cinder's create flow.

Does: volumes (blank, from image, snapshot, volume or backup; lists with filters, sort, paging;
metadata, image metadata; extend, retype, reset-status, bootable, readonly, upload to image,
force delete), volume types (public/private, access, extra specs, ``__DEFAULT__``), QoS specs
(stored), snapshots, backups (fake store), transfers, the v3 attachments API and the legacy
attach actions, quotas (enforced, per type) and limits, services, pools, hosts, user messages
(in memory), availability zones. Flow: API -> ``volume_scheduler`` (AvailabilityZone, Capacity,
Capabilities filters, capacity weigher) -> ``volume.<host@backend>`` manager -> fake driver.

Does not do yet: groups, group types and group snapshots (501), consistency groups, volume
encryption types, manage/unmanage, migration, replication, clusters, workers cleanup, revert
to snapshot, backup export/import, default-types API, the ``volume-extended`` notification
to nova on an in-use extend, real QoS enforcement, multiple pools per backend.
"""
