"""twinstack bench: a Rally-compatible benchmark engine.

Public API: :func:`load_task`, :func:`validate_task`, :class:`Engine`, :class:`Scenario`,
:func:`register` and the atomic action helpers. The CLI is ``twinstack.bench.cli:app``.
"""

from twinstack.bench.atomic import ActionTimer, action_timer
from twinstack.bench.engine import Engine, exit_code
from twinstack.bench.registry import register
from twinstack.bench.scenario import Scenario
from twinstack.bench.task import Task, TaskError, parse_task_args
from twinstack.bench.task import load as load_task
from twinstack.bench.validation import validate as validate_task

__all__ = [
    "ActionTimer",
    "Engine",
    "Scenario",
    "Task",
    "TaskError",
    "action_timer",
    "exit_code",
    "load_task",
    "parse_task_args",
    "register",
    "validate_task",
]
