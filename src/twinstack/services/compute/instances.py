"""Instance records: load, save with nova's expected-task-state check, faults, instance actions.

This plays the role of nova's ``objects.Instance`` and ``objects.InstanceAction``: every
component (API, conductor, managers) goes through it, each call one short transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from twinstack.core.clock import isotime
from twinstack.services.compute import models as m

if TYPE_CHECKING:
    from twinstack.core.clock import Clock
    from twinstack.core.context import RequestContext
    from twinstack.core.db import Database

_ANY = object()


class InstanceGone(Exception):
    """The instance was deleted while the work was under way."""


class UnexpectedTaskState(Exception):
    """Someone else changed the task state (e.g. a delete during a build)."""


class InstanceStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, instance_id: str, *, deleted: bool = False) -> dict[str, Any] | None:
        i = m.instances
        query = select(i).where(i.c.id == instance_id)
        if not deleted:
            query = query.where(i.c.deleted.is_(False))
        with self.db.begin() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def require(self, instance_id: str) -> dict[str, Any]:
        inst = self.get(instance_id)
        if inst is None:
            raise InstanceGone(instance_id)
        return inst

    def save(self, instance_id: str, expected_task_state: Any = _ANY, **values: Any) -> dict[str, Any]:
        """Update a live instance; with ``expected_task_state`` (a value or a tuple) only if it matches."""
        i = m.instances
        values.setdefault("updated_at", self.clock.now())
        with self.db.begin() as conn:
            row = conn.execute(select(i.c.task_state, i.c.deleted).where(i.c.id == instance_id)).first()
            if row is None or row.deleted:
                raise InstanceGone(instance_id)
            if expected_task_state is not _ANY:
                allowed = (
                    expected_task_state if isinstance(expected_task_state, tuple) else (expected_task_state,)
                )
                if row.task_state not in allowed:
                    raise UnexpectedTaskState(
                        f"{instance_id}: expected task_state {allowed}, found {row.task_state}"
                    )
            conn.execute(update(i).where(i.c.id == instance_id).values(**values))
            new = conn.execute(select(i).where(i.c.id == instance_id)).mappings().first()
        return dict(new) if new else {}

    def add_fault(self, instance_id: str, code: int, message: str, details: str = "") -> None:
        fault = {"code": code, "message": message, "details": details, "created": isotime(self.clock.now())}
        with self.db.begin() as conn:
            conn.execute(update(m.instances).where(m.instances.c.id == instance_id).values(fault=fault))

    def set_error(self, instance_id: str, code: int, message: str, details: str = "", **values: Any) -> None:
        """vm_state error, task_state None, with a fault (no-op if the instance is gone)."""
        fault = {"code": code, "message": message, "details": details, "created": isotime(self.clock.now())}
        with self.db.begin() as conn:
            conn.execute(
                update(m.instances)
                .where(m.instances.c.id == instance_id, m.instances.c.deleted.is_(False))
                .values(vm_state="error", task_state=None, fault=fault, updated_at=self.clock.now(), **values)
            )

    # instance actions (os-instance-actions) ------------------------------------------------
    def start_action(self, ctx: RequestContext, instance_ids: Iterable[str], action: str) -> None:
        now = self.clock.now()
        rows = [
            {
                "instance_uuid": iid,
                "action": action,
                "request_id": ctx.request_id,
                "user_id": ctx.user_id,
                "project_id": ctx.project_id,
                "start_time": now,
                "updated_at": now,
            }
            for iid in instance_ids
        ]
        if rows:
            with self.db.begin() as conn:
                conn.execute(insert(m.instance_actions), rows)

    def _action_id(self, conn: Any, request_id: str, instance_id: str) -> int | None:
        a = m.instance_actions
        row = conn.execute(
            select(a.c.id)
            .where(a.c.instance_uuid == instance_id, a.c.request_id == request_id)
            .order_by(a.c.id.desc())
        ).first()
        return row[0] if row else None

    def event_start(self, request_id: str, instance_id: str, event: str, host: str | None) -> None:
        with self.db.begin() as conn:
            action_id = self._action_id(conn, request_id, instance_id)
            if action_id is None:
                return
            conn.execute(
                insert(m.instance_action_events).values(
                    action_id=action_id, event=event, start_time=self.clock.now(), host=host
                )
            )

    def event_finish(
        self, request_id: str, instance_id: str, event: str, *, error: str | None = None
    ) -> None:
        e = m.instance_action_events
        now = self.clock.now()
        with self.db.begin() as conn:
            action_id = self._action_id(conn, request_id, instance_id)
            if action_id is None:
                return
            row = conn.execute(
                select(e.c.id).where(e.c.action_id == action_id, e.c.event == event).order_by(e.c.id.desc())
            ).first()
            values = {"finish_time": now, "result": "Error" if error else "Success"}
            if error:
                values["traceback"] = error
            if row is None:
                conn.execute(insert(e).values(action_id=action_id, event=event, start_time=now, **values))
            else:
                conn.execute(update(e).where(e.c.id == row[0]).values(**values))
            a = m.instance_actions
            conn.execute(
                update(a)
                .where(a.c.id == action_id)
                .values(updated_at=now, finish_time=now, **({"message": "Error"} if error else {}))
            )
