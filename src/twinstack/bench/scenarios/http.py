"""HttpRequests.* scenarios: time HTTP requests and check their status code."""

from __future__ import annotations

import random
import urllib.error
import urllib.request
from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenario import Scenario


class StatusMismatch(Exception):
    pass


class _Http(Scenario):
    def _check(self, url: str, method: str, status_code: int, **kwargs: Any) -> None:
        data = kwargs.pop("data", None)
        body = data.encode() if isinstance(data, str) else data
        timeout = float(kwargs.pop("timeout", 30))
        request = urllib.request.Request(
            url, data=body, method=method.upper(), headers=kwargs.pop("headers", {}) or {}
        )
        with self.atomic("requests.check_request"):
            try:
                with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
                    code = resp.status
            except urllib.error.HTTPError as exc:
                code = exc.code
            if code != status_code:
                raise StatusMismatch(f"Expected HTTP request code is `{status_code}` actual `{code}`")


@register("scenario", "HttpRequests.check_request")
class CheckRequest(_Http):
    """Send an HTTP request and check its status code.

    url: the URL. method: GET, POST... status_code: expected code (200). Other keys: headers,
    data, timeout (seconds, 30).
    """

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"url": {"type": "string", "pattern": "^https?://"}}

    def run(self, url: str, method: str = "GET", status_code: int = 200, **kwargs: Any) -> None:
        self._check(url, method, status_code, **kwargs)


@register("scenario", "HttpRequests.check_random_request")
class CheckRandomRequest(_Http):
    """Send one request chosen at random from ``requests`` (each a check_request argument
    set); ``status_code`` is the default expected code."""

    def run(self, requests: list[dict[str, Any]], status_code: int = 200) -> None:
        request = dict(random.choice(requests))
        request.setdefault("status_code", status_code)
        url = request.pop("url")
        method = request.pop("method", "GET")
        self._check(url, method, request.pop("status_code"), **request)
