"""Compute: nova v2.1 with microversions 2.1 .. 2.100, the boot flow over the bus, fake hypervisors.

Does: servers (create with min/max count, networks list/auto/none, key, user data, metadata,
tags, description, AZ and ``az:host``, scheduler hints incl. group/same_host/different_host),
list/detail with filters, sort and paging, show/update/delete; actions (reboot, stop/start,
pause, suspend, lock, rescue, resize/confirm/revert, rebuild, createImage, shelve/unshelve/
offload, migrate, live-migrate, evacuate, resetState, console output, changePassword);
metadata, tags, ips, instance actions, os-interface; flavors (access, extra specs), keypairs,
server groups, availability zones, aggregates, hypervisors, os-services, quotas and quota
classes, limits, simple tenant usage, os-migrations. A conductor, a filter scheduler on
placement and one compute manager per host (fake driver) on the bus.

Does not do yet: os-volume_attachments and boot from volume (501 / 400 until block storage
is wired), soft delete (reclaim_instance_interval) and restore/forceDelete, nova-network proxy
APIs (os-security-groups, os-floating-ips, /images), remote consoles, os-server-external-events,
nested/sharing placement providers, cells, a multi-process (AMQP) deployment.
"""
