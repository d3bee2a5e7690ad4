"""Per-iteration timeouts for thread runners.

A Python thread cannot be killed, so, like Rally, a watchdog raises ``TimeoutException`` inside
the worker thread (``PyThreadState_SetAsyncExc``) once its deadline passes. The exception lands
at the next Python bytecode the thread runs; a thread blocked in C (a socket read) sees it when
that call returns.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TimeoutException(Exception):
    """The iteration ran longer than the runner's ``timeout``."""


class Watchdog:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._deadlines: dict[int, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="bench-watchdog", daemon=True)
        self._thread.start()

    @contextmanager
    def guard(self) -> Iterator[None]:
        ident = threading.get_ident()
        with self._lock:
            self._deadlines[ident] = time.monotonic() + self.timeout
        try:
            yield
        finally:
            with self._lock:
                self._deadlines.pop(ident, None)

    def _watch(self) -> None:
        tick = min(0.05, self.timeout / 10)
        while not self._stop.wait(tick):
            now = time.monotonic()
            with self._lock:
                for ident, deadline in list(self._deadlines.items()):
                    if now >= deadline:
                        del self._deadlines[ident]
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(ident), ctypes.py_object(TimeoutException)
                        )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
