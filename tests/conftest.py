"""Shared test settings: the Dask timeout and the hypothesis profiles."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ccsim",
    max_examples=60,
    deadline=None,  # a loaded host makes any example slow; the tests check results, not time
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("ccsim"), max_examples=600)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ccsim"))
"""Example counts come from the profile (``HYPOTHESIS_PROFILE=thorough`` for ten times as
many); only a test whose every example is a whole simulation sets a smaller count."""


@pytest.fixture(autouse=True)
def _short_scheduler_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that name an unreachable Dask scheduler should fail fast (seconds)."""
    monkeypatch.setenv("CCSIM_SCHEDULER_TIMEOUT", "1")
