"""Glance's JSON schemas (``GET /v2/schemas/...``): what glanceclient validates requests with.

The image schema is "permissive": declared properties plus any extra string property. The
custom properties are those devstack's glance ships in ``schema-image.json`` (``is_base``
false).
"""

from __future__ import annotations

import copy
from typing import Any

import fastjsonschema

from twinstack.services.image.settings import CONTAINER_FORMATS, DISK_FORMATS

UUID_PATTERN = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"
IMAGE_STATUSES = (
    "queued",
    "saving",
    "active",
    "killed",
    "deleted",
    "uploading",
    "importing",
    "pending_delete",
    "deactivated",
)
VISIBILITIES = ("community", "public", "private", "shared")


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _nullable(kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": ["null", kind], "description": description, **extra}


def _read_only(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "readOnly": True}


def base_properties() -> dict[str, dict[str, Any]]:
    """The image attributes glance declares (``glance/api/v2/images.py``)."""
    return {
        "id": _string("An identifier for the image", pattern=UUID_PATTERN),
        "name": _nullable("string", "Descriptive name for the image", maxLength=255),
        "status": _read_only(_string("Status of the image", enum=list(IMAGE_STATUSES))),
        "visibility": _string("Scope of image accessibility", enum=list(VISIBILITIES)),
        "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
        "os_hidden": {
            "type": "boolean",
            "description": "If true, image will not appear in default image list response.",
        },
        "checksum": _read_only(_nullable("string", "md5 hash of image contents.", maxLength=32)),
        "os_hash_algo": _read_only(
            _nullable("string", "Algorithm to calculate the os_hash_value", maxLength=64)
        ),
        "os_hash_value": _read_only(
            _nullable(
                "string",
                "Hexdigest of the image contents using the algorithm specified by the os_hash_algo",
                maxLength=128,
            )
        ),
        "owner": _nullable("string", "Owner of the image", maxLength=255),
        "size": _read_only(_nullable("integer", "Size of image file in bytes")),
        "virtual_size": _read_only(_nullable("integer", "Virtual size of image in bytes")),
        "container_format": _nullable("string", "Format of the container", enum=[None, *CONTAINER_FORMATS]),
        "disk_format": _nullable("string", "Format of the disk", enum=[None, *DISK_FORMATS]),
        "created_at": _read_only(_string("Date and time of image registration")),
        "updated_at": _read_only(_string("Date and time of the last image modification")),
        "tags": {
            "type": "array",
            "description": "List of strings related to the image",
            "items": {"type": "string", "maxLength": 255},
        },
        "direct_url": _read_only(_string("URL to access the image file kept in external store")),
        "min_ram": {"type": "integer", "description": "Amount of ram (in MB) required to boot image."},
        "min_disk": {
            "type": "integer",
            "description": "Amount of disk space (in GB) required to boot image.",
        },
        "self": _read_only(_string("An image self url")),
        "file": _read_only(_string("An image file url")),
        "stores": _read_only(
            _string(
                "Store in which image data resides.  Only present when the operator has enabled multiple "
                "stores.  May be a comma-separated list of store identifiers."
            )
        ),
        "schema": _read_only(_string("An image schema url")),
        "locations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "maxLength": 255},
                    "metadata": {"type": "object"},
                    "validation_data": {
                        "description": "Values to be used to populate the corresponding image properties. "
                        "If the image status is not 'queued', values must exactly match "
                        "those already contained in the image properties.",
                        "type": "object",
                        "writeOnly": True,
                        "additionalProperties": False,
                        "properties": {
                            "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
                            "os_hash_algo": {"type": "string", "maxLength": 64},
                            "os_hash_value": {"type": "string", "maxLength": 128},
                        },
                        "required": ["os_hash_algo", "os_hash_value"],
                    },
                },
                "required": ["url", "metadata"],
            },
            "description": "A set of URLs to access the image file kept in external store",
        },
    }


_DOC = "https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html"


def custom_properties() -> dict[str, dict[str, Any]]:
    """The properties of devstack's ``schema-image.json``."""
    uuid_ref = {"type": ["null", "string"], "pattern": UUID_PATTERN}
    props: dict[str, dict[str, Any]] = {
        "kernel_id": {
            **uuid_ref,
            "description": "ID of image stored in Glance that should be used as "
            "the kernel when booting an AMI-style image.",
        },
        "ramdisk_id": {
            **uuid_ref,
            "description": "ID of image stored in Glance that should be used as "
            "the ramdisk when booting an AMI-style image.",
        },
        "instance_uuid": _string(
            "Metadata which can be used to record which instance this image is "
            "associated with. (Informational only, does not create an instance "
            "snapshot.)"
        ),
        "architecture": _string(f"Operating system architecture as specified in {_DOC}"),
        "os_distro": _string(f"Common name of operating system distribution as specified in {_DOC}"),
        "os_version": _string("Operating system version as specified by the distributor."),
        "description": _string("A human-readable string describing this image."),
        "cinder_encryption_key_id": _string(
            "Identifier in the OpenStack Key Management Service for the encryption key for the Block "
            "Storage Service to use when mounting a volume created from this image"
        ),
        "cinder_encryption_key_deletion_policy": _string(
            "States the condition under which the Image Service will delete the object associated with "
            "the 'cinder_encryption_key_id' image property.  If this property is missing, the Image "
            "Service will take no action",
            enum=["on_image_deletion", "do_not_delete"],
        ),
    }
    for spec in props.values():
        spec["is_base"] = False
    return props


def image_schema() -> dict[str, Any]:
    return {
        "name": "image",
        "properties": {**base_properties(), **custom_properties()},
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def _collection(name: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "properties": {
            name: {"type": "array", "items": item},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def images_schema() -> dict[str, Any]:
    return _collection("images", image_schema())


def member_schema() -> dict[str, Any]:
    return {
        "name": "member",
        "properties": {
            "member_id": _string("An identifier for the image member (tenantId)"),
            "image_id": _string("An identifier for the image", pattern=UUID_PATTERN),
            "created_at": _string("Date and time of image member creation"),
            "updated_at": _string("Date and time of last modification of image member"),
            "status": _string("The status of this image member", enum=["pending", "accepted", "rejected"]),
            "schema": {"readOnly": True, "type": "string"},
        },
        "additionalProperties": False,
    }


def members_schema() -> dict[str, Any]:
    return _collection("members", member_schema())


IMAGE_SCHEMA = image_schema()
BASE_PROPERTY_NAMES = frozenset(base_properties())
_FAST_CHECK: Any = None
_IMAGE_VALIDATOR: Any = None


def validation_error(obj: dict[str, Any]) -> str | None:
    """Glance's message when ``obj`` does not match the image schema, else None.

    A compiled check (fastjsonschema) runs first; jsonschema, slow to import, only words the
    error of an object that fails.
    """
    global _FAST_CHECK, _IMAGE_VALIDATOR
    if _FAST_CHECK is None:
        _FAST_CHECK = fastjsonschema.compile(
            {"$schema": "http://json-schema.org/draft-04/schema#", **IMAGE_SCHEMA}
        )
    try:
        _FAST_CHECK(obj)
        return None
    except fastjsonschema.JsonSchemaException:
        pass
    if _IMAGE_VALIDATOR is None:
        import jsonschema

        _IMAGE_VALIDATOR = jsonschema.validators.validator_for(IMAGE_SCHEMA)(IMAGE_SCHEMA)
    for error in _IMAGE_VALIDATOR.iter_errors(obj):
        return f"Provided object does not match schema 'image': {error}"
    return None


def schema_copy(schema: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(schema)
