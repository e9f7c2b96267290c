"""The SQL of the immutability triggers (the triggers themselves are tried on both databases by the tests of
submissions, framework versions and activity reports)."""

from __future__ import annotations

import pytest

from socle.lib.immutable import ImmutableRows

ROWS = ImmutableRows("t", "t_immutable", "t_refuse", ("a", "values"), "a row cannot be changed", "OLD.s = 'p'")


def test_every_guarded_column_is_compared_quoted_on_both_databases() -> None:
    (sqlite,) = ROWS.create_sql("sqlite")
    assert 'NEW."values" IS NOT OLD."values"' in sqlite and "WHEN OLD.s = 'p' AND (" in sqlite
    function, trigger = ROWS.create_sql("postgresql")
    assert "RAISE EXCEPTION 'a row cannot be changed'" in function
    assert 'NEW."a" IS DISTINCT FROM OLD."a"' in trigger and "EXECUTE FUNCTION t_refuse()" in trigger
    assert ROWS.drop_sql("postgresql") == [
        "DROP TRIGGER IF EXISTS t_immutable ON t",
        "DROP FUNCTION IF EXISTS t_refuse()",
    ]


def test_an_unknown_database_or_a_quote_in_the_message_is_refused() -> None:
    with pytest.raises(RuntimeError, match="SQLite and PostgreSQL"):
        ROWS.create_sql("mysql")
    with pytest.raises(ValueError, match="no quote"):
        ImmutableRows("t", "x", "y", ("a",), "it's").create_sql("sqlite")
