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

Also nova's proxy APIs over the image and network services (/images and image metadata,
os-security-groups and rules, os-floating-ips, os-networks, os-tenant-networks), os-hosts,
extensions, instance usage audit log, server external events (accepted, no effect), and the
volume side over block storage (boot from volume, os-volume_attachments incl. shelved-offloaded
servers, release on delete, os-volumes/os-snapshots proxies, os-assisted-volume-snapshots).

Does not do yet: soft delete (reclaim_instance_interval) and restore/forceDelete, remote
consoles, volumes on rebuild/evacuate/unshelve moves (attachments stay as they are), host
maintenance and power actions (501), nested/sharing placement providers, cells, a multi-process
(AMQP) deployment.
"""
