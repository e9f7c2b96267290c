"""Small-cell masking inside the organisation that collected the data (METHODS.md §4, last point).

Staff see their own results with small n flagged, and **breakdowns under 5 respondents masked**
(``estimate.MIN_CELL``). Masking one cell of a breakdown is not enough when the total is shown beside it: the
masked cell would be the total minus the cells shown. So, as the INSEE manual on protecting tables does for
margins, when a breakdown has cells to mask, enough other cells are masked with them (the smallest first) that
the masked cells together hold at least ``MIN_CELL`` respondents, or none at all (**secondary suppression**).
Then the difference "total - cells shown" is the sum of at least two masked cells, which together are not a
small cell: no masked value can be rebuilt, and no group under the threshold can be read by subtraction.

A breakdown is one margin (its values add up to the total: facts keep ``""`` for "not answered"), so one pass
per breakdown is enough. Sector publication (issue 6) has its own, stricter rules (11 respondents,
3 establishments, dominance); this module is for an organisation's own pages only.
"""

from __future__ import annotations

from collections.abc import Mapping

from .estimate import MIN_CELL

__all__ = ["masked_cells"]


def masked_cells(cells: Mapping[str, int], *, minimum: int = MIN_CELL) -> frozenset[str]:
    """The cells of one breakdown to mask, given each cell's respondents (``n``; cells with none are left out
    of the table and never masked).

    Primary: every cell with ``0 < n < minimum``. Secondary: while the masked cells are not empty and hold fewer
    than ``minimum`` respondents together, or a single cell is masked, the smallest cell shown is masked too (ties
    by name, so that the choice is stable).
    """
    present = {name: n for name, n in cells.items() if n > 0}
    masked = {name for name, n in present.items() if n < minimum}
    if not masked:
        return frozenset()
    shown = sorted((n, name) for name, n in present.items() if name not in masked)
    while shown and (len(masked) < 2 or sum(present[name] for name in masked) < minimum):
        _n, name = shown.pop(0)
        masked.add(name)
    return frozenset(masked)
