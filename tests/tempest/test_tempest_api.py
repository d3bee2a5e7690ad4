"""Tempest's own API tests pass against twinstack (identity, image, network, volume).

Each service's Tempest run is one test here; the features twinstack does not have yet are named
in ``twinstack.testing.tempest.UNSUPPORTED``. A fresh machine first builds Tempest's virtualenv.
"""

from __future__ import annotations

import pytest

from twinstack.testing import start_cloud
from twinstack.testing.tempest import run


@pytest.mark.parametrize(
    ("regex", "at_least"),
    [
        (r"^tempest\.api\.identity\.", 110),
        (r"^tempest\.api\.(image|network)\.", 290),
        (r"^tempest\.api\.volume\.", 180),
    ],
    ids=["identity", "image+network", "volume"],
)
def test_tempest_api_passes(regex: str, at_least: int) -> None:
    with start_cloud() as cloud:
        result = run(cloud.cloud_config, regex)
    failures = [line for line in result.output.splitlines() if "... FAILED" in line]
    assert result.returncode == 0 and result.failed == 0, "\n".join(failures) or result.output[-3000:]
    assert result.passed >= at_least, result.output[-2000:]
