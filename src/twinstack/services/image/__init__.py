"""Image: glance v2 with real image data.

Does: discovery; images CRUD with extra properties, glance's list filters, sorting and paging;
JSON-patch updates with glance's read-only/reserved rules; delete (protected refuses);
deactivate/reactivate; tags; members and member status; visibility public/private/shared/
community with glance's secure-RBAC default policies; the real schemas; data upload (streamed to
a file store, md5 + sha512), download with Content-MD5 and Range; stage + ``glance-direct``
import with image tasks; ``/v2/info/import`` and ``/v2/info/stores``; ``/v2/tasks`` (show and
list; URL imports refused); metadefs (namespaces, objects, properties, tags, resource types); size
cap and per-project storage quota; a seeded public cirros image. Other services use
``service.ImageService``.

Does not do yet: image locations (``show_multiple_locations``/``add_location`` answer 403),
``web-download``/``glance-download``/``copy-image`` imports (no internet), the image cache,
multiple stores, property protections, image
conversion and format inspection, keystone unified limits (``/v2/info/usage``), signature
verification, delayed delete (images are deleted at once, rows and data).
"""
