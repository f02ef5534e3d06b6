"""Running ``ccsim`` as a subprocess in tests, and checking its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ccsim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in ``cwd`` (locally: any ``CCSIM_SCHEDULER`` is dropped)."""
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("CCSIM_SCHEDULER", None)
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, timeout=300, env=env,
    )


def desk_yaml(name: str = "desk", *, horizon: str = "2h", rate: str = "30/h",
              customers: str = "", agents: int = 3, capacity: int = 2) -> str:
    """Scenario YAML of a small desk: one web chat channel, queue ``support``, group ``team``.

    ``customers`` is the channel's ``customers:`` mapping as YAML flow text (none if empty).
    """
    customers_line = f"    customers: {customers}\n" if customers else ""
    return (
        f"name: {name}\nhorizon: {horizon}\ninterval: 30m\n"
        "channels:\n  - name: web\n    type: enhanced_web_chat\n    queue: support\n"
        f"    arrivals: {{rate: {rate}}}\n{customers_line}"
        "queues:\n  - name: support\n"
        f"agent_groups:\n  - {{name: team, agents: {agents}, capacity: {capacity}, "
        "queues: [support]}\n"
    )


def write(folder: Path, text: str, name: str = "desk.yaml") -> Path:
    """Write a scenario YAML ``text`` (dedented) as ``folder/name``."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one_error_line(code: int, stderr: str) -> str:
    """The single error line of a usage failure (exit code 2, no traceback)."""
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]
