"""The page's imports: files given at start-up (``--events FILE``) and uploads.

* :func:`startup_imports` reads each start-up file safely
  (:func:`geo.imports.files.read_events_file`: regular files only, size-capped,
  with a timeout) once per file version; :func:`show_startup_problems` puts a
  file that could not be used on the main page, where every viewer sees it.
* :func:`current_uploads` is called first thing in a run: it imports the files
  newly in the uploader and drops the imports of files that were removed (and
  so everything the page derived from them, which is keyed by the imports it
  was built from), before the page derives its date span from them.
* :func:`import_panel` is the sidebar's "Import your events": upload, the
  result of each file (shown literally), the day/month choice when a file's
  dates are ambiguous, and the rejected rows for download.

A session keeps at most :data:`MAX_FILES` imported files and
:data:`MAX_SESSION_BYTES` of imported tables; a file over that is refused
with a message until another is removed.

Streamlit deep-copies every widget's value on every run of the page, and a deep
copy of an upload copied its bytes: 186 MB more for a moment, on every click,
while a 186 MB file was in the uploader (issue 13's peak). This module registers
how an upload is copied (:func:`copyreg.pickle`, the standard registry that
:func:`copy.deepcopy` reads): a new file object on the same bytes, which are
immutable, so nothing of the copy's independence is lost.
"""

from __future__ import annotations

import copyreg
import ctypes
import gc
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.typing import UploadedFile

from geo.check_events import empty_events
from geo.imports import ImportResult, import_events
from geo.imports.files import display_name, read_events_file
from geo.problems import DataProblem
from geo.window import in_index_order
from layers.format import plural
from ui.notices import literal

__all__ = ["startup_imports", "show_startup_problems", "current_uploads", "import_panel", "retained_bytes",
           "report_memory", "clamp_window", "MAX_FILES", "MAX_SESSION_BYTES"]

#: Most imported files one session keeps.
MAX_FILES = 8
#: Most memory the imported tables of one session may take.
MAX_SESSION_BYTES = 600 * 2**20
_ORDERS = {"dmy": "day/month (14/07/2023)", "mdy": "month/day (7/14/2023)"}


def _new_upload(record: UploadedFileRec, file_urls, position: int) -> UploadedFile:
    f = UploadedFile(record, file_urls)  # a BytesIO shares the bytes it starts with
    f.seek(position)
    return f


def _reduce_upload(f: UploadedFile):
    """How :func:`copy.deepcopy` (and pickle) rebuild an upload: from its bytes object itself
    (``getvalue`` of an unwritten BytesIO is the bytes it was given), not a copy of them."""
    return _new_upload, (UploadedFileRec(f.file_id, f.name, f.type, f.getvalue()), f._file_urls, f.tell())


copyreg.pickle(UploadedFile, _reduce_upload)


@dataclass
class _Upload:
    """One upload's import, as the session keeps it."""

    result: ImportResult
    order: str | None
    size: int


def _frame_bytes(frame: pd.DataFrame) -> int:
    try:
        return int(frame.memory_usage(deep=True, index=False).sum())
    except Exception:  # noqa: BLE001 - a size estimate must never break the page
        return 0


def result_bytes(result: ImportResult) -> int:
    """Memory an import result keeps (its events and rejected rows)."""
    return _frame_bytes(result.events) + _frame_bytes(result.rejected)


# --- start-up files ---------------------------------------------------------------------


def _file_signature(path: str) -> tuple:
    """What identifies a version of ``path`` without reading it (a FIFO or a device is not opened)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return ("error", exc.errno)
    return (stat.S_IFMT(info.st_mode), info.st_ino, info.st_size, info.st_mtime_ns)


@st.cache_resource(show_spinner="Importing events…", max_entries=4)
def _startup_import(path: str, signature: tuple) -> ImportResult:
    """Events given with ``--events FILE`` (read once per file version, for every viewer)."""
    data = read_events_file(path)
    if isinstance(data, DataProblem):
        return ImportResult(events=empty_events(), fatal=data, name=path, token=f"file:{path}:{signature}")
    result = import_events(display_name(path), data)
    del data
    result.events = in_index_order(result.events)
    result.token = f"file:{path}:{signature}"
    return result


def startup_imports(paths: Iterable[str]) -> list[ImportResult]:
    """The import result of each start-up file."""
    return [_startup_import(str(p), _file_signature(str(p))) for p in paths]


def show_startup_problems(results: list[ImportResult]) -> None:
    """On the main page: each start-up file that could not be used, and why (shown literally)."""
    for res in results:
        if res.fatal is not None:
            st.error(literal(f"Events file given at start-up not imported: {res.fatal}"))


# --- uploads ----------------------------------------------------------------------------


def release_memory() -> None:
    """Give memory freed by a large import or a removal back to the system: Python's
    collector, Arrow's memory pool and glibc's heap keep freed memory for reuse, so the
    server's size would otherwise stay at its peak."""
    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _store() -> dict[str, _Upload]:
    ss = st.session_state
    if "upload_store" not in ss:
        ss.upload_store = {}
    return ss.upload_store


def current_uploads() -> list[ImportResult]:
    """The imports of the files now in the uploader; those of removed files are dropped.

    Call it before anything is derived from the imports in a run: the page's memos are
    keyed by the imports they were built from, so dropping an import drops them too.
    """
    store = _store()
    # Session State holds the uploader's value as deserialized: a file this server process does
    # not have (the page came back from another process, which stopped) is a placeholder with
    # only its id (Streamlit's DeletedFile). Its events are gone; the browser names it (_on_lost).
    files = [f for f in st.session_state.get("uploads") or () if hasattr(f, "name") and hasattr(f, "getvalue")]
    present = {f.file_id for f in files}
    removed = [k for k in store if k not in present]
    for file_id in removed:
        del store[file_id]
        st.session_state.pop(f"order:{file_id}", None)
    slot = st.sidebar.empty()  # in every run, so the sidebar's elements keep their places
    for f in files:  # new files (and files whose day/month order was just chosen) are imported now,
        chosen = st.session_state.get(f"order:{f.file_id}")  # before the page derives its span from them
        known = store.get(f.file_id)
        if known is None or known.order != chosen:
            _import_upload(f, chosen, store, slot)
            removed.append(f.file_id)
    if removed:  # freed once the run has dropped what it derived from them (report_memory)
        st.session_state["_release_memory"] = True
    return [store[f.file_id].result for f in files if f.file_id in store]


def _import_upload(f, order: str | None, store: dict[str, _Upload], slot) -> None:
    kept = sum(u.size for k, u in store.items() if k != f.file_id)
    imported = sum(1 for k, u in store.items() if k != f.file_id and u.result.fatal is None)
    if imported >= MAX_FILES:
        result = ImportResult(events=empty_events(), name=f.name, fatal=DataProblem(
            f.name, f"not imported: this session already keeps {MAX_FILES} files; remove one first"))
        store[f.file_id] = _Upload(result, order, 0)
        return
    bar = slot.progress(0.0, text=literal(f"Importing {f.name}…"))
    result = import_events(f.name, f.getvalue(), progress=lambda x: bar.progress(min(max(x, 0.0), 1.0)),
                           date_order=order)
    bar.empty()
    release_memory()  # the import's garbage, before its table is put in order
    result.events = in_index_order(result.events)  # the page's index then shares its text
    result.token = f"upload:{f.file_id}:{order}"
    size = result_bytes(result)
    if kept + size > MAX_SESSION_BYTES:
        result = ImportResult(events=empty_events(), name=f.name, fatal=DataProblem(
            f.name, f"not imported: its {size / 2**20:.0f} MB of events with the {kept / 2**20:.0f} MB this "
                    f"session keeps would be over {MAX_SESSION_BYTES / 2**20:.0f} MB; remove a file first"))
        size = 0
    store[f.file_id] = _Upload(result, order, size)


def _show_result(res: ImportResult, key: str) -> None:
    if res.fatal is not None:
        st.error(literal(str(res.fatal)))
        return
    st.success(literal(f"{res.name}: {res.summary}"))
    if res.readings:
        st.caption(literal(" ".join(res.readings)))
    if res.problems:
        shown = "\n".join(str(p) for p in res.problems[:5])
        more = f"\n… and {len(res.problems) - 5:,} more" if len(res.problems) > 5 else ""
        st.caption(literal(shown + more))
    if len(res.rejected):
        st.download_button("Download rejected rows", res.rejected_csv, file_name=f"rejected-{res.name}.csv",
                           mime="text/csv", key=f"rejected:{key}")


def import_panel(startup: list[ImportResult]) -> list[ImportResult]:
    """Upload your own events; every import result of this session (start-up files and uploads)."""
    store = _store()
    with st.sidebar.expander("Import your events", expanded=False):
        files = st.file_uploader("ACLED or UCDP CSV, or GeoJSON points", type=["csv", "json", "geojson"],
                                 accept_multiple_files=True, key="uploads") or []
        for i, res in enumerate(startup):
            _show_result(res, f"startup:{i}")
        for f in files:
            upload = store.get(f.file_id)
            if upload is None:
                continue
            _show_result(upload.result, f.file_id)
            if upload.result.needs_date_order or upload.order is not None:
                st.radio(literal(f"Dates like 03/04/2023 in {f.name} are"), list(_ORDERS), index=None,
                         format_func=_ORDERS.get, key=f"order:{f.file_id}", horizontal=True)
        st.session_state["_memory_slot"] = st.empty()  # filled by report_memory() when the run ends
    return [*startup, *(store[f.file_id].result for f in files if f.file_id in store)]


# --- memory -----------------------------------------------------------------------------


def retained_bytes() -> int:
    """Memory held by this session's tables: imports and everything the page derived and
    memoised in Session State (event index, window, table rows, timeline dots)."""
    seen: set[int] = set()
    total = 0

    def visit(value, depth: int = 0) -> None:
        nonlocal total
        if id(value) in seen or depth > 4 or value is None:
            return
        seen.add(id(value))
        if isinstance(value, pd.DataFrame):
            total += _frame_bytes(value)
        elif isinstance(value, ImportResult):
            visit(value.events, depth + 1)
            visit(value.rejected, depth + 1)
        elif isinstance(value, _Upload):
            visit(value.result, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item, depth + 1)
        elif hasattr(value, "table") and isinstance(value.table, pd.DataFrame):
            visit(value.table, depth + 1)

    for key in list(st.session_state.keys()):
        visit(st.session_state[key])
    return total


def report_memory() -> None:
    """At the end of a run: give back the memory of imports removed or replaced in it, and
    show what this session keeps under the import panel (after every memo of the run was
    refreshed, so a removed file's tables no longer count)."""
    if st.session_state.pop("_release_memory", False):
        release_memory()
    slot = st.session_state.pop("_memory_slot", None)
    if slot is None:
        return
    store = _store()
    n = sum(len(u.result.events) for u in store.values())
    slot.caption(f"Kept for this session: {plural(len(store), 'file')}, {plural(n, 'imported event')}; "
                 f"tables held: {retained_bytes() / 2**20:.2f} MB.")


def clamp_window(span, initial: dict) -> None:
    """Keep the date window inside ``span`` (after an import that widened it is removed):
    the slider's value, and its first value (``initial["window"]``, from the URL)."""
    ss = st.session_state
    lo, hi = span
    for holder, key in ((ss, "window"), (initial, "window")):
        window = holder.get(key) if hasattr(holder, "get") else None
        if window is None:
            continue
        start, end = (min(max(d, lo), hi) for d in window)
        if (start, end) != tuple(window):
            holder[key] = (start, end)
