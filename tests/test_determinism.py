"""Determinism: the same corpus gives byte-identical JSONL for every command, whatever the order
in which files were written to disk and whatever PYTHONHASHSEED is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    ["notices"],
    ["dupes", "--scope", "all"],
    ["dupes", "--view", "template"],
    ["overlap"],
    ["phrases"],
    ["clusters"],
    ["reuse"],
]


def build(parent: Path, order: list[Path]) -> None:
    folder = parent / "corpus"
    folder.mkdir(parents=True)
    for src in order:  # different creation order → different directory order on disk
        shutil.copyfile(src, folder / src.name)


@pytest.fixture(scope="module")
def two_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    seeds = sorted(Path("corpora/seeds").iterdir())
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    build(a, seeds)
    build(b, list(reversed(seeds)))
    return a, b


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c))
def test_jsonl_is_byte_identical(two_copies: tuple[Path, Path], command: list[str]) -> None:
    outputs = []
    for parent, seed in zip(two_copies, ("0", "12345")):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run(
            [sys.executable, "-m", "simtool.cli.app", command[0], "corpus", *command[1:], "--format", "jsonl"],
            cwd=parent,
            env=env,
            capture_output=True,
        )
        assert res.returncode == 0, res.stderr.decode()
        outputs.append(res.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].strip()
