"""The index/CURRENT pointer: read only as the name of a build folder inside builds/, never trusted further."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from qa.errors import IndexCorrupt, IndexNotFound

REBUILD_HINT = "Run `qa ingest --rebuild` to build it again."
MAX_POINTER_BYTES = 256  # CURRENT holds one build name; anything longer is damage, not a name
BUILD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")  # what write_index names builds: no dots, no separators


def current_build(index_dir: Path) -> Path:
    """Return the live build folder, or raise IndexNotFound (no index) or IndexCorrupt (a damaged pointer)."""
    pointer = index_dir / "CURRENT"
    if not os.path.lexists(pointer):
        raise IndexNotFound(f"No index found in {index_dir}. Run `qa ingest` to build one from your corpus.")
    name = _read_pointer(pointer)
    build = index_dir / "builds" / name
    if not build.is_dir() or build.is_symlink():
        raise IndexCorrupt(f"{pointer} names build {name!r}, which is missing. {REBUILD_HINT}")
    return build


def _read_pointer(pointer: Path) -> str:
    """The build name in CURRENT: a plain, short name of a folder inside builds/, or IndexCorrupt.

    Opened without following a link or blocking on a FIFO, and read no further than a name can be long.
    """
    damaged = f"{pointer} is damaged"
    try:
        fd = os.open(pointer, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise IndexCorrupt(f"{damaged} (cannot be read: {exc.strerror or exc}). {REBUILD_HINT}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IndexCorrupt(f"{damaged} (it is not a plain file). {REBUILD_HINT}")
        data = os.read(fd, MAX_POINTER_BYTES + 1)
    except OSError as exc:
        raise IndexCorrupt(f"{damaged} (cannot be read: {exc.strerror or exc}). {REBUILD_HINT}") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_POINTER_BYTES:
        raise IndexCorrupt(f"{damaged} (longer than a build name can be). {REBUILD_HINT}")
    try:
        name = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise IndexCorrupt(f"{damaged} (it holds bytes that are not a build name). {REBUILD_HINT}") from None
    if not BUILD_NAME.fullmatch(name):
        raise IndexCorrupt(f"{damaged} (it holds {name[:60]!r}, which is not a build name). {REBUILD_HINT}")
    return name


def _pointed_build_name(index_dir: Path) -> str | None:
    """The name CURRENT holds, or None when it is missing or damaged."""
    try:
        return _read_pointer(index_dir / "CURRENT")
    except IndexCorrupt:
        return None


def _clear_pointer(pointer: Path) -> None:
    """Remove a CURRENT that os.replace cannot overwrite (a folder put in its place); a file is left to be replaced."""
    if pointer.is_dir() and not pointer.is_symlink():
        shutil.rmtree(pointer)


def _remove_path(path: Path) -> None:
    """Delete a file, link or folder tree if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        path.unlink(missing_ok=True)
