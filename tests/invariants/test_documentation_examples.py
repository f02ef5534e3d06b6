"""Every example in the README and docs/ runs, as SimPy runs every example of its docs.

- every ```python block is executed, in order, from the project folder;
- every ```yaml block that is a whole scenario (it has a ``horizon``) loads as one;
- every ``ccsim`` command of a ```bash block is accepted by the command's own parser, the
  bundled files it names exist, and ``ccsim validate`` commands are run;
- every relative link points at a file that exists, and at a heading of it when it names one.
"""

from __future__ import annotations

import glob
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cli.main import build_parser, main
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its page, first line number, language and text."""

    page: Path
    line: int
    language: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    found: list[Block] = []
    language: str | None = None
    start = 0
    body: list[str] = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        fence = FENCE.match(line.strip())
        if language is None and fence:
            language, start, body = fence.group(1), number + 1, []
        elif language is not None and line.strip() == "```":
            found.append(Block(page, start, language, "\n".join(body) + "\n"))
            language = None
        elif language is not None:
            body.append(line)
    assert language is None, f"{page.name}: a code block opened at line {start} is not closed"
    return found


def all_blocks(language: str) -> list[Block]:
    return [block for page in PAGES for block in blocks(page) if block.language == language]


def prose(page: Path) -> str:
    """The page without its code blocks (headings and links there are code, not markdown)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    kept, inside = [], False
    for line in lines:
        if FENCE.match(line.strip()) or (inside and line.strip() == "```"):
            inside = not inside
            continue
        if not inside:
            kept.append(line)
    return "\n".join(kept)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(match) for match in re.findall(r"^#+ (.+)$", prose(page), re.MULTILINE)}


def test_the_pages_hold_examples_of_each_kind() -> None:
    assert len(all_blocks("python")) >= 3
    assert len(all_blocks("yaml")) >= 2
    assert len(all_blocks("bash")) >= 6


@pytest.mark.slow  # the Python API's examples replicate, compare, sweep and staff
@pytest.mark.parametrize("block", all_blocks("python"), ids=lambda block: block.where)
def test_python_example_runs(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block.text, block.where, "exec"), {"__name__": "doc_example"})


@pytest.mark.parametrize(
    "block", [b for b in all_blocks("yaml") if re.search(r"^horizon:", b.text, re.MULTILINE)],
    ids=lambda block: block.where)
def test_yaml_scenario_example_loads(block: Block, tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(block.text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.channels and scenario.agent_groups


def ccsim_commands() -> list[tuple[str, list[str]]]:
    """Every ``ccsim`` command of the bash blocks, as (where, arguments after ``ccsim``)."""
    commands = []
    for block in all_blocks("bash"):
        text = block.text.replace("\\\n", " ")
        for offset, line in enumerate(text.splitlines()):
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if words and Path(words[0]).name == "ccsim":
                    commands.append((f"{block.where}+{offset}", words[1:]))
    return commands


@pytest.mark.parametrize("where,words", ccsim_commands(), ids=[c[0] for c in ccsim_commands()])
def test_ccsim_example_parses_and_names_bundled_files(where: str, words: list[str]) -> None:
    parser = build_parser()
    try:
        parser.parse_args(words)
    except SystemExit as stop:  # argparse's way to refuse
        pytest.fail(f"{where}: ccsim {' '.join(words)} is refused by the parser ({stop})")
    for word in words:
        if word.startswith(("scenarios/", "examples/")):
            assert glob.glob(str(ROOT / word)), f"{where}: {word} does not exist"


def test_ccsim_validate_examples_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    validations = [words for _, words in ccsim_commands() if words[:1] == ["validate"]]
    assert validations, "the docs show ccsim validate"
    for words in validations:
        files = [name for word in words[1:] for name in sorted(glob.glob(word))]
        assert main(["validate", *files]) == 0


def links() -> list[tuple[Path, str]]:
    found = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", prose(page)):
            if not re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                found.append((page, target))
    return found


@pytest.mark.parametrize("page,target", links(),
                         ids=[f"{p.relative_to(ROOT)}->{t}" for p, t in links()])
def test_relative_link_points_at_a_file_and_heading(page: Path, target: str) -> None:
    path_text, _, heading = target.partition("#")
    path = (page.parent / path_text).resolve() if path_text else page
    assert path.exists(), f"{page.relative_to(ROOT)}: link {target}: no such file"
    if heading and path.suffix == ".md":
        assert heading in anchors(path), f"{page.relative_to(ROOT)}: link {target}: no heading"


def test_the_layout_names_every_module() -> None:
    layout = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    modules = sorted(path.name for path in (ROOT / "sim").glob("*/*.py")
                     if path.name != "__init__.py")
    assert [name for name in modules if f"`{name}`" not in layout] == []


def test_every_file_path_the_docs_name_exists() -> None:
    pages = [*PAGES, ROOT / "benchmarks" / "README.md"]
    named = {path for page in pages for path in re.findall(
        r"(?<![\w/.])((?:sim|tests|benchmarks|scenarios|notebooks)/[\w/]+\.(?:py|yaml|md))",
        page.read_text(encoding="utf-8"))}
    assert len(named) > 20
    assert sorted(path for path in named if not (ROOT / path).exists()) == []
