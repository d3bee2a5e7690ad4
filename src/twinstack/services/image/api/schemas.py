"""``GET /v2/schemas/{image,images,member,members}``: the schemas glanceclient validates with."""

from __future__ import annotations

from twinstack.core.http import ServiceApi
from twinstack.services.image import schemas


def register(api: ServiceApi) -> None:
    documents = {
        "image": schemas.image_schema(),
        "images": schemas.images_schema(),
        "member": schemas.member_schema(),
        "members": schemas.members_schema(),
    }
    for name, document in documents.items():
        api.add("GET", f"/v2/schemas/{name}", lambda req, document=document: document)
