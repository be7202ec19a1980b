"""Shared test setup: offline models, fixture paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A test must never reach a model hub: a missing model fails loudly instead.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def private_state(tmp_path_factory, monkeypatch):
    """The analyst's per-user state (theme decisions) goes to a temporary folder, never to ~."""
    monkeypatch.setenv("STATEMENTKIT_DATA", str(tmp_path_factory.mktemp("state")))
