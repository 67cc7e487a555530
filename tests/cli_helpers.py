"""Running the CLI in tests."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from simtool.cli.app import app

runner = CliRunner()


def jsonl_twice(args: list[str]) -> list[dict[str, Any]]:
    """Run a command twice with ``--format jsonl``; assert success and byte-identical output; return the records."""
    first = runner.invoke(app, [*args, "--format", "jsonl"])
    second = runner.invoke(app, [*args, "--format", "jsonl"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    return [json.loads(line) for line in first.output.splitlines() if line.startswith("{")]
