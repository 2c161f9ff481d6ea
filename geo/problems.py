"""One type for everything that can be wrong with input data.

Every loader in ``geo/`` reports bad input as :class:`DataProblem` values
instead of raising bare exceptions, so the page can show *which file, which
row, which field, what value, and why* while the rest still loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DataProblem:
    """A problem found in an input file.

    Parameters
    ----------
    file : str
        File name as the user knows it (``"events.toml"``, an upload's name).
    reason : str
        What is wrong, in plain words.
    row : int or str or None
        1-based row/record number (or a step number, or a feature id), if the
        problem is confined to one record.
    field : str or None
        The field/column/property concerned.
    value : Any
        The offending value (shown via ``repr``, truncated).

    Examples
    --------
    >>> str(DataProblem("events.toml", "not a date", row=3, field="event_date", value="2023-13-40"))
    "events.toml, row 3, field 'event_date', value '2023-13-40': not a date"
    """

    file: str
    reason: str
    row: int | str | None = None
    field: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = [self.file] + ([f"row {self.row}"] if self.row is not None else [])
        return ", ".join(where) + (", " if self.field is not None or self.value is not None else ": ") + self.detail()

    def detail(self) -> str:
        """The message without the file and the row (where the row is already shown, as
        the tour editor shows each step's problems under the step)."""
        parts = []
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.value is not None:
            text = repr(self.value)
            if len(text) > 80:
                text = text[:77] + "..."
            parts.append(f"value {text}")
        return ", ".join(parts) + (": " if parts else "") + self.reason


class DataError(ValueError):
    """Raised when a whole file cannot be used; carries its :class:`DataProblem`."""

    def __init__(self, problem: DataProblem):
        super().__init__(str(problem))
        self.problem = problem
