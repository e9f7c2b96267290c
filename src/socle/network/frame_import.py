"""Importing a network's frame: every establishment of its fields, participating or not, from a file.

``import_frame_file`` is the one entry point of the command and the page: it reads and checks the file with
``socle.lib.frame`` and, when every row is valid, writes it with ``import_frame``, which upserts organisations
by SIREN and establishments by FINESS in one transaction and a fixed number of queries, whatever the number of
rows. Importing the same file again changes nothing.

What the file leaves empty never erases what is known: an empty number, SIREN or e-mail keeps the value in the
database. Establishments that are in the database but not in the file are left as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from socle.audit.models import record
from socle.lib.frame import FrameFileError, FrameRecord, RowError, read_frame
from socle.network.models import Establishment, EstablishmentType, Field, Network, Organisation

__all__ = [
    "FrameFileError",
    "FrameImportOutcome",
    "FrameImportResult",
    "accepted_types",
    "import_frame",
    "import_frame_file",
]

SLUG_MAX_LENGTH = 80


@dataclass(frozen=True)
class FrameImportResult:
    establishments_created: int = 0
    establishments_updated: int = 0
    establishments_unchanged: int = 0
    organisations_created: int = 0
    organisations_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class FrameImportOutcome:
    """What ``import_frame_file`` did: the errors (nothing imported), or the counts of what was written.

    With ``dry_run`` nothing is written either, and ``result`` holds what the import would have done.
    """

    filename: str
    rows: int
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    result: FrameImportResult | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def accepted_types(network: Network) -> dict[str, dict[str, list[str]]]:
    """``{field_code: {type_code: [French label, English label]}}`` for every field of the network."""
    types: dict[str, dict[str, list[str]]] = {field.code: {} for field in network.fields.all()}
    for type_ in EstablishmentType.objects.filter(field__networks=network).select_related("field"):
        types.setdefault(type_.field.code, {})[type_.code] = [
            label for label in (type_.name_fr, type_.name_en) if label
        ]
    return types


def import_frame_file(
    *, network: Network, filename: str, content: bytes, acting_user: Any, dry_run: bool = False
) -> FrameImportOutcome:
    """Reads, checks and (unless ``dry_run`` or any error) imports a frame file.

    Raises ``FrameFileError`` when the file cannot be read at all (unsupported type, damaged workbook…).
    """
    fields = list(network.fields.all())
    validation = read_frame(
        filename,
        content,
        accepted_types=accepted_types(network),
        field_codes=[f.code for f in fields],
        field_labels={f.code: [label for label in (f.name_fr, f.name_en) if label] for f in fields},
    )
    if not validation.ok:
        return FrameImportOutcome(filename, validation.rows, dry_run, errors=validation.errors)
    with transaction.atomic():
        result = import_frame(network=network, records=validation.records, acting_user=acting_user, filename=filename)
        if dry_run:
            # The import ran to count what it would do; nothing of it is kept, not even the audit row.
            transaction.set_rollback(True)
    return FrameImportOutcome(filename, validation.rows, dry_run, result=result)


def import_frame(
    *, network: Network, records: Sequence[FrameRecord], acting_user: Any, filename: str = ""
) -> FrameImportResult:
    """Upserts organisations by (network, SIREN) and establishments by (network, FINESS), then audits.

    The records come from ``socle.lib.frame`` and must be valid (unique FINESS, known field and type codes).
    """
    with transaction.atomic(), _whole_batches():
        # Two imports of the same network's frame wait for each other instead of racing on new rows.
        Network.objects.select_for_update().filter(pk=network.pk).first()
        organisations_created, organisations_updated, by_siren = _upsert_organisations(network, records)
        created, updated, unchanged = _upsert_establishments(network, records, by_siren)
        result = FrameImportResult(
            establishments_created=created,
            establishments_updated=updated,
            establishments_unchanged=unchanged,
            organisations_created=organisations_created,
            organisations_updated=organisations_updated,
        )
        record("frame.imported", actor=acting_user, network=network, target=filename, **result.as_dict())
    return result


@dataclass
class _OrganisationInFile:
    name: str
    contact_email: str = ""
    participates: bool = False


def _upsert_organisations(network: Network, records: Sequence[FrameRecord]) -> tuple[int, int, dict[str, Organisation]]:
    in_file: dict[str, _OrganisationInFile] = {}
    for row in records:
        if not row.siren:
            continue
        wanted = in_file.setdefault(row.siren, _OrganisationInFile(row.organisation_name))
        wanted.contact_email = wanted.contact_email or row.contact_email
        wanted.participates = wanted.participates or row.participates

    by_siren = {o.siren: o for o in Organisation.objects.filter(network=network)}
    now = timezone.now()
    to_update: list[Organisation] = []
    changed: set[str] = set()
    to_create: list[Organisation] = []
    for siren, wanted in in_file.items():
        organisation = by_siren.get(siren)
        if organisation is None:
            to_create.append(
                Organisation(
                    network=network,
                    siren=siren,
                    name=wanted.name,
                    contact_email=wanted.contact_email,
                    is_member=wanted.participates,
                )
            )
            continue
        values: dict[str, Any] = {"name": wanted.name}
        if wanted.contact_email:
            values["contact_email"] = wanted.contact_email
        if wanted.participates:
            values["is_member"] = True
        if _apply(organisation, values, changed):
            to_update.append(organisation)

    if to_create:
        _give_slugs(to_create)
        Organisation.objects.bulk_create(to_create)
        if any(o.pk is None for o in to_create):  # databases that cannot return the new keys
            created = Organisation.objects.filter(network=network, siren__in=[o.siren for o in to_create])
            to_create = list(created)
        by_siren.update((o.siren, o) for o in to_create)
    _save_changes(Organisation, to_update, changed, now)
    return len(to_create), len(to_update), by_siren


def _give_slugs(organisations: list[Organisation]) -> None:
    """A slug from each name, unique among all organisations (of every network), with -2, -3… on a clash."""
    taken = set(Organisation.objects.values_list("slug", flat=True))
    for organisation in organisations:
        base = slugify(organisation.name)[:SLUG_MAX_LENGTH].strip("-") or "organisation"
        slug, number = base, 1
        while slug in taken:
            number += 1
            suffix = f"-{number}"
            slug = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        taken.add(slug)
        organisation.slug = slug


def _upsert_establishments(
    network: Network, records: Sequence[FrameRecord], by_siren: dict[str, Organisation]
) -> tuple[int, int, int]:
    fields = {f.code: f for f in Field.objects.filter(networks=network)}
    types = {(t.field_id, t.code): t for t in EstablishmentType.objects.filter(field__in=list(fields.values()))}
    existing = {e.finess: e for e in Establishment.objects.filter(network=network)}
    now = timezone.now()
    to_create: list[Establishment] = []
    to_update: list[Establishment] = []
    changed: set[str] = set()
    unchanged = 0
    for row in records:
        field_ = fields[row.field_code]
        values: dict[str, Any] = {
            "field_id": field_.pk,
            "type_id": types[(field_.pk, row.type_code)].pk,
            "name": row.name,
            "departement": row.departement,
            "region": row.region,
            "participates": row.participates,
        }
        # What the file leaves empty keeps what is known.
        if row.siren:
            values["organisation_id"] = by_siren[row.siren].pk
        for name in ("places", "people_supported", "employees"):
            if getattr(row, name) is not None:
                values[name] = getattr(row, name)
        establishment = existing.get(row.finess)
        if establishment is None:
            to_create.append(Establishment(network=network, finess=row.finess, **values))
        elif _apply(establishment, values, changed):
            to_update.append(establishment)
        else:
            unchanged += 1
    if to_create:
        Establishment.objects.bulk_create(to_create)
    _save_changes(Establishment, to_update, changed, now)
    return len(to_create), len(to_update), unchanged


def _apply(instance: Model, values: dict[str, Any], changed: set[str]) -> bool:
    """Sets the values that differ on ``instance``, adds their names to ``changed``; True if any did."""
    differing = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in differing:
        setattr(instance, name, values[name])
    changed.update(differing)
    return bool(differing)


def _save_changes(model: type[Model], instances: list[Any], changed: set[str], now: datetime) -> None:
    """Two queries whatever the number of rows: the changed columns, then ``updated_at``.

    ``bulk_update`` writes one ``CASE WHEN id = … THEN …`` per column, which the database evaluates for every
    row: its cost grows with the square of the rows, times the columns. Only the columns that changed in some
    row are written; ``updated_at``, the same for every row, is set by a plain UPDATE.
    """
    if not instances:
        return
    model._default_manager.bulk_update(instances, sorted(changed))
    model._default_manager.filter(pk__in=[i.pk for i in instances]).update(updated_at=now)


@contextmanager
def _whole_batches() -> Iterator[None]:
    """On SQLite, lets bulk writes use the parameter limit the library reports rather than 999.

    Django assumes SQLite's historical limit of 999 parameters per statement and splits bulk writes into
    batches of a few dozen rows; SQLite 3.32 and later allow 32,766 and say so. With the real limit, a frame
    of a couple of thousand establishments is written in one statement per table, so the number of queries
    does not grow with the file. PostgreSQL has no such limit in Django.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    features = connection.features
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    had_own = "max_query_params" in vars(features)
    previous = features.max_query_params
    features.max_query_params = limit
    try:
        yield
    finally:
        if had_own:
            features.max_query_params = previous
        else:
            del features.max_query_params
