"""The engine's progress bar: shown on a terminal (stderr), never in piped output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

CLI = [sys.executable, "-m", "simtool.cli.app", "dupes", "corpora/seeds", "--db", ":memory:", "--limit", "1"]


def _on_terminal(args: list[str]) -> str:
    pid, fd = pty.fork()
    if pid == 0:  # the child runs the command with a terminal as stdout and stderr
        os.execv(args[0], args)
    chunks = []
    try:
        while data := os.read(fd, 65536):
            chunks.append(data)
    except OSError:
        pass
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def test_bar_on_a_terminal_only() -> None:
    shown = _on_terminal(CLI)
    assert "比对候选句对" in shown and "相似句段" in shown
    piped = subprocess.run(CLI, capture_output=True, text=True)
    assert piped.returncode == 0 and "相似句段" in piped.stdout
    assert "比对候选句对" not in piped.stdout + piped.stderr
