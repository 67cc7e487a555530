"""Shared fixtures: the seed corpus parsed once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import simtool

ROOT = Path(__file__).resolve().parent.parent
SEEDS = "corpora/seeds"


@pytest.fixture(autouse=True, scope="session")
def _repo_root() -> None:
    os.chdir(ROOT)  # notice ids are paths as given: run from the repo root


@pytest.fixture(scope="session")
def seeds() -> simtool.Loaded:
    os.chdir(ROOT)
    return simtool.load([SEEDS])
