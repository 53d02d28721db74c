"""Ingest, stage 1a: walk the raw folder. Which entries are reports to read, which are not and
why (links leading outside, pipes, hard links shared with outside files, a warehouse's own
folders), and the display path every file goes by (manifest, staging rows, partition keys).
Reads directory entries and stats only, never a report's bytes."""

from __future__ import annotations

import errno
import os
from collections import Counter
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG

from dagster_project.settings import WAREHOUSE_FOLDERS, holds_warehouse


def discover(raw_dir: Path) -> list[Path]:
    """Report files under raw_dir: regular files that can be opened (see `skipped` for what is
    left out and why)."""
    return [path for path, why in _walk(raw_dir) if why is None]


def skipped(raw_dir: Path) -> dict[str, str]:
    """Entries of the raw folder that are not read, with the reason (hidden files aside)."""
    return {display_path(raw_dir, path): why for path, why in _walk(raw_dir) if why}


LINK_LOOP = "symbolic link that cannot be resolved (a loop?): not followed"
LINK_OUTSIDE = "symbolic link leading outside the raw folder: not followed"
LINKED_FOLDER = "linked folder: not followed"
BROKEN_LINK = "broken symbolic link"
NOT_REGULAR = "not a regular file (named pipe, socket or device): not read"
HARD_LINK_OUTSIDE = "hard link shared with a file outside the raw folder: not read"
WAREHOUSE_FOLDER = "folder of a budgetwh warehouse (the output of loads, not reports): not read"
LINK_INTO_WAREHOUSE = "symbolic link into a budgetwh warehouse folder: not followed"
NAME_CLASH = "name is not valid UTF-8 and its escaped form is the name of another file: not read"


def _os_reason(what: str, exc: OSError) -> str:
    """`cannot be read: Permission denied (EACCES)`: the system's words and the error's
    symbolic name, which says the same in every locale."""
    name = errno.errorcode.get(exc.errno) if exc.errno else None
    return f"{what}: {exc.strerror or type(exc).__name__}" + (f" ({name})" if name else "")


def _unreadable(path: Path) -> str | None:
    """Why a regular file cannot be opened for reading, or None. Asking the kernel (not the
    mode bits) gives the true answer for ACLs, root and network file systems alike;
    O_NONBLOCK keeps a file swapped for a pipe since its stat from blocking the walk."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return _os_reason("cannot be read", exc)
    os.close(fd)
    return None


def _walk(raw_dir: Path) -> list[tuple[Path, str | None]]:
    """Every entry under raw_dir with None (a report to read) or why it is not read.

    Nothing outside the raw folder is ever read: a link (or a chain of links) that resolves
    outside it is skipped, linked folders are not descended, and a regular file with hard
    links that are not all inside the raw folder is skipped (its other names, counted by
    (device, inode) over the whole walk, would be fewer than its link count). Named pipes,
    sockets and devices are skipped too: reading a pipe would block the load forever. A
    folder holding a budgetwh warehouse (its lock or staging manifest) is not descended: its
    files are loads' output, and reading them would feed each load the previous one's.

    One entry never stops the walk: an error the system gives for one file or folder
    (permission denied, a path past PATH_MAX, ...) becomes that entry's reason, naming the
    error, and every other file is still read. Hidden files (editor swap files, .DS_Store)
    are ignored silently; hidden folders are only looked into, for hard links, when a
    file's link count is not accounted for otherwise.
    """
    root = raw_dir.resolve()
    entries: list[tuple[Path, str | None]] = []
    names: Counter[tuple[int, int]] = Counter()  # (st_dev, st_ino) -> directory entries seen
    linked: list[tuple[int, tuple[int, int], int]] = []  # (entry index, file id, st_nlink)
    hidden: list[Path] = []
    # the raw folder is itself a warehouse's folder (the CLI refuses that): skip its output
    outputs = WAREHOUSE_FOLDERS if holds_warehouse(raw_dir) else ()

    def visit(folder: Path) -> None:
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError as exc:
            if folder == raw_dir:
                if isinstance(exc, FileNotFoundError):
                    return  # no raw folder: no reports (the CLI says so before it gets here)
                raise  # a raw folder that cannot be listed: no load can be planned from it
            entries.append((folder, _os_reason("folder cannot be listed", exc)))
            return
        for child in children:
            path = Path(child.path)
            if child.name.startswith("."):
                hidden.append(path)
                continue
            try:
                info = path.lstat()
            except OSError as exc:  # e.g. a path longer than PATH_MAX
                entries.append((path, _os_reason("cannot be read", exc)))
                continue
            is_link = S_ISLNK(info.st_mode)
            if is_link:
                why, info = _follow(path, root)
                if why:
                    entries.append((path, why))
                    continue
            if S_ISDIR(info.st_mode):
                if is_link:
                    entries.append((path, LINKED_FOLDER))
                elif (folder == raw_dir and child.name in outputs) or holds_warehouse(path):
                    entries.append((path, WAREHOUSE_FOLDER))
                else:
                    visit(path)
                continue
            if not S_ISREG(info.st_mode):
                entries.append((path, NOT_REGULAR))
                continue
            key = (info.st_dev, info.st_ino)
            if not is_link:
                names[key] += 1
            why = _unreadable(path)
            if why is None and info.st_nlink > 1:
                linked.append((len(entries), key, info.st_nlink))
            entries.append((path, why))

    visit(raw_dir)
    unaccounted = {key for _, key, nlink in linked if names[key] < nlink}
    if unaccounted and hidden:
        _count_hidden(hidden, unaccounted, names)
    for index, key, nlink in linked:
        if names[key] < nlink:
            entries[index] = (entries[index][0], HARD_LINK_OUTSIDE)
    return _without_name_clashes(raw_dir, entries)


def _follow(link: Path, root: Path) -> tuple[str | None, os.stat_result | None]:
    """Why a symbolic link inside the raw folder is not followed, or None and its target's stat."""
    try:
        target = link.resolve()
    except (OSError, RuntimeError):  # a link loop
        return LINK_LOOP, None
    if not target.is_relative_to(root):
        return LINK_OUTSIDE, None
    try:
        info = link.stat()
    except FileNotFoundError:
        return BROKEN_LINK, None
    except OSError as exc:
        return _os_reason("cannot be read", exc), None
    inside = [folder for folder in target.parents if folder.is_relative_to(root) and folder != root]
    if any(holds_warehouse(folder) for folder in inside):
        return LINK_INTO_WAREHOUSE, None
    return None, info


def _count_hidden(hidden: list[Path], wanted: set[tuple[int, int]],
                  names: Counter[tuple[int, int]]) -> None:
    """Add the hard links among hidden entries (a `.backup/` folder) to `names`, for the files
    in `wanted` only: links inside the raw folder, even hidden ones, are not outside it."""
    for top in hidden:
        stack = [top]
        while stack:
            path = stack.pop()
            try:
                info = path.lstat()
                if S_ISDIR(info.st_mode) and not holds_warehouse(path):
                    with os.scandir(path) as listing:
                        stack.extend(Path(child.path) for child in listing)
                elif S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) in wanted:
                    names[(info.st_dev, info.st_ino)] += 1
            except OSError:
                continue  # what cannot be looked into cannot vouch for a link


def _without_name_clashes(raw_dir: Path,
                          entries: list[tuple[Path, str | None]]) -> list[tuple[Path, str | None]]:
    """Entries whose display path another entry has too (only a name that is not UTF-8, shown
    escaped, can clash with a real name) are not read: staging knows files by that path."""
    by_display: dict[str, list[int]] = {}
    for index, (path, _) in enumerate(entries):
        by_display.setdefault(display_path(raw_dir, path), []).append(index)
    for indexes in by_display.values():
        if len(indexes) > 1:
            for index in indexes:
                path = entries[index][0]
                if display_path(raw_dir, path) != _relative(raw_dir, path):
                    entries[index] = (path, NAME_CLASH)
    return entries


def _relative(raw_dir: Path, path: Path) -> str:
    return path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)


def display_path(raw_dir: Path, path: Path) -> str:
    """The name a file goes by everywhere but the file system: manifest, staging rows, partition
    keys, the summary. Always valid UTF-8, because Dagster, Polars and Parquet accept nothing
    else: a name whose bytes are not UTF-8 (Linux allows any bytes but `/` and NUL) shows the
    bytes that are not as `\\xNN` escapes, so `b"\\xff\\xfe.txt"` is `\\xff\\xfe.txt`, as Python's repr
    of the bytes shows it, and the same on every run. The file itself is always read through its real
    Path (Plan.files), never through this name."""
    return os.fsencode(_relative(raw_dir, path)).decode("utf-8", "backslashreplace")
