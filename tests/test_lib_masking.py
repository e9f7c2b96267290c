"""Small-cell masking inside the organisation (socle.lib.measurement.masking): primary cells under 5, and
secondary suppression so that no masked cell can be worked out from the total and the cells shown."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from socle.lib.measurement.masking import masked_cells


def test_no_small_cell_masks_nothing() -> None:
    assert masked_cells({"f": 12, "h": 5, "": 0}) == frozenset()


def test_one_small_cell_takes_the_smallest_other_cell_with_it() -> None:
    assert masked_cells({"f": 40, "h": 3, "a": 9, "dk": 12}) == {"h", "a"}


def test_two_small_cells_that_add_up_to_less_than_five_take_a_third() -> None:
    assert masked_cells({"f": 40, "h": 1, "a": 2, "dk": 30}) == {"h", "a", "dk"}


def test_two_small_cells_that_add_up_to_five_or_more_are_enough() -> None:
    assert masked_cells({"f": 40, "h": 3, "a": 4}) == {"h", "a"}


def test_empty_cells_are_never_masked_nor_used_as_complements() -> None:
    assert masked_cells({"f": 20, "h": 2, "a": 0}) == {"h", "f"}


@settings(max_examples=300, derandomize=True)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(min_value=0, max_value=40), max_size=8))
def test_no_masked_cell_can_be_worked_out_from_the_total(cells: dict[str, int]) -> None:
    masked = masked_cells(cells)
    present = {k for k, n in cells.items() if n > 0}
    assert masked <= present
    assert {k for k in present if cells[k] < 5} <= masked  # every small cell is hidden
    if masked and masked != present:
        # total minus the cells shown is the sum of two or more hidden cells, themselves not a small group
        assert len(masked) >= 2
        assert sum(cells[k] for k in masked) >= 5
