"""Shared test settings."""

import pytest


@pytest.fixture(autouse=True)
def _short_scheduler_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that name an unreachable Dask scheduler should fail fast (seconds)."""
    monkeypatch.setenv("CCSIM_SCHEDULER_TIMEOUT", "1")
