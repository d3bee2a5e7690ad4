"""Microversions: parsed numerically, negotiated, range-checked and echoed.

``2.100`` is newer than ``2.96``: versions are ``(major, minor)`` tuples, never strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from twinstack.core.errors import BadRequest, NotAcceptable

_VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")
_PARSED: dict[str, APIVersion] = {}


@total_ordering
@dataclass(frozen=True, slots=True)
class APIVersion:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> APIVersion:
        found = _PARSED.get(text)
        if found is not None:
            return found
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise ValueError(text)
        version = cls(int(match.group(1)), int(match.group(2)))
        if len(_PARSED) < 4096:  # views ask ctx.mv("2.x") many times per request
            _PARSED[text] = version
        return version

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, APIVersion):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def matches(self, min_version: str | None = None, max_version: str | None = None) -> bool:
        """True when this version lies in [min_version, max_version] (either may be open)."""
        if min_version and self < APIVersion.parse(min_version):
            return False
        return not (max_version and self > APIVersion.parse(max_version))

    def __ge__(self, other: object) -> bool:  # accept "2.47" strings for readable checks
        if isinstance(other, str):
            other = APIVersion.parse(other)
        if not isinstance(other, APIVersion):
            return NotImplemented
        return (self.major, self.minor) >= (other.major, other.minor)


@dataclass(frozen=True)
class MicroversionSpec:
    """How one service takes microversions: the header name and the supported range."""

    service_type: str  # the name inside OpenStack-API-Version, e.g. "compute", "volume"
    min_version: str
    max_version: str
    legacy_header: str | None = None  # e.g. "X-OpenStack-Nova-API-Version"

    @property
    def min(self) -> APIVersion:
        return APIVersion.parse(self.min_version)

    @property
    def max(self) -> APIVersion:
        return APIVersion.parse(self.max_version)

    def negotiate(self, headers: dict[str, str] | object) -> APIVersion:
        """Pick the version a request asked for; the minimum when it asked for none.

        Raises 400 for a malformed version and 406 for one outside the range.
        """
        requested = self._requested(headers)
        if requested is None:
            return self.min
        if requested.lower() == "latest":
            return self.max
        try:
            version = APIVersion.parse(requested)
        except ValueError:
            raise BadRequest(
                f"API Version String {requested} is of invalid format. Must be of format MajorNum.MinorNum."
            ) from None
        if not (self.min <= version <= self.max):
            raise NotAcceptable(
                f"Version {version} is not supported by the API. Minimum is {self.min} and "
                f"maximum is {self.max}."
            )
        return version

    def _requested(self, headers: object) -> str | None:
        get = headers.get  # type: ignore[attr-defined]
        value = get("openstack-api-version")
        if value:
            for item in value.split(","):
                parts = item.strip().split(None, 1)
                if len(parts) == 2 and parts[0].lower() == self.service_type:
                    return parts[1].strip()
        if self.legacy_header:
            legacy = get(self.legacy_header.lower())
            if legacy:
                return legacy.strip()
        return None

    def response_headers(self, version: APIVersion) -> dict[str, str]:
        headers = {"OpenStack-API-Version": f"{self.service_type} {version}"}
        vary = "OpenStack-API-Version"
        if self.legacy_header:
            headers[self.legacy_header] = str(version)
            vary += ", " + self.legacy_header
        headers["Vary"] = vary
        return headers
