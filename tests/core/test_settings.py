"""Settings: keyword arguments, then TWINSTACK_* environment variables, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinstack.config import Settings
from twinstack.core.settings import SettingsError
from twinstack.services.compute.config import ComputeConfig


def test_environment_values_are_converted_and_keywords_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINSTACK_PORT", "9999")
    monkeypatch.setenv("TWINSTACK_EPHEMERAL", "true")
    monkeypatch.setenv("TWINSTACK_DATA_DIR", "/tmp/somewhere")
    monkeypatch.setenv("TWINSTACK_REGION", "RegionTwo")
    settings = Settings.from_env(region="RegionThree")
    assert (settings.port, settings.ephemeral, settings.region) == (9999, True, "RegionThree")
    assert settings.data_dir == Path("/tmp/somewhere")


def test_container_settings_are_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINSTACK_COMPUTE_ACTION_LATENCY", '{"spawn": 2}')
    assert ComputeConfig.from_env().latency_for("spawn") == 2.0
    monkeypatch.setenv("TWINSTACK_COMPUTE_ACTION_LATENCY", "spawn=2")
    with pytest.raises(SettingsError, match="TWINSTACK_COMPUTE_ACTION_LATENCY is not valid JSON"):
        ComputeConfig.from_env()


def test_a_wrong_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINSTACK_PASSWORD_HASHER", "md5")
    with pytest.raises(SettingsError, match="password_hasher"):
        Settings.from_env()
