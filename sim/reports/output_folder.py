"""An output folder written whole: staged beside ``--out``, swapped in at once, under a lock.

Every ``ccsim`` command that writes reports does it through :class:`ReportFolder`::

    with ReportFolder(out, owned=RUN_FILES) as folder:   # lock taken, stale temps removed
        ...                                             # run (minutes)
        folder.hold_interrupts()                        # Ctrl-C no longer loses results
        written = folder.commit(write_report_files(..., folder.path))

- **Staging.** Files are written into ``<parent>/.<name>.tmp-<pid>-<random>``, a folder
  beside ``out`` (same file system), never into ``out`` itself.
- **Swap.** :meth:`ReportFolder.commit` puts the staged folder in place of ``out``. On Linux
  this is one atomic ``renameat2(RENAME_EXCHANGE)``: a reader sees the whole old set or the
  whole new set, nothing in between. Elsewhere (or on a file system without it) the old
  folder is renamed aside (``.<name>.old-<pid>-<random>``) and the new one renamed in: for
  that instant ``out`` does not exist, but it never mixes two runs; a crash exactly there is
  repaired by the next run (the set aside folder is put back). The old folder is then removed.
- **What is kept.** The new folder holds this command's files and, carried over from the old
  folder, every file that is not this command's (``owned``), such as another command's
  reports written there with the same ``--out``, or a note of the user's. A
  folder holding a sub-folder is refused, so a mistaken ``--out`` never deletes one.
- **Lock.** ``<parent>/.<name>.lock`` is held (``flock``, non-blocking) from the start of
  the run to the swap: a second run into the same folder is refused at once
  (:class:`OutputFolderBusy`, an OSError). The lock file itself stays (a dotfile).
- **Crashes.** A process killed while writing leaves its staging folder; the next run into
  the same parent removes it (it holds the lock, so no other run is using it).
- **Ctrl-C.** After :meth:`ReportFolder.hold_interrupts`, a first Ctrl-C only sets
  :attr:`ReportFolder.interrupted` (the reports are finished and swapped in); a second one
  abandons them, leaving the old folder as it was.

The swap is atomic against the process being killed, not against power loss (nothing is
fsynced).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

TEMP_MARK = ".tmp-"
ASIDE_MARK = ".old-"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutputFolderBusy(OSError):
    """Another run holds the output folder's lock."""


def default_out_dir(scenario: Path, suffix: str = "") -> Path:
    """The default ``--out``: ``out/<scenario file stem><suffix>``, always inside ``out/``.

    A stem that is empty, ``.``/``..`` or starts with dots (``...yaml`` has the stem ``..``)
    would climb out of ``out/`` or hide the folder: leading dots and blanks are dropped, and
    a stem with nothing left becomes ``scenario``.
    """
    stem = scenario.stem.strip().lstrip(".").strip() or "scenario"
    return Path("out") / f"{stem}{suffix}"


class ReportFolder:
    """The output folder ``out``, written whole (see the module docstring).

    Args:
        out: the folder the reports go to (``--out``).
        owned: file names this command writes; old files with these names are replaced
            (dropped when not written this time), every other file is carried over.

    Attributes:
        path: the staging folder to write into (set on entering).
        interrupted: a Ctrl-C came after :meth:`hold_interrupts`.
    """

    def __init__(self, out: str | Path, owned: Collection[str] = ()) -> None:
        self.out = Path(out)
        self.owned = frozenset(owned)
        self.interrupted = False
        self._staging: Path | None = None
        self._target = Path()
        self._lock_fd: int | None = None
        self._committed = False
        self._swapping = False
        self._notice: Callable[[], None] | None = None
        self._previous_handler: Any = None
        self._holding = False

    # ------------------------------------------------------------------------- lifecycle
    def __enter__(self) -> ReportFolder:
        target = Path(os.path.realpath(self.out))
        if target.parent == target:
            raise OSError(f"cannot write reports to {self.out}: it is a file system root")
        cwd = Path(os.path.realpath(Path.cwd()))
        if cwd == target or target in cwd.parents:
            raise OSError(f"cannot write reports to {self.out}: it is (or holds) the current "
                          "folder, which ccsim would replace; choose another --out")
        self._target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and not target.is_dir():
                raise NotADirectoryError(20, "Not a directory")
        except OSError as error:
            raise OSError(f"cannot create output directory {self.out}: "
                          f"{error.strerror or error}") from None
        self._lock()
        try:
            self._check_replaceable()
            self._clean_stale()
            self._staging = target.parent / f".{target.name}{TEMP_MARK}{os.getpid()}-" \
                f"{uuid.uuid4().hex[:8]}"
            try:
                self._staging.mkdir()
            except OSError as error:
                raise OSError(f"cannot write to output directory {self.out}: "
                              f"{error.strerror or error}") from None
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._staging is not None and self._staging.exists():
                # Not committed (an error, a second Ctrl-C): the old folder stays as it was.
                # Committed: this is the old folder, now replaced.
                shutil.rmtree(self._staging, ignore_errors=True)
        finally:
            self._restore_interrupts()
            self._unlock()

    @property
    def path(self) -> Path:
        """The staging folder to write the reports into (inside the ``with`` block)."""
        if self._staging is None:
            raise RuntimeError("ReportFolder.path is only available inside its with block")
        return self._staging

    # ------------------------------------------------------------------------------ commit
    def commit(self, written: Iterable[Path]) -> list[Path]:
        """Swap the staged folder in place of ``out``.

        Args:
            written: the files written into :attr:`path` (for the returned list).

        Returns:
            The same files under ``out`` (as given, not resolved).

        Raises:
            OSError: if the folder cannot be swapped in (the old one is then untouched).
        """
        if self._committed:
            raise RuntimeError("the report folder is already committed")
        staged = [Path(path).relative_to(self.path) for path in written]
        target = self._target
        self._check_replaceable()
        if target.is_dir():
            self._carry_over(target)
        self._swapping = True
        try:
            if target.is_dir():
                if not _exchange(self.path, target):
                    aside = target.parent / f".{target.name}{ASIDE_MARK}{os.getpid()}-" \
                        f"{uuid.uuid4().hex[:8]}"
                    os.rename(target, aside)
                    try:
                        os.rename(self.path, target)
                    except BaseException:
                        os.rename(aside, target)
                        raise
                    os.rename(aside, self.path)  # removed on exit, like an exchanged folder
            else:
                os.rename(self.path, target)
            self._committed = True
        finally:
            self._swapping = False
        return [self.out / name for name in staged]

    # ------------------------------------------------------------------------ interrupts
    def hold_interrupts(self, notice: Callable[[], None] | None = None) -> None:
        """From now to the end of the ``with`` block, a first Ctrl-C does not stop writing.

        It sets :attr:`interrupted` and calls ``notice`` (default: a line on stderr saying
        the reports are being finished); a second one raises
        KeyboardInterrupt (abandoning the new reports) unless the swap is under way.
        Only in the main thread (signal handlers live there); elsewhere nothing changes.
        """
        if self._holding or threading.current_thread() is not threading.main_thread():
            return
        self._notice = notice or _finishing_notice
        self._previous_handler = signal.signal(signal.SIGINT, self._on_interrupt)
        self._holding = True

    def _on_interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self.interrupted and not self._swapping:
            raise KeyboardInterrupt
        if not self.interrupted:
            self.interrupted = True
            if self._notice is not None:
                self._notice()

    def _restore_interrupts(self) -> None:
        if self._holding:
            signal.signal(signal.SIGINT, self._previous_handler)
            self._holding = False

    # ----------------------------------------------------------------------------- helpers
    def _lock(self) -> None:
        lock = self._target.parent / f".{self._target.name}.lock"
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OSError(f"cannot write to output directory {self.out}: "
                          f"{error.strerror or error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = _read_pid(fd)
            os.close(fd)
            raise OutputFolderBusy(
                f"another ccsim run{f' (pid {owner})' if owner else ''} is writing to "
                f"{self.out}; wait for it to finish or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _check_replaceable(self) -> None:
        """Refuse an ``out`` holding sub-folders: replacing it would delete them."""
        if not self._target.is_dir():
            return
        for entry in os.scandir(self._target):
            if entry.is_dir(follow_symlinks=False):
                raise OSError(f"cannot write reports to {self.out}: it holds a folder "
                              f"({entry.name}) that ccsim did not write; choose a new folder "
                              "or a ccsim report folder for --out")

    def _clean_stale(self) -> None:
        """Remove staging and set-aside folders left by killed runs (this run holds the lock).

        If ``out`` itself is missing but a set-aside folder exists (a run killed between the
        two renames of a non-atomic swap), that folder is put back first.
        """
        parent, name = self._target.parent, self._target.name
        siblings = [parent / entry for entry in os.listdir(parent)]
        asides = sorted((path for path in siblings
                         if path.name.startswith(f".{name}{ASIDE_MARK}")), key=_mtime,
                        reverse=True)
        if asides and not os.path.lexists(self._target):
            os.rename(asides.pop(0), self._target)
        temps = [path for path in siblings if path.name.startswith(f".{name}{TEMP_MARK}")]
        for stale in [*temps, *asides]:
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)

    def _carry_over(self, old: Path) -> None:
        """Link (or copy) into the staging folder the old files that are not this command's."""
        for entry in os.scandir(old):
            name = entry.name
            if (name in self.owned or name == ".ccsim-write-test"
                    or (name.startswith(".") and name.endswith(".tmp"))):
                continue  # replaced by this command, or a leftover of an older ccsim
            destination = self.path / name
            if os.path.lexists(destination):
                continue
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), destination)
                continue
            try:
                os.link(entry.path, destination)
            except OSError:
                shutil.copy2(entry.path, destination)


def _finishing_notice() -> None:
    print("ccsim: interrupted; finishing the reports (Ctrl-C again to abandon them)",
          file=sys.stderr, flush=True)


def _exchange(new: Path, old: Path) -> bool:
    """Atomically exchange two folders (Linux ``renameat2``); False when not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(old),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: no exchange on this system
        return False
    raise OSError(error, f"cannot swap the new reports into {old}: {os.strerror(error)}")


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
