"""The `twinstack` command: bench is reachable through it, with its own exit codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from twinstack.cli import app

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "tasks" / "scenarios"


def test_bench_is_a_subcommand_with_its_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["bench", "validate", str(SAMPLES / "dummy" / "dummy.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "is valid" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("Dummy.dummy:\n  - runner: {type: constant, times: 0}\n")
    failed = runner.invoke(app, ["bench", "validate", str(bad)])
    assert failed.exit_code != 0
    assert "times" in failed.output


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--data-dir", "--ephemeral", "--hosts", "--no-clouds-yaml"):
        assert option in result.output


def test_serve_refuses_a_bad_setting_without_a_traceback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TWINSTACK_TOKEN_EXPIRATION", "an hour")
    result = CliRunner().invoke(app, ["serve", "--ephemeral", "--no-clouds-yaml"])
    assert result.exit_code == 2
    assert "Invalid setting" in result.output and "token_expiration" in result.output
    assert "Traceback" not in result.output
