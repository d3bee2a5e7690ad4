"""Instance records: load, save with nova's expected-task-state check, faults, instance actions.

This plays the role of nova's ``objects.Instance`` and ``objects.InstanceAction``: every
component (API, conductor, managers) goes through it, each call one short transaction.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import bindparam, false, func, insert, or_, select, update

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
        # built statements of ``save`` by shape (which columns, which expected task states)
        self._save_statements: dict[tuple[Any, ...], Any] = {}
        self._raw_statements: dict[tuple[Any, ...], tuple[str, list[str]]] = {}
        # ids of the newest instance action per (request id, instance) and of the newest event
        # per (action, event name): every row of both tables is written here, so these follow
        self._action_ids: _Bounded[tuple[str, str], int] = _Bounded(20000)
        self._event_ids: _Bounded[tuple[int, str], int] = _Bounded(20000)
        # live instances, cores and ram per project (quota checks): counted once, then kept
        # current by every write that changes them (see ``usage_changed``)
        self._usage: dict[str, dict[str, int]] = {}

    def get(self, instance_id: str, *, deleted: bool = False) -> dict[str, Any] | None:
        with self.db.begin() as conn:
            result = conn.execute(_GET_ANY if deleted else _GET_LIVE, {"b_id": instance_id})
            keys = result.keys()
            row = result.first()
        return dict(zip(keys, row, strict=True)) if row else None

    def require(self, instance_id: str) -> dict[str, Any]:
        inst = self.get(instance_id)
        if inst is None:
            raise InstanceGone(instance_id)
        return inst

    def save(self, instance_id: str, expected_task_state: Any = _ANY, **values: Any) -> dict[str, Any]:
        """Update a live instance; with ``expected_task_state`` (a value or a tuple) only if it matches.

        One statement (``UPDATE ... RETURNING``) where the database can; when no row matched,
        a read tells a gone instance from an unexpected task state.
        """
        values.setdefault("updated_at", self.clock.now())
        allowed: tuple[Any, ...] | None = None
        if expected_task_state is not _ANY:
            allowed = (
                expected_task_state if isinstance(expected_task_state, tuple) else (expected_task_state,)
            )
        with self.db.begin() as conn:
            if not conn.dialect.update_returning:
                new = self._save_in_steps(conn, instance_id, allowed, values)
            else:
                states = [t for t in allowed or () if t is not None]
                shape = (tuple(values), None if allowed is None else (len(states), None in allowed))
                params = {f"v_{k}": v for k, v in values.items()}
                params["b_id"] = instance_id
                params.update({f"b_state{n}": t for n, t in enumerate(states)})
                result = conn.execute(self._save_statement(shape), params)
                keys = result.keys()
                row = result.first()
                if row is None:
                    self._why_not_saved(conn, instance_id, allowed)
                new = dict(zip(keys, row, strict=True)) if row else {}
        if _USAGE_COLUMNS.intersection(values) and new:
            self.usage_changed(new["project_id"])
        return new

    def set_state(self, instance_id: str, expected_task_state: Any = _ANY, **values: Any) -> None:
        """``save`` for a caller that does not need the row back (the steps of a build): the
        same checks and errors, without reading the record."""
        if _USAGE_COLUMNS.intersection(values):
            self.save(instance_id, expected_task_state, **values)
            return
        values.setdefault("updated_at", self.clock.now())
        allowed: tuple[Any, ...] | None = None
        if expected_task_state is not _ANY:
            expected = expected_task_state
            allowed = expected if isinstance(expected, tuple) else (expected,)
        states = [t for t in allowed or () if t is not None]
        shape = (tuple(values), None if allowed is None else (len(states), None in allowed), "no-return")
        params = {f"v_{k}": v for k, v in values.items()}
        params["b_id"] = instance_id
        params.update({f"b_state{n}": t for n, t in enumerate(states)})
        with self.db.begin() as conn:
            raw = _sqlite_of(conn)
            if raw is not None:
                sql, columns = self._raw_update(shape)
                args = [_bind(m.instances, c, values[c], conn) for c in columns]
                args.append(instance_id)
                args += states
                changed = raw.execute(sql, args).rowcount
            else:
                changed = conn.execute(self._save_statement(shape), params).rowcount
            if changed == 0:
                self._why_not_saved(conn, instance_id, allowed)

    def _raw_update(self, shape: tuple[Any, ...]) -> tuple[str, list[str]]:
        """``set_state``'s UPDATE as SQLite text (qmark parameters: values, id, task states)."""
        found = self._raw_statements.get(shape)
        if found is None:
            keys, expected = shape[0], shape[1]
            where = "id = ? AND deleted = 0"
            if expected is not None:
                count, with_null = expected
                options = [f"task_state IN ({', '.join('?' * count)})"] if count else []
                if with_null:
                    options.append("task_state IS NULL")
                where += f" AND ({' OR '.join(options) or '0'})"
            sets = ", ".join(f"{k} = ?" for k in keys)
            found = self._raw_statements[shape] = (
                f"UPDATE {m.instances.name} SET {sets} WHERE {where}",
                list(keys),
            )
        return found

    def _save_statement(self, shape: tuple[Any, ...]) -> Any:
        stmt = self._save_statements.get(shape)
        if stmt is None:
            i = m.instances
            keys, expected = shape[0], shape[1]
            conds = [i.c.id == bindparam("b_id"), i.c.deleted.is_(False)]
            if expected is not None:
                count, with_null = expected
                options = []
                if count:
                    options.append(i.c.task_state.in_([bindparam(f"b_state{n}") for n in range(count)]))
                if with_null:
                    options.append(i.c.task_state.is_(None))
                conds.append(or_(*options) if options else false())
            stmt = update(i).where(*conds).values({k: bindparam(f"v_{k}") for k in keys})
            if len(shape) == 2:
                stmt = stmt.returning(*i.c)
            self._save_statements[shape] = stmt
        return stmt

    @staticmethod
    def _why_not_saved(conn: Any, instance_id: str, allowed: tuple[Any, ...] | None) -> None:
        i = m.instances
        row = conn.execute(select(i.c.task_state, i.c.deleted).where(i.c.id == instance_id)).first()
        if row is None or row.deleted or allowed is None:
            raise InstanceGone(instance_id)
        raise UnexpectedTaskState(f"{instance_id}: expected task_state {allowed}, found {row.task_state}")

    @staticmethod
    def _save_in_steps(
        conn: Any, instance_id: str, allowed: tuple[Any, ...] | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        i = m.instances
        row = conn.execute(select(i.c.task_state, i.c.deleted).where(i.c.id == instance_id)).first()
        if row is None or row.deleted:
            raise InstanceGone(instance_id)
        if allowed is not None and row.task_state not in allowed:
            raise UnexpectedTaskState(f"{instance_id}: expected task_state {allowed}, found {row.task_state}")
        conn.execute(update(i).where(i.c.id == instance_id).values(**values))
        new = conn.execute(select(i).where(i.c.id == instance_id)).mappings().first()
        return dict(new) if new else {}

    # usage (quota) -----------------------------------------------------------------------------
    def project_usage(self, project_id: str) -> dict[str, int]:
        """Live instances, cores and ram of a project (a copy)."""
        usage = self._usage.get(project_id)
        if usage is None:
            i = m.instances
            query = select(
                func.count(), func.coalesce(func.sum(i.c.vcpus), 0), func.coalesce(func.sum(i.c.memory_mb), 0)
            ).where(i.c.project_id == project_id, i.c.deleted.is_(False))
            with self.db.begin() as conn:
                count, cores, ram = conn.execute(query).one()
            usage = self._usage[project_id] = {"instances": int(count), "cores": int(cores), "ram": int(ram)}
        return dict(usage)

    def usage_added(self, rows: Iterable[dict[str, Any]]) -> None:
        """New instance records were written (in the same step as the quota check)."""
        for row in rows:
            usage = self._usage.get(row["project_id"])
            if usage is not None:
                usage["instances"] += 1
                usage["cores"] += row["vcpus"]
                usage["ram"] += row["memory_mb"]

    def usage_changed(self, project_id: str) -> None:
        """A project's instances changed in size or number (delete, resize): count again."""
        self._usage.pop(project_id, None)

    def forget_usage(self) -> None:
        self._usage.clear()

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
        if not rows:
            return
        a = m.instance_actions
        with self.db.begin() as conn:
            if conn.dialect.insert_executemany_returning_sort_by_parameter_order:
                ids = (
                    conn.execute(insert(a).returning(a.c.id, sort_by_parameter_order=True), rows)
                    .scalars()
                    .all()
                )
            else:
                conn.execute(insert(a), rows)
                ids = [None] * len(rows)
        for row, action_id in zip(rows, ids, strict=True):
            key = (ctx.request_id, row["instance_uuid"])
            if action_id is None:
                self._action_ids.pop(key)
            else:
                self._action_ids[key] = action_id

    def _action_id(self, conn: Any, request_id: str, instance_id: str) -> int | None:
        key = (request_id, instance_id)
        found = self._action_ids.get(key)
        if found is not None:
            return found
        a = m.instance_actions
        row = conn.execute(
            select(a.c.id)
            .where(a.c.instance_uuid == instance_id, a.c.request_id == request_id)
            .order_by(a.c.id.desc())
        ).first()
        if row is None:
            return None
        self._action_ids[key] = row[0]
        return int(row[0])

    def event_start(self, request_id: str, instance_id: str, event: str, host: str | None) -> None:
        with self.db.begin() as conn:
            action_id = self._action_id(conn, request_id, instance_id)
            if action_id is None:
                return
            values = {"action_id": action_id, "event": event, "start_time": self.clock.now(), "host": host}
            raw = _sqlite_of(conn)
            if raw is not None:
                e = m.instance_action_events
                args = [_bind(e, c, values[c], conn) for c in _EVENT_COLUMNS]
                event_id = raw.execute(_RAW_INSERT_EVENT, args).lastrowid
            else:
                result = conn.execute(_INSERT_EVENT, values)
                event_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        if event_id is not None:
            self._event_ids[(action_id, event)] = event_id

    def event_finish(
        self, request_id: str, instance_id: str, event: str, *, error: str | None = None
    ) -> None:
        e, a = m.instance_action_events, m.instance_actions
        now = self.clock.now()
        with self.db.begin() as conn:
            action_id = self._action_id(conn, request_id, instance_id)
            if action_id is None:
                return
            event_id = self._event_ids.get((action_id, event))
            if event_id is None:
                row = conn.execute(
                    select(e.c.id)
                    .where(e.c.action_id == action_id, e.c.event == event)
                    .order_by(e.c.id.desc())
                ).first()
                event_id = row[0] if row else None
            raw = _sqlite_of(conn)
            if event_id is None:
                values = {"finish_time": now, "result": "Error" if error else "Success"}
                if error:
                    values["traceback"] = error
                result = conn.execute(
                    insert(e).values(action_id=action_id, event=event, start_time=now, **values)
                )
                event_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
                conn.execute(_FAIL_ACTION if error else _FINISH_ACTION, {"b_id": action_id, "b_now": now})
            elif error:
                conn.execute(_FAIL_EVENT, {"b_id": event_id, "b_now": now, "b_traceback": error})
                conn.execute(_FAIL_ACTION, {"b_id": action_id, "b_now": now})
            elif raw is not None:  # the usual end of a step, straight on SQLite
                raw.execute(_RAW_FINISH_EVENT, (_bind(e, "finish_time", now, conn), event_id))
                stamp = _bind(a, "finish_time", now, conn)
                raw.execute(_RAW_FINISH_ACTION, (_bind(a, "updated_at", now, conn), stamp, action_id))
            else:
                conn.execute(_FINISH_EVENT, {"b_id": event_id, "b_now": now})
                conn.execute(_FINISH_ACTION, {"b_id": action_id, "b_now": now})
        if event_id is not None:
            self._event_ids[(action_id, event)] = event_id


K = TypeVar("K")
V = TypeVar("V")


class _Bounded(OrderedDict[K, V]):
    """A dict that forgets its oldest entries beyond ``size`` (ids worth remembering a while)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)

    def pop(self, key: K, default: Any = None) -> Any:  # type: ignore[override]
        return super().pop(key, default)


_i = m.instances
_GET_LIVE = select(_i).where(_i.c.id == bindparam("b_id"), _i.c.deleted.is_(False))
_GET_ANY = select(_i).where(_i.c.id == bindparam("b_id"))
_INSERT_EVENT = insert(m.instance_action_events)
_e, _a = m.instance_action_events, m.instance_actions
_FINISH_EVENT = (
    update(_e).where(_e.c.id == bindparam("b_id")).values(finish_time=bindparam("b_now"), result="Success")
)
_FAIL_EVENT = (
    update(_e)
    .where(_e.c.id == bindparam("b_id"))
    .values(finish_time=bindparam("b_now"), result="Error", traceback=bindparam("b_traceback"))
)
_FINISH_ACTION = (
    update(_a)
    .where(_a.c.id == bindparam("b_id"))
    .values(updated_at=bindparam("b_now"), finish_time=bindparam("b_now"))
)
_FAIL_ACTION = (
    update(_a)
    .where(_a.c.id == bindparam("b_id"))
    .values(updated_at=bindparam("b_now"), finish_time=bindparam("b_now"), message="Error")
)
_USAGE_COLUMNS = frozenset({"vcpus", "memory_mb", "deleted", "project_id"})

# The statements of every build step, as SQLite text run on the DB-API connection of the same
# transaction (SQLAlchemy's statement machinery costs ten times what SQLite does for these),
# with the values converted by the columns' own SQLAlchemy types (``_bind``).
_EVENT_COLUMNS = ("action_id", "event", "start_time", "host")
_RAW_INSERT_EVENT = (
    f"INSERT INTO {_e.name} ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
)
_RAW_FINISH_EVENT = f"UPDATE {_e.name} SET finish_time = ?, result = 'Success' WHERE id = ?"
_RAW_FINISH_ACTION = f"UPDATE {_a.name} SET updated_at = ?, finish_time = ? WHERE id = ?"
_BINDERS: dict[tuple[str, str], Any] = {}


def _sqlite_of(conn: Any) -> sqlite3.Connection | None:
    raw = conn.connection.driver_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


def _bind(table: Any, column: str, value: Any, conn: Any) -> Any:
    """``value`` as SQLAlchemy would store it in ``table.column`` (dates, booleans, JSON)."""
    key = (table.name, column)
    if key not in _BINDERS:
        _BINDERS[key] = table.c[column].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    process = _BINDERS[key]
    return process(value) if process is not None else value
