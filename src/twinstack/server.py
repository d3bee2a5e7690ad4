"""Running a cloud: uvicorn serving the ``Cloud``'s ASGI app, in the foreground or a thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

import uvicorn

from twinstack.config import Settings
from twinstack.core.cloud import Cloud


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, a response written in two parts waits for
    # the client's delayed ACK (about 40 ms a request).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(coro: Any) -> Any:
    """Run a coroutine on a uvloop event loop (asyncio's when uvloop is missing)."""
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


def uvicorn_config(cloud: Cloud, **overrides: Any) -> uvicorn.Config:
    options: dict[str, Any] = {
        "loop": "none",  # we make the loop (uvloop) ourselves: see run()
        "http": "httptools",
        # No OpenStack API speaks WebSocket here; loading a ws protocol costs ~0.1 s of start-up.
        "ws": "none",
        "proxy_headers": False,
        "log_level": "warning",
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
        # Clients that poll (Rally, openstacksdk waiters) keep connections idle between polls.
        "timeout_keep_alive": 75,
    }
    options.update(overrides)
    return uvicorn.Config(cloud.app, **options)


class CloudThread:
    """A cloud served from a background thread (tests, bench, embedding)."""

    def __init__(self, settings: Settings) -> None:
        self.sock = bind(settings.host, settings.port)
        settings.port = self.sock.getsockname()[1]
        self.settings = settings
        self.cloud = Cloud(settings)
        self.server = uvicorn.Server(uvicorn_config(self.cloud))
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._run, name="twinstack-server", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            run(self.server.serve(sockets=[self.sock]))
        except BaseException as exc:  # pragma: no cover - surfaced by start()
            self._error = exc

    def start(self, timeout: float = 30) -> CloudThread:
        self._thread.start()
        waited = 0.0
        while not self.server.started:
            if self._error or not self._thread.is_alive():
                raise RuntimeError(f"twinstack failed to start: {self._error}")
            self._thread.join(0.01)
            waited += 0.01
            if waited > timeout:
                raise TimeoutError("twinstack did not start in time")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(15)
        self.sock.close()

    @property
    def url(self) -> str:
        return self.settings.base_url()


logging.getLogger("twinstack").addHandler(logging.NullHandler())
