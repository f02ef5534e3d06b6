"""Golden outputs: the ``simulate(trace=True)`` tables of fixed cases, kept under ``tests/golden/``.

Every change of behaviour shows as a diff of these files. ``tests/test_golden.py`` compares a
fresh run with them exactly; regenerate them on purpose only, and explain each diff in the
commit that causes it::

    .venv/bin/python tests/golden_cases.py          # rewrite tests/golden/*.parquet
    .venv/bin/python tests/golden_cases.py --check  # compare only, print the differing tables

Cases: every bundled scenario under each capacity model it allows (``outbound_campaign`` has a
standard channel, which status-based capacity rejects), the rich test scenario under both
models, and the benchmark's M/M/n (20 agents at 90% load, about 2,000 customers).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from scenario_builders import rich_scenario  # noqa: E402

import sim  # noqa: E402

GOLDEN_DIR = ROOT / "tests" / "golden"
TABLES = ("sessions", "agents", "intervals", "groups", "trace")
SEED = 1
MODELS = ("tab", "status")


def _bundled(path: Path, model: str) -> Callable[[], sim.Scenario] | None:
    base = sim.load_scenario(path)
    raw = {**base.model_dump(), "capacity_model": model}
    try:
        sim.Scenario.model_validate(raw)
    except ValidationError:
        return None  # the model is invalid for this scenario (a standard channel)

    def build() -> sim.Scenario:
        return sim.Scenario.model_validate(
            {**sim.load_scenario(path).model_dump(), "capacity_model": model}
        )

    return build


def _mmn() -> sim.Scenario:
    from scenarios import mmn_scenario

    servers, rho, service_mean_s = 20, 0.9, 60.0
    horizon_s = 2000 / (rho * servers / service_mean_s)
    return mmn_scenario(servers, rho, service_mean_s, horizon_s)


def cases() -> Iterator[tuple[str, Callable[[], sim.Scenario]]]:
    """Each golden case's name and a builder of its scenario."""
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for model in MODELS:
            build = _bundled(path, model)
            if build is not None:
                yield f"{path.stem}-{model}", build
    for model in MODELS:
        yield f"rich-{model}", lambda model=model: rich_scenario(model)
    yield "mmn-tab", _mmn


def tables(scenario: sim.Scenario) -> dict[str, pd.DataFrame]:
    """The five tables of one traced run of ``scenario`` at the golden seed."""
    result = sim.simulate(scenario, seed=SEED, trace=True)
    return {name: getattr(result, name).reset_index(drop=True) for name in TABLES}


def golden_path(case: str, table: str) -> Path:
    """Where the golden ``table`` of ``case`` is kept."""
    return GOLDEN_DIR / f"{case}.{table}.parquet"


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text columns as Python objects: Parquet reads all text as ``str``."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].astype(object)
    return out


def read_golden(case: str, table: str) -> pd.DataFrame:
    """The committed golden ``table`` of ``case``, text as Python objects."""
    return comparable(pd.read_parquet(golden_path(case, table)))


def write_all() -> None:
    """Rewrite every golden file, and remove those of cases that no longer exist."""
    GOLDEN_DIR.mkdir(exist_ok=True)
    kept = set()
    for case, build in cases():
        for table, frame in tables(build()).items():
            path = golden_path(case, table)
            frame.to_parquet(path, compression="zstd", index=False)
            kept.add(path)
        print(f"wrote {case}")
    for stale in set(GOLDEN_DIR.glob("*.parquet")) - kept:
        stale.unlink()
        print(f"removed {stale.name}")


def check_all() -> int:
    """Compare every case with its golden files; print the differing tables."""
    differing = 0
    for case, build in cases():
        for table, frame in tables(build()).items():
            try:
                pd.testing.assert_frame_equal(
                    comparable(frame), read_golden(case, table), check_exact=True
                )
            except (AssertionError, FileNotFoundError) as error:
                differing += 1
                print(f"{case}.{table}: {str(error).splitlines()[0]}")
    print(f"{differing} table(s) differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    """Regenerate (default) or check the golden outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        return check_all()
    write_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
