"""``/v2/tasks``: the (admin) tasks API. Imports from URLs are refused: there is no internet here."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, MethodNotAllowed
from twinstack.core.http import ApiRequest, ServiceApi

TASK_TYPES = ("import", "api_image_import", "location_import")


def _task_view(task: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in task.items() if k not in ("deleted", "deleted_at")}
    view["self"] = f"/v2/tasks/{task['id']}"
    view["schema"] = "/v2/schemas/task"
    return view


def create_task(req: ApiRequest) -> dict[str, Any]:
    body = req.body
    if body is None:
        raise BadRequest("Body expected in request.")
    if not isinstance(body, dict):
        raise BadRequest("Task 'type' is required")
    for key in ("type", "input"):
        if key not in body:
            raise BadRequest(f"Task '{key}' is required")
    if body["type"] not in TASK_TYPES:
        raise BadRequest(f"Task type {body['type']} is not supported")
    source = body["input"].get("import_from") if isinstance(body["input"], dict) else None
    raise BadRequest(
        f"Import from {source!r} is not possible: twinstack has no internet access. Use the image "
        "import API (stage, then 'glance-direct') instead."
    )


def show_task(req: ApiRequest) -> dict[str, Any]:
    return _task_view(req.cloud.service("image").get_task(req.ctx, req.path["task_id"]))


def list_tasks(req: ApiRequest) -> dict[str, Any]:
    tasks = [_task_view(t) for t in req.cloud.service("image").list_tasks(req.ctx)]
    for task in tasks:
        for key in ("input", "result", "message"):
            task.pop(key, None)
    return {"tasks": tasks, "first": "/v2/tasks", "schema": "/v2/schemas/tasks"}


def delete_task(req: ApiRequest) -> None:
    raise MethodNotAllowed(
        "This operation is currently not permitted on Glance Tasks. They are auto deleted after reaching "
        "the time based on their expires_at property.",
        headers={"Allow": "GET, POST"},
    )


def register(api: ServiceApi) -> None:
    api.add("POST", "/v2/tasks", create_task, status=201)
    api.add("GET", "/v2/tasks", list_tasks)
    api.add("GET", "/v2/tasks/{task_id}", show_task)
    api.add("DELETE", "/v2/tasks/{task_id}", delete_task)
