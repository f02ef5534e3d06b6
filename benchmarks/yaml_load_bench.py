"""How long a large scenario file takes to load, per YAML parser (issue 26, item 7).

Writes the shipped web chat desk with its ``volumes`` list replaced by random numbers until
the file holds the size asked for (a list of scalars: the bulk of any large scenario), then
times :func:`sim.scenario.yaml_input.load_yaml` on it with libyaml's scanner and parser and
with PyYAML's pure-Python ones (the same bounds either way). Prints CPU and wall seconds.
The scenario file cap (:data:`~sim.scenario.yaml_input.MAX_SCENARIO_BYTES`) does not apply
here: ``load_yaml`` takes text. Run by hand; not a test::

    python benchmarks/yaml_load_bench.py --megabytes 48
    python benchmarks/yaml_load_bench.py --megabytes 5 --parser libyaml
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sim.scenario.yaml_input import HAVE_LIBYAML, load_yaml

DESK = Path(__file__).resolve().parent.parent / "scenarios" / "web_chat_desk.yaml"
VOLUMES = ("      volumes: [23, 44, 62, 78, 86, 81, 68, 57, 52, 62,\n"
           "                75, 83, 78, 65, 55, 44, 34, 21, 10, 5]")
"""The desk's volumes list, replaced by the large one."""


def large_scenario(megabytes: float, seed: int = 26) -> str:
    """The desk's YAML with a volumes list of about ``megabytes`` MB (numbers like 12.345)."""
    count = int(megabytes * 2**20 / 8)  # "12.345, " is 8 characters
    numbers = np.random.default_rng(seed).uniform(0, 99, count)
    text = DESK.read_text(encoding="utf-8")
    if VOLUMES not in text:
        raise SystemExit(f"{DESK} no longer holds the volumes list this benchmark replaces")
    return text.replace(VOLUMES, "      volumes: [" + ", ".join(f"{n:.3f}" for n in numbers)
                        + "]")


def main() -> None:
    """Time the load of one large file with each parser asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0, help="file size (default 5)")
    parser.add_argument("--parser", choices=["both", "libyaml", "python"], default="both")
    args = parser.parse_args()
    text = large_scenario(args.megabytes)
    print(f"{len(text.encode()) / 2**20:.1f} MB, libyaml available: {HAVE_LIBYAML}")
    choices = {"both": [True, False], "libyaml": [True], "python": [False]}[args.parser]
    for libyaml in choices:
        if libyaml and not HAVE_LIBYAML:
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        load_yaml(text, libyaml=libyaml)
        print(f"{'libyaml' if libyaml else 'pure Python'}: {time.process_time() - cpu:.1f} "
              f"CPU s, {time.perf_counter() - wall:.1f} s wall", flush=True)


if __name__ == "__main__":
    main()
