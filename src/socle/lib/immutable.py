"""Database triggers that refuse to change stored rows, whatever path a write takes (SQLite and PostgreSQL).

Received submissions, published framework versions and activity reports never change: the models refuse an update,
and a trigger made from an `ImmutableRows` refuses any UPDATE of the guarded columns (columns left out may still
change, e.g. `entered_by` set to NULL when an account is deleted). Deleting stays possible. Migrations call
`create` and `drop` with their schema editor.

On SQLite, an operation that rebuilds a table (adding a unique constraint, say) drops its triggers: the migration
that does so must call `create` again (see collection migration 0003).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class _Connection(Protocol):
    vendor: str


class SchemaEditor(Protocol):
    connection: _Connection

    def execute(self, sql: str) -> object: ...


@dataclass(frozen=True)
class ImmutableRows:
    table: str
    trigger: str
    function: str  # PostgreSQL's trigger function
    columns: tuple[str, ...]
    message: str
    only_when: str = ""  # a further condition on OLD, e.g. "OLD.status = 'published'"

    def _changed(self, vendor: str) -> str:
        different = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
        changed = " OR ".join(f'NEW."{c}" {different} OLD."{c}"' for c in self.columns)
        return f"{self.only_when} AND ({changed})" if self.only_when else changed

    def create_sql(self, vendor: str) -> list[str]:
        if "'" in self.message:
            raise ValueError("the message is written into SQL: no quote in it")
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER {self.trigger} BEFORE UPDATE ON {self.table} WHEN {self._changed(vendor)} "
                f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END"
            ]
        if vendor == "postgresql":
            return [
                f"CREATE FUNCTION {self.function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{self.message}' USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {self.trigger} BEFORE UPDATE ON {self.table} "
                f"FOR EACH ROW WHEN ({self._changed(vendor)}) EXECUTE FUNCTION {self.function}()",
            ]
        raise RuntimeError(f"no immutability trigger for {vendor}: Socle supports SQLite and PostgreSQL")

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.trigger} ON {self.table}",
                f"DROP FUNCTION IF EXISTS {self.function}()",
            ]
        return [f"DROP TRIGGER IF EXISTS {self.trigger}"]

    def create(self, schema_editor: SchemaEditor) -> None:
        for sql in self.create_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def drop(self, schema_editor: SchemaEditor) -> None:
        for sql in self.drop_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)
