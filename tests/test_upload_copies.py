"""Issue 13: Streamlit deep-copies every widget's value on every run of the page; a deep copy
of an upload must not copy its bytes (186 MB more at every click while a 186 MB file was in
the uploader: the server's peak)."""

from __future__ import annotations

import copy
import pickle
import tracemalloc

from streamlit.proto.Common_pb2 import FileURLs
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.typing import UploadedFile

import ui.imports  # noqa: F401  (registers how an upload is copied)


def _upload(data: bytes) -> UploadedFile:
    return UploadedFile(UploadedFileRec("f1", "events.csv", "text/csv", data),
                        FileURLs(file_id="f1", upload_url="/up", delete_url="/del"))


def test_a_deep_copy_of_an_upload_shares_its_bytes_and_allocates_none():
    data = b"event_id_cnty,event_date\n" + b"x" * 20_000_000
    f = _upload(data)
    f.read(7)
    tracemalloc.start()
    try:
        copied = copy.deepcopy([f])[0]  # what Streamlit does with the uploader's value
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"a deep copy allocated {peak:,} bytes for a {len(data):,}-byte upload"
    assert copied is not f and copied.getvalue() is data
    assert (copied.name, copied.type, copied.size, copied.file_id, copied.tell()) == ("events.csv", "text/csv",
                                                                                     len(data), "f1", 7)
    assert copied._file_urls.delete_url == "/del"


def test_the_copy_is_still_independent_of_the_original():
    f = _upload(b"abcdef")
    copied = copy.deepcopy(f)
    copied.seek(0)
    copied.write(b"Z")
    assert (f.getvalue(), copied.getvalue()) == (b"abcdef", b"Zbcdef")
    assert f.tell() == 0 and f.read() == b"abcdef"
    again = pickle.loads(pickle.dumps(f))
    assert again.getvalue() == b"abcdef" and again.name == "events.csv"
