"""Reading untrusted input files: bounded YAML and regular files of a bounded size.

A scenario file (and every file it names) comes from a user and may be hostile. This module
reads it so that nothing a file holds can hang ``ccsim``, exhaust its memory or end in a
traceback:

- :func:`read_input_file` reads regular files only (never a FIFO, a device or a folder),
  opened without blocking, and refuses files larger than a bound;
- :func:`load_yaml` parses YAML with PyYAML's safe loader (on libyaml's C scanner and
  parser where PyYAML has it, with the same bounds), refusing nesting deeper than
  :data:`MAX_DEPTH`, aliases that would expand past :data:`MAX_ALIAS_EXPANSION` values (a
  "billion laughs" file), recursive aliases and duplicate mapping keys (which YAML would
  otherwise resolve silently, the last one winning).

Times are read as YAML 1.2 reads them, as the text written: PyYAML (YAML 1.1) would read
an unquoted ``12:00`` as the base-60 integer 720, ``12:00.5`` as 720.5 and
``2026-03-02 08:00:00`` as a date-time object; here they stay ``"12:00"``,
``"12:00.5"`` and ``"2026-03-02 08:00:00"``, for the schema to read as a clock time or a
date-time, or to refuse where a duration or a number is expected.

Problems are :class:`YamlInputError`, with the key path where it is known (``(file)``
otherwise) and a message that never contains an expanded value or a file's content.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists; a scenario needs fewer than ten levels."""

MAX_ALIASES = 10_000
"""Most alias uses (``*name``) in one YAML document."""

MAX_ALIAS_EXPANSION = 100_000
"""Most values that aliases may add to a document once expanded."""

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest arrival or shrinkage CSV file read (50 MB)."""

MAX_SCENARIO_BYTES = 5 * 1024 * 1024
"""Largest scenario (YAML) file read (5 MB, what loads in seconds; 50 MB took minutes, see
benchmarks/README.md). Arrival volumes of that size belong in an arrival CSV file."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class YamlInputError(ValueError):
    """An input file cannot be read safely; ``key`` is the key path or ``(file)``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


# ----------------------------------------------------------------------------- files
def read_input_file(path: Path, *, what: str, limit: int | None = None) -> bytes:
    """Return the bytes of a regular file of at most ``limit`` bytes.

    The file is opened with ``O_NONBLOCK`` (a FIFO never blocks the open) and checked with
    ``fstat`` on the open descriptor, so a FIFO, a device or a folder is refused before any
    read.

    Args:
        path: The file.
        what: What the file should be, for messages (``a YAML scenario file``).
        limit: The largest size accepted, in bytes (default :data:`MAX_FILE_BYTES`).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: A one-line message (without the path) for anything else.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ValueError(f"cannot open ({_reason(error)}); expected {what}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"is {file_kind(info.st_mode)}, not a regular file; expected {what}")
        if info.st_size > limit:
            raise ValueError(
                f"is {_size(info.st_size)}, larger than the {_size(limit)} allowed; "
                f"expected {what}"
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise ValueError(f"is larger than the {_size(limit)} allowed; expected {what}")
        return b"".join(chunks)
    except OSError as error:
        raise ValueError(f"cannot read ({_reason(error)}); expected {what}") from None
    finally:
        os.close(descriptor)


def _reason(error: OSError) -> str:
    return error.strerror or errno.errorcode.get(error.errno or 0, type(error).__name__)


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, for messages (``a FIFO (named pipe)``)."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count} bytes"


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (symbolic links followed) lies inside ``folder``."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


# ------------------------------------------------------------------------------ YAML
class _Bounds:
    """Bounds nesting and alias uses while composing; YAML 1.2 times; one-line errors.

    A mixin in front of PyYAML's Python ``Composer`` (whose ``compose_node`` calls back
    into this one for every node), over either PyYAML's pure-Python parser or libyaml's.
    """

    _depth: int
    _aliases: int
    paths: dict[int, str | tuple[str, int]]

    def _start_bounds(self) -> None:
        self._depth = 0
        self._aliases = 0
        self.paths = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlInputError(
                    "(file)",
                    f"{_where(event.start_mark)}more than {MAX_ALIASES:,} aliases (*name); "
                    "expected a scenario that repeats a few sections at most",
                )
            node: Node | None = super().compose_node(parent, index)  # type: ignore[misc]
            return node
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlInputError(
                    "(file)",
                    f"{_where(event.start_mark)}nesting deeper than {MAX_DEPTH} levels; "
                    "expected the few levels of keys and lists of a scenario",
                )
            nested: Node | None = super().compose_node(parent, index)  # type: ignore[misc]
            return nested
        finally:
            self._depth -= 1

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """YAML 1.1's implicit tags, but base-60 numbers and timestamps stay text (1.2)."""
        tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
        if kind is ScalarNode and implicit[0] and (
            tag == _TIMESTAMP_TAG or (tag in _NUMBER_TAGS and ":" in value)
        ):
            return _STR_TAG
        return tag

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, OverflowError, TypeError) as error:
            if isinstance(error, YamlInputError):
                raise
            key = _path_text(self.paths.get(id(node), "(file)"))
            raise YamlInputError(
                key,
                f"{_where(node.start_mark)}cannot read the value ({_short(str(error))}); "
                "expected a number, text, a list or a mapping",
            ) from None


class _PureLoader(_Bounds, yaml.SafeLoader):
    """The bounded loader on PyYAML's pure-Python reader, scanner and parser."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start_bounds()


try:
    from yaml._yaml import CParser as _CParser

    HAVE_LIBYAML = True
    """Whether PyYAML was built with libyaml (the fast loader is used)."""
except ImportError:  # PyYAML built without libyaml: the pure-Python loader only
    HAVE_LIBYAML = False

if HAVE_LIBYAML:
    class _LibyamlLoader(_Bounds, Composer, _CParser, SafeConstructor, Resolver):
        """The same bounded loader on libyaml's C scanner and parser.

        The Python composer (with the bounds above) and constructor stay: only reading
        the text into events is libyaml's, which is most of the time on a large file.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_bounds()


def _loader(text: str, *, libyaml: bool = HAVE_LIBYAML) -> Any:
    """The bounded loader for ``text``: libyaml's parser when there, else PyYAML's."""
    return _LibyamlLoader(text) if libyaml else _PureLoader(text)


def load_yaml(text: str, *, libyaml: bool = HAVE_LIBYAML) -> Any:
    """Parse one YAML document safely (see the module); ``None`` for an empty document.

    Args:
        text: The document.
        libyaml: Read it with libyaml's scanner and parser (the default where PyYAML has
            it: about three times faster); the bounds are the same either way.

    Raises:
        YamlInputError: Too deep, too many or too large aliases, a recursive alias, a
            duplicate key, or a value that cannot be constructed.
        yaml.YAMLError: For a YAML syntax error.
    """
    loader = _loader(text, libyaml=libyaml)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, loader.paths)
        return loader.construct_document(node)
    except RecursionError:
        raise YamlInputError(
            "(file)", f"nesting deeper than {MAX_DEPTH} levels; expected the few levels "
            "of keys and lists of a scenario"
        ) from None
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" not in (error.problem or ""):
            raise
        raise YamlInputError(  # libyaml's own bound (1000 levels) met before ours
            "(file)", f"{_where(error.problem_mark)}nesting deeper than {MAX_DEPTH} levels; "
            "expected the few levels of keys and lists of a scenario"
        ) from None
    finally:
        loader.dispose()


def _path_text(entry: str | tuple[str, int]) -> str:
    """A key path recorded by :func:`_check_graph`: text, or (list path, position)."""
    return entry if isinstance(entry, str) else f"{entry[0]}[{entry[1]}]"


def _check_graph(root: Node, paths: dict[int, str | tuple[str, int]]) -> None:
    """Refuse recursive aliases, aliases expanding too far and duplicate keys.

    Walks every distinct node once (an alias is the same node object met again), recording
    each node's first key path in ``paths``; the expanded size is counted with each node's
    size computed once.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    distinct = 0

    def walk(node: Node, path: str) -> int:
        nonlocal distinct
        ident = id(node)
        if ident in on_path:
            raise YamlInputError(
                path or "(top level)",
                f"{_where(node.start_mark)}a recursive alias (a section that contains "
                "itself); expected aliases of finished sections only",
            )
        if ident in sizes:
            return sizes[ident]
        distinct += 1
        paths[ident] = path or "(top level)"
        on_path.add(ident)
        size = 1
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                if type(item) is not ScalarNode:
                    size += walk(item, f"{path}[{index}]")
                    continue
                item_id = id(item)  # a list's scalar, the bulk of a large file: inline
                if item_id not in sizes:
                    distinct += 1
                    sizes[item_id] = 1
                    paths[item_id] = (path, index)  # formatted only for a message
                size += 1
        elif isinstance(node, MappingNode):
            seen: dict[tuple[str, str], str] = {}
            for key_node, value_node in node.value:
                name = _key_name(key_node)
                child = f"{path}.{name}" if path else name
                if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE_TAG:
                    signature = (key_node.tag, key_node.value)
                    if signature in seen:
                        raise YamlInputError(
                            child,
                            f"{_where(key_node.start_mark)}duplicate key {_short(name)!r} "
                            f"(first at {seen[signature]}); give each key once",
                        )
                    seen[signature] = _where(key_node.start_mark).removesuffix(": ")
                size += walk(key_node, child) + walk(value_node, child)
        on_path.discard(ident)
        sizes[ident] = size
        if size - distinct > MAX_ALIAS_EXPANSION:
            raise YamlInputError(
                path or "(top level)",
                f"{_where(node.start_mark)}aliases (*name) expand to more than "
                f"{MAX_ALIAS_EXPANSION:,} values; expected aliases that repeat small sections",
            )
        return size

    walk(root, "")


def _key_name(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return _short(str(node.value))
    return "(a key that is not text)"


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
