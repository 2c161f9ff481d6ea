"""From an upload's bytes to text: size, file type, encoding, delimiter.

:func:`decode` checks what can be checked before parsing (the size, that it is
not an image or an archive, the encoding) and says how it read the bytes;
:func:`sniff_delimiter` picks the CSV delimiter from the header line.

Encodings read: UTF-8 (with or without a byte order mark), UTF-16 and UTF-32
with a byte order mark, and UTF-16 without one (recognised by its zero bytes,
as Excel's "Unicode text" writes it). Anything else that is not UTF-8
(cp1252, Latin-1 …) is refused with the position of the first bad byte: a
guess would silently change names.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass, field

from geo.problems import DataProblem

__all__ = ["Decoded", "decode", "sniff_delimiter", "text_stream"]

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one; save the sheet as CSV)"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office document (save the sheet as CSV)"),
    (b"7z\xbc\xaf", "a 7-Zip archive (unpack it first)"),
    (b"Rar!", "a RAR archive (unpack it first)"),
    (b"SQLite format 3", "an SQLite database"),
)
#: Byte order marks, longest first (UTF-32 LE's starts like UTF-16 LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (little-endian, with a byte order mark)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (big-endian, with a byte order mark)"),
    (codecs.BOM_UTF8, "utf-8", ""),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian, with a byte order mark)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian, with a byte order mark)"),
)
_CHUNK = 1 << 20


@dataclass
class Decoded:
    """How the bytes are read.

    Attributes
    ----------
    data : bytes or str
        The bytes after the byte order mark (UTF-8), or the decoded text
        (other encodings: they are decoded whole once).
    encoding : str
        Python codec name.
    readings : list of str
        What the user should know about how the file was read.
    """

    data: bytes | str
    encoding: str = "utf-8"
    readings: list[str] = field(default_factory=list)

    def head(self, n: int = 4096) -> str:
        """The first characters, for format detection and the delimiter."""
        if isinstance(self.data, str):
            return self.data[:n]
        return self.data[: n * 4].decode("utf-8", errors="ignore")[:n]


def text_stream(decoded: Decoded) -> io.TextIOBase:
    """The text as a stream of lines (decoded as it is read: no second copy of a UTF-8 file)."""
    if isinstance(decoded.data, str):
        return io.StringIO(decoded.data, newline="")
    return io.TextIOWrapper(io.BytesIO(decoded.data), encoding="utf-8", newline="")


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``head`` looks like mostly-ASCII UTF-16 text
    (zero bytes in every other position), else None. UTF-32 has three zero bytes in four."""
    sample = head[: len(head) - len(head) % 4]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _utf32_without_bom(head: bytes) -> str | None:
    sample = head[: len(head) - len(head) % 4]
    if len(sample) < 8:
        return None
    quads = [sample[i::4] for i in range(4)]
    zeros = [q.count(0) / len(q) for q in quads]
    # Characters below U+10000 have two zero bytes (the high ones), most text a third.
    if zeros[2] > 0.95 and zeros[3] > 0.95 and zeros[1] > 0.5 and zeros[0] < 0.2:
        return "utf-32-le"
    if zeros[0] > 0.95 and zeros[1] > 0.95 and zeros[2] > 0.5 and zeros[3] < 0.2:
        return "utf-32-be"
    return None


def _check_utf8(name: str, data: bytes) -> DataProblem | None:
    """Validate UTF-8 chunk by chunk (no decoded copy of the whole file is kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        try:
            decoder.decode(chunk, final=start + _CHUNK >= len(data))
        except UnicodeDecodeError:
            try:  # the failing path only: decode whole for the exact position
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                pos = exc.start
                bad = data[pos:pos + 1]
                line = data.count(b"\n", 0, pos) + 1
                return DataProblem(
                    name,
                    f"is not UTF-8 text (byte 0x{bad.hex()} at position {pos}, line {line}); "
                    "save it as UTF-8 (e.g. 'CSV UTF-8' in Excel)",
                )
    return None


def decode(name: str, data: bytes, max_bytes: int) -> Decoded | DataProblem:
    """Check size, file type and encoding.

    Parameters
    ----------
    name : str
        The file's name, for messages.
    data : bytes
        Its content.
    max_bytes : int
        Larger files are refused.

    Returns
    -------
    Decoded or DataProblem
        How to read the text, or why the file cannot be used.

    Examples
    --------
    >>> decode("a.csv", "id\\n1\\n".encode("utf-16-le"), 100).readings
    ['Read as UTF-16 (little-endian, no byte order mark).']
    >>> str(decode("a.csv", b"\\x89PNG...", 100))
    'a.csv: is not a CSV or JSON file: it looks like a PNG image'
    """
    size = len(data)
    if size > max_bytes:
        return DataProblem(
            name,
            f"is {size / 2**20:.1f} MB, over the upload limit of {max_bytes / 2**20:g} MB "
            "(split it into smaller files)",
        )
    head = data[:8192]
    if size == 0 or not head.strip() and not data.strip():
        return DataProblem(name, "is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return DataProblem(name, f"is not a CSV or JSON file: it looks like {what}")
    encoding, reading, body = "", "", data
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            encoding, reading, body = codec, label, data[len(bom):]
            break
    if not encoding:
        guess = _utf32_without_bom(head)
        if guess:
            encoding, reading = guess, f"UTF-32 ({guess[-2:]}-endian, no byte order mark)".replace(
                "le-endian", "little-endian").replace("be-endian", "big-endian")
        elif (guess := _utf16_without_bom(head)) is not None:
            encoding = guess
            reading = "UTF-16 (little-endian, no byte order mark)" if guess.endswith("le") \
                else "UTF-16 (big-endian, no byte order mark)"
        else:
            encoding = "utf-8"
    if encoding == "utf-8":
        if b"\x00" in body[:8192]:
            return DataProblem(name, "is not a CSV or JSON file: it holds binary data (NUL bytes)")
        problem = _check_utf8(name, body)
        if problem is not None:
            return problem
        if not body.strip():
            return DataProblem(name, "is empty")
        return Decoded(body, "utf-8", [])
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        return DataProblem(name, f"is not valid {reading.split(' (')[0]} text (at byte {exc.start}); "
                                 "save it as UTF-8 (e.g. 'CSV UTF-8' in Excel)")
    if "\x00" in text[:8192]:
        return DataProblem(name, "is not a CSV or JSON file: it holds binary data (NUL characters)")
    text = text.lstrip("\ufeff")
    if not text.strip():
        return DataProblem(name, "is empty")
    return Decoded(text, encoding, [f"Read as {reading}."])


def sniff_delimiter(first_line: str) -> str:
    """``,`` unless the header line has none and has ``;``, a tab or ``|``.

    Examples
    --------
    >>> sniff_delimiter("event_id_cnty;event_date;latitude"), sniff_delimiter("a,b;c")
    (';', ',')
    """
    if "," not in first_line:
        for delim in (";", "\t", "|"):
            if delim in first_line:
                return delim
    return ","
