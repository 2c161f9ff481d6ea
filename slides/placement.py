"""Label placement without overlaps: the first free position of each label, in priority order.

A greedy scheme, as map labelling engines use for point labels (after Imhof's
positions around a point): each label has a few candidate boxes, tried in order;
the first that lies inside the frame and overlaps no box placed before it (and no
obstacle such as a marker or the legend) is taken, and a label with no free
candidate is left out. Boxes are in pixels: ``(x0, y0, x1, y1)`` with
``x0 <= x1`` and ``y0 <= y1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["Box", "overlaps", "inside", "first_free", "fewest_covered", "place_all", "CANDIDATE_OFFSETS"]

Box = tuple[float, float, float, float]

#: Candidate positions of a point label, best first, as (dx, dy, horizontal, vertical) with
#: dx, dy in units of the marker's clearance: right, left, above, below, then the diagonals.
CANDIDATE_OFFSETS: tuple[tuple[int, int, str, str], ...] = (
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (1, 1, "left", "bottom"),
    (-1, 1, "right", "bottom"),
    (1, -1, "left", "top"),
    (-1, -1, "right", "top"),
)


def overlaps(a: Box, b: Box, pad: float = 0.0) -> bool:
    """Whether two boxes overlap, or come closer than ``pad`` pixels.

    Examples
    --------
    >>> overlaps((0, 0, 10, 10), (5, 5, 15, 15))
    True
    >>> overlaps((0, 0, 10, 10), (10, 0, 20, 10))  # touching edges do not overlap
    False
    >>> overlaps((0, 0, 10, 10), (12, 0, 20, 10), pad=3)
    True
    """
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def inside(box: Box, frame: Box) -> bool:
    """Whether ``box`` lies wholly inside ``frame``.

    >>> inside((1, 1, 5, 5), (0, 0, 10, 10)), inside((8, 1, 12, 5), (0, 0, 10, 10))
    (True, False)
    """
    return frame[0] <= box[0] and frame[1] <= box[1] and box[2] <= frame[2] and box[3] <= frame[3]


def first_free(candidates: Sequence[Box], placed: Iterable[Box], frame: Box | None = None,
               pad: float = 0.0) -> int | None:
    """The index of the first candidate inside ``frame`` that overlaps none of ``placed``.

    Parameters
    ----------
    candidates : boxes of one label, best first.
    placed : boxes already taken (labels placed before, markers, the legend).
    frame : the box every label must lie in (the map), or None.
    pad : minimum gap in pixels between the label and a taken box.

    Returns
    -------
    int or None
        None when every candidate collides: the label is left out.

    Examples
    --------
    >>> taken = [(0, 0, 10, 10)]
    >>> first_free([(5, 0, 15, 10), (20, 0, 30, 10)], taken)
    1
    >>> first_free([(5, 0, 15, 10)], taken) is None
    True
    """
    placed = list(placed)
    for i, box in enumerate(candidates):
        if frame is not None and not inside(box, frame):
            continue
        if not any(overlaps(box, other, pad) for other in placed):
            return i
    return None


def fewest_covered(candidates: Sequence[Box], placed: Iterable[Box], soft: Sequence[Box],
                   frame: Box | None = None, pad: float = 0.0) -> int | None:
    """The candidate clear of ``placed`` (and inside ``frame``) that covers the fewest ``soft`` boxes.

    For a label that must not overlap other labels but may, if nothing else is
    free, cover a few event markers: the first candidate covering none is
    taken, else the one covering fewest (the earlier on a tie).

    Examples
    --------
    >>> markers = [(0, 0, 4, 4), (20, 0, 24, 4), (22, 0, 26, 4)]
    >>> fewest_covered([(18, 0, 30, 4), (0, 0, 10, 4)], [], markers)
    1
    >>> fewest_covered([(0, 0, 10, 4)], [(5, 0, 6, 4)], markers) is None
    True
    """
    placed = list(placed)
    best, best_count = None, None
    for i, box in enumerate(candidates):
        if frame is not None and not inside(box, frame):
            continue
        if any(overlaps(box, other, pad) for other in placed):
            continue
        count = sum(overlaps(box, other, pad) for other in soft)
        if count == 0:
            return i
        if best_count is None or count < best_count:
            best, best_count = i, count
    return best


def place_all(labels: Sequence[Sequence[Box]], obstacles: Iterable[Box] = (), frame: Box | None = None,
              pad: float = 0.0) -> list[int | None]:
    """Place labels in order (highest priority first): each takes its first free candidate.

    Returns, per label, the index of the candidate taken or None (left out).
    No two placed labels overlap, and none overlaps an obstacle.

    Examples
    --------
    Two labels wanting the same spot: the second moves to its next candidate,
    a third with no other candidate is left out.

    >>> spot, beside = (0, 0, 50, 10), (0, 20, 50, 30)
    >>> place_all([[spot], [spot, beside], [spot]])
    [0, 1, None]
    """
    taken = list(obstacles)
    out: list[int | None] = []
    for candidates in labels:
        i = first_free(candidates, taken, frame, pad)
        out.append(i)
        if i is not None:
            taken.append(candidates[i])
    return out
