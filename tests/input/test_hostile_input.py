"""Bad and hostile input: every case ends in exit code 2 and one clear line, never a hang.

One test (or a few) per item of the hardening issue: alias bombs and deep nesting, work too
large to run, inputs that used to end in an internal error, user text that is markup or
mathtext, arrival CSV paths that leave the scenario's folder or are not regular files, and
inputs that used to be accepted silently (duplicate keys, ``agents: true``, ``--shift 7h/0h``,
arrival times past the horizon).
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import ccsim, desk_yaml, write
from matplotlib.figure import Figure

import sim.reports.files
import sim.scenario.workload_limits as limits
from sim.cli.main import main
from sim.scenario.user_text import chart_text, printable

DESK = desk_yaml(rate="20/h")


def run_main(args: list[str | Path], capsys) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def error_lines(args: list[str | Path], capsys) -> list[str]:
    """The stderr lines of a run that must fail with exit code 2."""
    code, _, err = run_main(args, capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert lines, "no error line"
    return lines


def desk(tmp_path: Path, text: str = DESK, name: str = "desk.yaml") -> Path:
    return write(tmp_path, text, name)


# ------------------------------------------------------------------ 3: YAML alias bombs
BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.slow
def test_alias_bomb_is_refused_fast(tmp_path: Path, capsys) -> None:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    path = desk(tmp_path, text + BILLION_LAUGHS + DESK)
    assert path.stat().st_size < 2000
    # Refused before anything is expanded (9**9 strings would take minutes and gigabytes): a
    # subprocess, so that an expansion fails at ccsim()'s generous timeout instead of hanging.
    result = ccsim("validate", path, cwd=tmp_path)
    [line] = result.stderr.strip().splitlines()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert line.startswith(f"{path}: ") and "aliases (*name) expand to more than" in line
    assert "lol" not in line  # never an expanded value in the message


def test_a_few_aliases_are_fine(tmp_path: Path, capsys) -> None:
    text = DESK.replace("  - {name: team, agents: 3, capacity: 2, queues: [support]}",
                        "  - &team {name: team, agents: 3, capacity: 2, queues: [support]}\n"
                        "  - {<<: *team, name: team2}")
    code, out, err = run_main(["validate", desk(tmp_path, text)], capsys)
    assert code == 0, err


def test_recursive_alias(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK + "description: &d [*d]\n")
    [line] = error_lines(["validate", path], capsys)
    assert line.startswith(f"{path}: description") and "recursive alias" in line


def test_deep_nesting(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK.replace("name: desk", "name: " + "[" * 5000 + "]" * 5000))
    [line] = error_lines(["validate", path], capsys)
    assert line.startswith(f"{path}: (file): ") and "nesting deeper than" in line


def test_deep_nesting_in_an_override(tmp_path: Path, capsys) -> None:
    [line] = error_lines(["run", desk(tmp_path), "-q", "--set",
                          "name=" + "[" * 5000 + "]" * 5000], capsys)
    assert "--set name=" in line


@pytest.mark.slow
def test_long_values_are_shown_shortened(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK.replace("agents: 3", "agents: [" + ", ".join(["7"] * 100_000)
                                       + "]"))
    [line] = error_lines(["validate", path], capsys)
    assert line.startswith(f"{path}: agent_groups[0].agents: found [7, 7,")
    assert len(line) < 300


# ------------------------------------------------------------- 4: work too large to run
@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["channels[0].arrivals.rate=8000000/d", "horizon=1d"], "channels[0].arrivals:"),
        (["channels[0].customers.exchanges=1.0e+9", "channels[0].customers.reply_time=0s"],
         "channels[0].customers.exchanges:"),
        (["agent_groups[0].agents=4000000000000"], "agent_groups[0].agents:"),
        (["channels[0].arrivals.interval=1e-9s"], "channels[0].arrivals.interval:"),
        (["timeouts.sweep_period=1e-6s"], "timeouts.sweep_period:"),
        (["agent_groups[0].disconnections.rate=1.0e+9"],
         "agent_groups[0].disconnections.rate:"),
    ],
)
def test_too_large_scenarios_are_refused(tmp_path: Path, capsys, overrides: list[str],
                                         key: str) -> None:
    path = desk(tmp_path)
    args: list[str | Path] = ["run", path, "-q", "--out", tmp_path / "out"]
    for override in overrides:
        args += ["--set", override]
    lines = error_lines(args, capsys)
    assert any(line.startswith(f"{path}: {key} about ") and "--force" in line for line in lines)
    assert not (tmp_path / "out").exists()


def test_too_many_replications(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path)
    lines = error_lines(["run", path, "-q", "-r", "1000000"], capsys)
    assert lines[0].startswith(f"{path}: --replications: 1,000,000 replications make 1 million "
                               "runs (at most 100,000)")


def test_too_many_grid_cells(tmp_path: Path, capsys, monkeypatch) -> None:
    import sim.experiments.sweep

    def no_cells(*args, **kwargs):
        raise AssertionError("the million cells were built before the count was checked")

    monkeypatch.setattr(sim.experiments.sweep, "plan_sweep", no_cells)
    path = desk(tmp_path)
    values = ",".join(str(n) for n in range(1, 1001))
    [line] = error_lines(["sweep", path, "-q", "--grid", f"agent_groups[0].agents={values}",
                          "--grid", f"seed={values}"], capsys)
    assert line.startswith(f"{path}: --grid: 1 million grid cells (at most 10,000)")


def test_a_grid_cell_too_large(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path)
    lines = error_lines(["sweep", path, "-q", "--grid", "arrival_scale=1,1000000"], capsys)
    assert lines[0] == (f"{path} [grid cell 1]: channels[0].arrivals: about 40 million sessions "
                        "per replication (at most 2 million); lower the arrival rates, "
                        "arrival_scale or horizon, or pass --force to run it anyway")


def test_staff_counts_its_search_runs(tmp_path: Path, capsys) -> None:
    lines = error_lines(["staff", desk(tmp_path), "-q", "--target", "80/60s",
                         "-r", "50000"], capsys)
    # Refused on the least search (one iteration: 2 models x (2 + 6 verification runs)), not
    # on the --max-iterations cap, which is a bound, not runs that will happen.
    assert "--replications: 50,000 replications x 16 runs each make 800,000 runs" in lines[0]


@pytest.mark.slow
def test_force_runs_it_anyway(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_SESSIONS", 1)
    path = desk(tmp_path)
    args = ["run", path, "-q", "-r", "1", "--out", tmp_path / "out"]
    [line] = error_lines(args, capsys)
    assert "sessions per replication (at most 1)" in line
    code, _, err = run_main([*args, "--force"], capsys)
    assert code == 0, err
    assert (tmp_path / "out" / "summary.json").is_file()


@pytest.mark.slow
def test_jobs_are_capped_at_the_cpus(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    code, _, err = run_main(["run", desk(tmp_path), "-r", "2", "-j", "10000",
                             "--out", tmp_path / "out"], capsys)
    assert code == 0, err
    assert "ccsim: note: --jobs 10000 is more than the 1 CPUs here; using 1" in err


# ------------------------------------------------------- 5: exit 2 with the key, never 1
def test_empty_repeated_rates(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK.replace("{rate: 20/h}", "{rates: [], repeat: true}"))
    [line] = error_lines(["validate", path], capsys)
    assert line.startswith(f"{path}: channels[0].arrivals.rates: found an empty list")


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        ("1h/1e400s", "the length must be greater than 0"),
        ("1e400s/8h", "the start is outside the horizon"),
        ("1h/0h", "the length must be greater than 0"),
        ("7h/0h", "the length must be greater than 0"),
        ("5h/1h", "the start is outside the horizon"),
        ("1h", "expected START/LENGTH"),
        ("abc/1h", "expected START/LENGTH"),
    ],
)
def test_bad_shifts(tmp_path: Path, capsys, shift: str, message: str) -> None:
    [line] = error_lines(["staff", desk(tmp_path), "-q", "--target", "80/60s",
                          "--shift", shift], capsys)
    assert line.startswith(f"ccsim: error: --shift {shift!r}: ") and message in line


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-abandon", "abc"), ("--shrinkage", "abc"), ("--target", "8.0.0"),
     ("--target", "8.0.0/60s"), ("--max-asa", "soon"), ("--max-occupancy", "nan"),
     ("--shrinkage", "100%"), ("--max-abandon", "inf")],
)
def test_bad_goals_name_the_option(tmp_path: Path, capsys, option: str, value: str) -> None:
    goals = [] if option in ("--target", "--max-abandon") else ["--target", "80/60s"]
    [line] = error_lines(["staff", desk(tmp_path), "-q", *goals, option, value], capsys)
    assert line.startswith(f"ccsim: error: {option} {value!r}: expected ")


def test_bad_scheduler_timeout_names_the_variable(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CCSIM_SCHEDULER_TIMEOUT", "abc")
    [line] = error_lines(["run", desk(tmp_path), "-q", "--scheduler", "tcp://127.0.0.1:1"],
                         capsys)
    assert line.startswith("ccsim: error: CCSIM_SCHEDULER_TIMEOUT=abc: expected a number")


@pytest.mark.slow
@pytest.mark.parametrize("time_s", ["1e18", "1.0e+300"])
def test_staff_with_arrival_times_far_past_the_horizon(tmp_path: Path, capsys,
                                                       time_s: str) -> None:
    path = desk(tmp_path, DESK.replace("{rate: 20/h}", f"{{times: [60, 120, {time_s}]}}"))
    code, _, err = run_main(["staff", path, "--target", "80/60s", "-r", "2", "--no-curve",
                             "--max-iterations", "3", "--out", tmp_path / "out"], capsys)
    assert code == 0, err
    assert f"{path}: warning: channels[0].arrivals.times: 1 of 3 times are at or after" in err


@pytest.mark.parametrize("filename", [None, "summary.json"])
def test_disk_full_names_the_file(tmp_path: Path, capsys, monkeypatch,
                                  filename: str | None) -> None:
    out = tmp_path / "out"

    def full(*args, **kwargs):
        where = None if filename is None else str(out / filename)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), where)

    monkeypatch.setattr(sim.reports.files, "write_reports", full)
    [line] = error_lines(["run", desk(tmp_path), "-q", "-r", "1", "--out", out], capsys)
    named = out / filename if filename else out
    assert line == f"ccsim: error: {named}: {os.strerror(errno.ENOSPC)}"


# ---------------------------------------------------------------- 6: user text is text
HOSTILE_NAME = "x [/x] [bold]$\\\\foo$ \\e[31mred\\e]0;title\\a"


@pytest.mark.slow
def test_markup_mathtext_and_escapes_in_names(tmp_path: Path, capsys) -> None:
    text = (DESK.replace("name: desk", f'name: "{HOSTILE_NAME}"')
            .replace("  - name: web\n", f'  - name: "{HOSTILE_NAME}"\n')
            + "  - {name: other, agents: 1, capacity: 2, queues: [support]}\n")
    text = text.replace("channels:\n", "channels:\n  - {name: \"$\\\\bar$\", type: "
                        "enhanced_web_chat, queue: support, arrivals: {rate: 10/h}}\n")
    path = desk(tmp_path, text)
    for command in ("run", "compare"):
        code, out, err = run_main([command, path, "-r", "2", "--out", tmp_path / command],
                                  capsys)
        assert code == 0, err
        assert "x [/x] [bold]$\\foo$ \\x1bred" not in out  # escapes are shown, not sent
        assert "\x1b" not in out + err and "\x07" not in out + err
        assert "x [/x] [bold]$\\foo$ \\x1b[31mred\\x1b]0;title\\x07" in out
        assert list((tmp_path / command).glob("*.png"))


@pytest.mark.slow
def test_markup_in_sweep_values_and_title(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK.replace("name: desk", 'name: "$\\\\foo$ [/x]"'))
    code, out, err = run_main(["sweep", path, "-r", "2", "--grid", "name=a[/x],b$\\foo$",
                               "--out", tmp_path / "sweep"], capsys)
    assert code == 0, err
    assert "a[/x]" in out and "b$\\foo$" in out
    assert (tmp_path / "sweep" / "sweep.png").is_file()


def test_user_text_helpers() -> None:
    assert printable("a\x1b[31mb\x9bc\u202ed\ne") == "a\\x1b[31mb\\x9bc\\u202ed\\x0ae"
    assert printable("tab\tkept", one_line=False) == "tab\tkept"
    assert chart_text("$\\foo$") == "\\$\\foo\\$"
    figure = Figure()
    figure.suptitle(chart_text("$\\foo$ $x^$ \x1b"))
    figure.savefig(io.BytesIO(), format="png")  # would raise on mathtext


# --------------------------------------------------------------- 8: arrival CSV paths
def csv_desk(tmp_path: Path, name: str) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    return desk(tmp_path, DESK.replace("{rate: 20/h}", f"{{csv: '{name}', repeat: true}}"))


@pytest.mark.parametrize("name", ["/etc/passwd", "../../../../../../../../etc/passwd",
                                  "data/../../outside.csv"])
def test_csv_outside_the_folder_is_refused(tmp_path: Path, capsys, name: str) -> None:
    folder = tmp_path / "scenario"
    folder.mkdir()
    (tmp_path / "outside.csv").write_text("volume\n1\n", encoding="utf-8")
    path = csv_desk(folder, name)
    [line] = error_lines(["validate", path], capsys)
    assert line.startswith(f"{path}: channels[0].arrivals.csv: ")
    assert "is outside the scenario's folder" in line and "--allow-outside-paths" in line
    assert "x:0:0" not in line


def test_csv_symlink_out_of_the_folder(tmp_path: Path, capsys) -> None:
    (tmp_path / "secret.csv").write_text("volume\n1\n", encoding="utf-8")
    folder = tmp_path / "scenario"
    folder.mkdir()
    path = csv_desk(folder, "data/link.csv")
    (folder / "data" / "link.csv").symlink_to(tmp_path / "secret.csv")
    [line] = error_lines(["validate", path], capsys)
    assert "is outside the scenario's folder" in line
    code, _, err = run_main(["validate", "--allow-outside-paths", path], capsys)
    assert code == 0, err


@pytest.mark.slow
def test_outside_paths_allowed_by_the_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "shared.csv").write_text("volume\n1\n", encoding="utf-8")
    folder = tmp_path / "scenario"
    folder.mkdir()
    path = csv_desk(folder, str(tmp_path / "shared.csv"))
    error_lines(["validate", path], capsys)
    monkeypatch.setenv("CCSIM_ALLOW_OUTSIDE_PATHS", "1")
    code, _, err = run_main(["run", path, "-q", "-r", "1", "--out", tmp_path / "out"], capsys)
    assert code == 0, err


def test_csv_content_is_never_echoed(tmp_path: Path, capsys) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "v.csv").write_text("root:x:0:0,secret\nhunter2,1\n", encoding="utf-8")
    path = csv_desk(tmp_path, "data/v.csv")
    [line] = error_lines(["validate", path], capsys)
    assert "has 2 columns, none named volume" in line
    assert "x:0:0" not in line and "secret" not in line
    (tmp_path / "data" / "v.csv").write_text("volume\nhunter2\n", encoding="utf-8")
    [line] = error_lines(["validate", path], capsys)
    assert "v.csv:2: the value in column volume is not valid" in line
    assert "hunter2" not in line


@pytest.mark.slow
def test_csv_fifo_does_not_hang(tmp_path: Path) -> None:
    path = csv_desk(tmp_path, "data/pipe.csv")
    os.mkfifo(tmp_path / "data" / "pipe.csv")
    result = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert "is a FIFO (named pipe), not a regular file" in result.stderr


@pytest.mark.slow
def test_fifo_scenario_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    result = ccsim("validate", "pipe.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("pipe.yaml: (file): is a FIFO (named pipe), not a regular "
                                     "file; expected a YAML scenario file")


def test_csv_device_is_refused(tmp_path: Path, capsys) -> None:
    path = csv_desk(tmp_path, "/dev/zero")
    [line] = error_lines(["validate", "--allow-outside-paths", path], capsys)
    assert "/dev/zero is a character device, not a regular file" in line
    [line] = error_lines(["validate", "/dev/zero"], capsys)
    assert line.startswith("/dev/zero: (file): is a character device")


def test_csv_size_is_capped(tmp_path: Path, capsys, monkeypatch) -> None:
    import sim.scenario.yaml_input as yaml_input

    monkeypatch.setattr(yaml_input, "MAX_FILE_BYTES", 1000)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "big.csv").write_text("volume\n" + "1\n" * 1000, encoding="utf-8")
    [line] = error_lines(["validate", csv_desk(tmp_path, "data/big.csv")], capsys)
    assert "data/big.csv is 2007 bytes, larger than the 1000 bytes allowed" in line


# --------------------------------------------------------------- 9: silently accepted
@pytest.mark.parametrize("command", ["validate", "run", "compare", "sweep", "staff"])
def test_duplicate_keys(tmp_path: Path, capsys, command: str) -> None:
    path = desk(tmp_path, DESK.replace("agents: 3,", "agents: 3, agents: 5,"))
    extra = {"sweep": ["--grid", "seed=1,2"], "staff": ["--target", "80/60s"]}.get(command, [])
    [line] = error_lines([command, path, *extra], capsys)
    assert line.startswith(f"{path}: agent_groups[0].agents: line 12, column ")
    assert "duplicate key 'agents'" in line and "give each key once" in line


def test_duplicate_top_level_key(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK + "horizon: 3h\n")
    [line] = error_lines(["validate", path], capsys)
    assert line == (f"{path}: horizon: line 13, column 1: duplicate key 'horizon' (first at "
                    "line 2, column 1); give each key once")


@pytest.mark.parametrize(("find", "replace", "key"), [
    ("agents: 3", "agents: true", "agent_groups[0].agents"),
    ("agents: 3", "agents: 1, staffing: [1, false, 2, 3]", "agent_groups[0].staffing[1]"),
    ("capacity: 2", "capacity: true", "agent_groups[0].capacity"),
])
def test_booleans_are_not_numbers(tmp_path: Path, capsys, find: str, replace: str,
                                  key: str) -> None:
    path = desk(tmp_path, DESK.replace(find, replace))
    [line] = error_lines(["validate", path], capsys)
    assert line.startswith(f"{path}: {key}: found ") and "true and false are not numbers" in line


def test_arrival_times_past_the_horizon_are_warned(tmp_path: Path, capsys) -> None:
    path = desk(tmp_path, DESK.replace("{rate: 20/h}", "{times: [60, 7200, 9000, 1e9]}"))
    code, out, err = run_main(["validate", path], capsys)
    assert code == 0, err
    assert err.strip() == (f"{path}: warning: channels[0].arrivals.times: 3 of 4 times are at "
                           "or after the horizon (2h) and are dropped; lengthen horizon or "
                           "remove them")
