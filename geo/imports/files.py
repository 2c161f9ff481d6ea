"""Reading a file named at start-up (``--events FILE``) safely.

:func:`read_events_file` opens only regular files, checks the size before
reading, reads in chunks with a deadline, and never blocks on a FIFO or a
device: ``/dev/zero``, a FIFO, a directory or a missing file each give one
clear :class:`~geo.problems.DataProblem` instead of a hang, a crash or
unbounded memory.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path

from geo.imports.importer import DEFAULT_MAX_BYTES
from geo.problems import DataProblem

__all__ = ["read_events_file", "READ_TIMEOUT_S"]

#: Longest a start-up file may take to read.
READ_TIMEOUT_S = 30.0
_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_events_file(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES,
                     timeout_s: float = READ_TIMEOUT_S) -> bytes | DataProblem:
    """Read a start-up events file, or say why it cannot be read.

    Parameters
    ----------
    path : str or path-like
        The file.
    max_bytes : int, default 200 MiB
        Larger files are refused before anything is read.
    timeout_s : float, default 30
        Reading longer than this is abandoned.

    Returns
    -------
    bytes or DataProblem
        The content, or a problem naming the path.

    Examples
    --------
    >>> str(read_events_file("/dev/zero"))
    '/dev/zero: cannot be imported: it is a character device, not a regular file (give the path of a CSV or GeoJSON file)'
    >>> str(read_events_file("/no/such/file.csv"))
    '/no/such/file.csv: cannot be imported: file not found'
    """
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        return DataProblem(name, "cannot be imported: file not found")
    except IsADirectoryError:
        return DataProblem(name, "cannot be imported: it is a directory, not a file")
    except PermissionError:
        return DataProblem(name, "cannot be imported: permission denied")
    except OSError as exc:
        return DataProblem(name, f"cannot be imported: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        for test, kind in _KINDS:
            if test(info.st_mode):
                return DataProblem(name, f"cannot be imported: it is {kind}, not a regular file "
                                         "(give the path of a CSV or GeoJSON file)")
        if not stat.S_ISREG(info.st_mode):
            return DataProblem(name, "cannot be imported: not a regular file")
        if info.st_size > max_bytes:
            return DataProblem(name, f"cannot be imported: it is {info.st_size / 2**20:.1f} MB, over the limit "
                                     f"of {max_bytes / 2**20:g} MB")
        deadline = time.monotonic() + timeout_s
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                return DataProblem(name, f"cannot be imported: reading took longer than {timeout_s:g} s")
            try:
                chunk = os.read(fd, _CHUNK)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                return DataProblem(name, f"cannot be read: {exc.strerror or exc}")
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:  # the file grew while it was read
                return DataProblem(name, f"cannot be imported: it is over the limit of {max_bytes / 2**20:g} MB")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def display_name(path: str | os.PathLike) -> str:
    """The file name shown in the events' ``origin`` (the path's last part)."""
    return Path(path).name or str(path)
