"""Open data and the public API of published sector figures (``socle.sector.opendata``, ``socle export_opendata``,
``/api/v1/sector/…``, ``/sector/<network>/<code>/opendata.zip``).

The files are checked against their own Data Package by a small checker written here (:func:`package_problems`:
the descriptor's required properties, each CSV's header against its Table Schema, every value against its field's
type, ``required`` and ``enum`` constraints, and the primary key's uniqueness) rather than with the ``frictionless``
package, which would bring about twenty dependencies for what these forty lines check."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from socle.collection import synthetic
from socle.collection.models import SectorCampaign
from socle.lib.sector.disclosure import round_count
from socle.network.models import Network, Organisation
from socle.sector import actions, costs, opendata
from socle.sector.models import Consolidation, ConsolidationStatus, Publication, UnitCost

pytestmark = pytest.mark.django_db

CSV_FILES = ("indicators.csv", "coverage.csv", "definitions.csv", "avoided_costs.csv")


# --- A small checker of Frictionless Data Packages ---------------------------------------------------------------

NAME = re.compile(r"^[a-z0-9._-]+$")


def _cast(value: str, kind: str) -> Any:
    if kind == "string":
        return value
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    if kind == "number":
        if not re.fullmatch(r"-?\d+(\.\d+)?", value):
            raise ValueError(f"{value!r} is not a number")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not finite")
        return number
    if kind == "boolean":
        if value not in ("true", "false"):
            raise ValueError(f"{value!r} is not a boolean")
        return value == "true"
    raise ValueError(f"unknown type {kind!r}")


def package_problems(directory: Path) -> list[str]:
    """What is wrong with the Data Package in ``directory`` (its descriptor and each resource against its Table
    Schema); empty when it is valid."""
    problems: list[str] = []
    descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    for key in ("name", "title", "version", "created", "licenses", "sources", "resources", "profile"):
        if key not in descriptor:
            problems.append(f"descriptor: no {key}")
    if not NAME.match(str(descriptor.get("name", ""))):
        problems.append(f"descriptor: name {descriptor.get('name')!r} is not lower-case letters, digits, -._")
    try:
        datetime.fromisoformat(str(descriptor.get("created", "")).replace("Z", "+00:00"))
    except ValueError:
        problems.append("descriptor: created is not an ISO 8601 date-time")
    for license_ in descriptor.get("licenses", []):
        if not ({"name", "path"} & set(license_)):
            problems.append("descriptor: a licence has neither name nor path")
    names = [r.get("name") for r in descriptor.get("resources", [])]
    if len(names) != len(set(names)):
        problems.append("descriptor: resource names repeat")
    for resource in descriptor.get("resources", []):
        where = f"resource {resource.get('name')!r}"
        if not NAME.match(str(resource.get("name", ""))):
            problems.append(f"{where}: bad name")
        path = directory / str(resource.get("path", ""))
        if not path.is_file():
            problems.append(f"{where}: no file {resource.get('path')!r}")
            continue
        schema = resource.get("schema", {})
        fields = schema.get("fields", [])
        missing = schema.get("missingValues", [""])
        dialect = resource.get("dialect", {})
        text = path.read_bytes().decode(resource.get("encoding", "utf-8"))
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.get("delimiter", ",")))
        header = [f["name"] for f in fields]
        if not rows or rows[0] != header:
            problems.append(f"{where}: header {rows[:1]} is not the schema's fields {header}")
            continue
        keys: Counter[tuple[Any, ...]] = Counter()
        primary = schema.get("primaryKey", [])
        for number, row in enumerate(rows[1:], start=2):
            if len(row) != len(fields):
                problems.append(f"{where} row {number}: {len(row)} values for {len(fields)} fields")
                continue
            typed: dict[str, Any] = {}
            for field, value in zip(fields, row, strict=True):
                constraints = field.get("constraints", {})
                if value in missing:
                    typed[field["name"]] = None
                    if constraints.get("required") or field["name"] in primary:
                        problems.append(f"{where} row {number}: {field['name']} is required")
                    continue
                try:
                    typed[field["name"]] = _cast(value, field.get("type", "string"))
                except ValueError as error:
                    problems.append(f"{where} row {number}: {field['name']}: {error}")
                    continue
                if "enum" in constraints and typed[field["name"]] not in constraints["enum"]:
                    problems.append(f"{where} row {number}: {field['name']} {value!r} not in {constraints['enum']}")
            if primary:
                keys[tuple(typed.get(k) for k in primary)] += 1
        repeated = [k for k, n in keys.items() if n > 1]
        if repeated:
            problems.append(f"{where}: primary key repeated: {repeated[:3]}")
    return problems


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def typed_rows(directory: Path, name: str) -> list[dict[str, Any]]:
    """The rows of a resource, each value cast to its field's type (None when missing)."""
    descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["path"] == name)
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    return [{k: None if v == "" else _cast(v, types[k]) for k, v in row.items()} for row in read_rows(directory / name)]


# --- A synthetic network with published figures ------------------------------------------------------------------


@dataclass
class Published:
    network: Network
    sector_campaign: SectorCampaign
    publication: Publication
    named: str


@pytest.fixture
def published() -> Published:
    """40 establishments, 1,200 people, fewer emergency visits valued at their unit cost: consolidated, reviewed (one
    organisation agrees to be named), published."""
    result = synthetic.build("opendata", establishments=40, people=1200, seed=3)
    costs.load_starting_costs(result.network, acting_user=None)
    actions.save_mapping(
        result.network,
        indicator="i04_no_emergency_visit",
        wave="follow_up",
        baseline_wave="entry",
        unit_cost=UnitCost.objects.get(network=result.network, code="emergency_visit"),
        quantity=Decimal(1),
        description="Un passage aux urgences évité",
        scenarios=costs.DEFAULT_SCENARIOS,
        comparison_group=False,
        acting_user=None,
    )
    sector_campaign = SectorCampaign.objects.get(network=result.network)
    consolidation = actions.open_review(
        actions.consolidate(sector_campaign, acting_user=None), message="", acting_user=None
    )
    organisation = Organisation.objects.get(pk=actions.participants(consolidation)[0])
    actions.review(consolidation, organisation, decision="validated", comment="", named=True, acting_user=None)
    publication = actions.publish(consolidation, acting_user=None)
    return Published(result.network, sector_campaign, publication, organisation.name)


def _export(published: Published, directory: Path, **options: Any) -> str:
    out = io.StringIO()
    call_command(
        "export_opendata",
        network=published.network.slug,
        campaign=published.sector_campaign.code,
        output=str(directory),
        stdout=out,
        **options,
    )
    return out.getvalue()


def _cells(figures: Mapping[str, Any]) -> list[tuple[str, str, str, str, Mapping[str, Any]]]:
    """(code, wave, group kind, group code, cell) of every cell of the figures."""
    out = []
    for indicator in figures["indicators"]:
        for wave in indicator["waves"]:
            out.append((indicator["code"], wave["wave"], "sector", "*", wave["sector"]))
            out += [(indicator["code"], wave["wave"], "region", c["key"], c) for c in wave["by_region"]]
            out += [(indicator["code"], wave["wave"], "type", c["key"], c) for c in wave["by_type"]]
    return out


def test_the_export_writes_a_valid_data_package_of_the_publication(published: Published, tmp_path: Path) -> None:
    directory = tmp_path / "new" / "folder"
    said = _export(published, directory)
    assert "version 1" in said
    assert sorted(p.name for p in directory.iterdir()) == sorted(opendata.FILE_NAMES)
    assert package_problems(directory) == []

    descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["version"] == "1"
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert [r["path"] for r in descriptor["resources"]] == list(CSV_FILES)
    for resource in descriptor["resources"]:
        assert resource["schema"]["missingValues"] == [""]
        assert all(field["description"] for field in resource["schema"]["fields"])
    created = datetime.fromisoformat(descriptor["created"].replace("Z", "+00:00"))
    assert abs((created - published.publication.published_at.astimezone(UTC)).total_seconds()) < 1
    about = descriptor["socle"]
    figures = published.publication.figures
    assert about["version"] == 1
    assert about["named_organisations"] == [published.named]
    assert set(about["statuses"]) == {"ok", "E", "F", "x", "-"}
    assert about["method"]["coverage_rules"] == figures["rules"]["coverage"]
    assert about["method"]["disclosure_rules"]["min_respondents"] == 11
    assert about["method"]["disclosure_rules"]["rounding_base"] == 5
    assert about["representative"] is figures["coverage"]["representative"]
    assert about["representative_label"]["fr"].startswith("non représentatif" if not about["representative"] else "")

    # One row per indicator, wave and group, in the figures' order; definitions of the same indicators.
    rows = typed_rows(directory, "indicators.csv")
    cells = _cells(figures)
    assert [(r["code"], r["wave"], r["group_kind"], r["group_code"]) for r in rows] == [c[:4] for c in cells]
    assert [r["code"] for r in typed_rows(directory, "definitions.csv")] == [i["code"] for i in figures["indicators"]]
    statuses = Counter(r["status"] for r in rows)
    assert statuses["ok"] and statuses["x"] and statuses["F"]  # the world has every case

    for row, (*_key, cell) in zip(rows, cells, strict=True):
        assert row["status"] == cell["status"]
        if row["status"] in ("ok", "E"):
            assert row["value"] == pytest.approx(cell["value"], abs=1e-9)
            assert row["low"] == pytest.approx(cell["low"], abs=1e-9)
            assert row["n_rounded"] == round_count(cell["n"])
            assert row["establishments"] == round_count(cell["establishments"])
        elif row["status"] == "F":
            assert (row["value"], row["low"], row["high"]) == (None, None, None)
            assert row["n_rounded"] == round_count(cell["n"])
        else:  # x (and -): nothing but the status
            assert (row["value"], row["low"], row["high"], row["n_rounded"], row["establishments"]) == (None,) * 5
        for count in (row["n_rounded"], row["establishments"]):
            assert count is None or count % 5 == 0

    coverage = typed_rows(directory, "coverage.csv")
    assert [r["level"] for r in coverage][:1] == ["overall"]
    assert Counter(r["level"] for r in coverage) == {
        "overall": 1,
        "type": len(figures["coverage"]["by_type"]),
        "region": len(figures["coverage"]["by_region"]),
        "stratum": len(figures["coverage"]["strata"]),
    }
    for row in coverage:
        assert row["people"] % 5 == 0 and row["people_covered"] % 5 == 0
    assert coverage[0]["participating"] == figures["coverage"]["overall"]["participating"]

    # Avoided costs: the published range, rounded as the pages show it (people to the person, euros to the euro).
    found = figures["avoided_costs"]
    (row,) = typed_rows(directory, "avoided_costs.csv")
    (item,) = found["items"]
    assert (row["indicator"], row["wave"], row["baseline_wave"]) == ("i04_no_emergency_visit", "follow_up", "entry")
    assert (row["unit_cost_code"], row["label"], row["comparison_group"]) == ("emergency_visit", "illustratif", False)
    assert row["unit_cost"] == pytest.approx(item["unit_cost"]["value"]) and row["price_year"] == found["year"]
    assert [row[k] for k in ("low", "central", "high")] == [round(item[k]) for k in ("low", "central", "high")]
    assert [row[f"outcomes_{k}"] for k in ("low", "central", "high")] == [
        round(item["outcomes"][k]) for k in ("low", "central", "high")
    ]
    assert 0 <= row["low"] <= row["central"] <= row["high"] and row["central"] > 0
    assert about["avoided_costs"]["total"] == {k: round(found["total"][k]) for k in ("low", "central", "high")}
    assert about["avoided_costs"]["scenarios"][0]["scenarios"] == costs.DEFAULT_SCENARIOS


def test_the_csv_files_are_utf8_comma_separated_with_a_header(published: Published, tmp_path: Path) -> None:
    _export(published, tmp_path)
    text = (tmp_path / "indicators.csv").read_bytes().decode("utf-8")
    assert text.splitlines()[0] == ",".join(f.name for f in opendata.INDICATOR_FIELDS)
    assert "Île-de-France" in text or "é" in text  # French labels, not escaped
    assert "e-0" not in text and "e+" not in text  # no exponent in numbers


def test_existing_files_are_replaced_and_others_kept(published: Published, tmp_path: Path) -> None:
    (tmp_path / "indicators.csv").write_text("stale\n")
    (tmp_path / "README.txt").write_text("mine\n")
    _export(published, tmp_path)
    assert (tmp_path / "indicators.csv").read_text(encoding="utf-8").startswith("code,label_fr,")
    assert (tmp_path / "README.txt").read_text() == "mine\n"
    assert not list(tmp_path.glob(".*partial"))


def test_versions_and_drafts(published: Published, tmp_path: Path) -> None:
    """--version picks a published version; a newer consolidation in draft or in review is never exported."""
    second = actions.open_review(
        actions.consolidate(published.sector_campaign, acting_user=None), message="", acting_user=None
    )
    v2 = actions.publish(second, acting_user=None)
    draft = actions.consolidate(published.sector_campaign, acting_user=None)
    # Mark the draft's figures: nothing of them may leave.
    results = dict(draft.results)
    results["indicators"][0]["waves"][0]["sector"]["value"] = 12345.678
    results["indicators"][0]["label"] = {"fr": "BROUILLON", "en": "DRAFT"}
    Consolidation.objects.filter(pk=draft.pk).update(results=results)
    assert Consolidation.objects.get(pk=draft.pk).status == ConsolidationStatus.DRAFT

    _export(published, tmp_path / "latest")
    # As typed on the command line: --version is the publication's.
    call_command(
        "export_opendata",
        *("--network", published.network.slug, "--campaign", published.sector_campaign.code),
        *("-o", str(tmp_path / "first"), "--version", "1"),
        stdout=io.StringIO(),
    )
    latest = json.loads((tmp_path / "latest" / "datapackage.json").read_text(encoding="utf-8"))
    first = json.loads((tmp_path / "first" / "datapackage.json").read_text(encoding="utf-8"))
    assert (latest["version"], first["version"]) == (str(v2.version), "1") == ("2", "1")
    for folder in ("latest", "first"):
        text = "".join((tmp_path / folder / name).read_text(encoding="utf-8") for name in opendata.FILE_NAMES)
        assert "BROUILLON" not in text and "12345.678" not in text

    client = Client()
    base = f"/api/v1/sector/{published.network.slug}/publications/{published.sector_campaign.code}"
    assert client.get(base).json()["version"] == 2
    assert client.get(base, {"version": 1}).json()["version"] == 1
    assert "BROUILLON" not in client.get(base).content.decode()
    listing = client.get(f"/api/v1/sector/{published.network.slug}/publications").json()
    assert listing["campaigns"][0]["latest_version"] == 2
    assert [v["version"] for v in listing["campaigns"][0]["versions"]] == [2, 1]


def test_the_api_and_the_zip_give_the_same_figures_as_the_files(published: Published, tmp_path: Path) -> None:
    _export(published, tmp_path)
    client = Client()  # anonymous: published figures are public
    slug, code = published.network.slug, published.sector_campaign.code
    response = client.get(f"/api/v1/sector/{slug}/publications/{code}")
    assert response.status_code == 200
    data = response.json()

    def blank_as_missing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:  # as missingValues [""] reads a CSV
        return [{k: None if v == "" else v for k, v in row.items()} for row in rows]

    assert blank_as_missing(data["indicators"]) == typed_rows(tmp_path, "indicators.csv")
    assert blank_as_missing(data["coverage"]) == typed_rows(tmp_path, "coverage.csv")
    assert blank_as_missing(data["definitions"]) == typed_rows(tmp_path, "definitions.csv")
    assert blank_as_missing(data["avoided_costs"]["rows"]) == typed_rows(tmp_path, "avoided_costs.csv")
    assert data["avoided_costs"]["rows"] and data["avoided_costs"]["label"] == "illustratif"
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    for key in ("named_organisations", "statuses", "method", "representative", "representative_label", "version"):
        assert data[key] == descriptor["socle"][key], key
    assert {k: v for k, v in data["avoided_costs"].items() if k != "rows"} == descriptor["socle"]["avoided_costs"]
    assert data["license"]["name"] == "etalab-2.0"
    assert all(r["n_rounded"] is None or r["n_rounded"] % 5 == 0 for r in data["indicators"])

    page = client.get(f"/sector/{slug}/{code}/")
    assert page.status_code == 200
    assert f"/sector/{slug}/{code}/v1/opendata.zip" in page.content.decode()
    for url in (f"/sector/{slug}/{code}/opendata.zip", f"/sector/{slug}/{code}/v1/opendata.zip"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert "attachment" in response["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            assert sorted(archive.namelist()) == sorted(opendata.FILE_NAMES)
            for name in opendata.FILE_NAMES:
                assert archive.read(name) == (tmp_path / name).read_bytes(), name


# --- Errors, on the small world of the permission tests ----------------------------------------------------------


@pytest.fixture
def mini(world: Any) -> Any:
    """The permission tests' world: sector campaign mini-2026, version 1 published, a second consolidation in
    review."""
    from tests.test_permissions import _add_frameworks, _add_sector

    _add_frameworks(world)
    _add_sector(world)
    return world


def test_the_command_says_what_is_wrong(mini: Any, tmp_path: Path) -> None:
    slug = mini.network.slug
    cases = [
        ({"network": "nowhere", "campaign": "mini-2026"}, "No network has the slug 'nowhere'"),
        ({"network": slug, "campaign": "nope"}, "no sector campaign with the code 'nope'"),
        ({"network": slug, "campaign": "mini-2026", "publication_version": 7}, "no published version 7; published: 1"),
    ]
    for options, message in cases:
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("export_opendata", output=str(tmp_path / "out"), **options)
    assert not (tmp_path / "out").exists()


def test_a_consolidation_never_published_is_never_exported(mini: Any, tmp_path: Path) -> None:
    """A sector campaign whose figures are in review or in draft only: the command, the API and the zip refuse."""
    Publication.objects.filter(sector_campaign=mini.sector_campaign).delete()
    assert Consolidation.objects.filter(sector_campaign=mini.sector_campaign).exists()
    with pytest.raises(CommandError, match="Nothing of the sector campaign 'mini-2026' is published yet"):
        call_command("export_opendata", network=mini.network.slug, campaign="mini-2026", output=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    client = Client()
    slug = mini.network.slug
    assert client.get(f"/api/v1/sector/{slug}/publications/mini-2026").status_code == 404
    assert client.get(f"/api/v1/sector/{slug}/publications").status_code == 404
    assert client.get(f"/sector/{slug}/mini-2026/opendata.zip").status_code == 404


def test_the_api_answers_404_for_what_is_not_published(mini: Any) -> None:
    client = Client()
    slug = mini.network.slug
    assert client.get(f"/api/v1/sector/{slug}/publications/mini-2026").status_code == 200
    for url, query in [
        ("/api/v1/sector/nowhere/publications", {}),
        ("/api/v1/sector/nowhere/publications/mini-2026", {}),
        (f"/api/v1/sector/{slug}/publications/nope", {}),
        (f"/api/v1/sector/{slug}/publications/mini-2026", {"version": 2}),
    ]:
        response = client.get(url, query)
        assert response.status_code == 404, url
        assert response.json()["detail"]
    assert client.get(f"/api/v1/sector/{slug}/publications/mini-2026", {"version": 0}).status_code == 422
    assert client.get(f"/sector/{slug}/mini-2026/v2/opendata.zip").status_code == 404


# --- The pure functions ------------------------------------------------------------------------------------------


def _figures(*cells: dict[str, Any]) -> dict[str, Any]:
    sector, *regions = cells
    return {
        "indicators": [
            {
                "code": "i1",
                "label": {"fr": "Droits", "en": "Rights"},
                "definition": {"fr": "Part…", "en": "Share…"},
                "kind": "proportion",
                "unit": "%",
                "waves": [{"wave": "entry", "sector": sector, "by_region": regions, "by_type": []}],
            }
        ]
    }


def test_rows_show_only_what_the_status_allows() -> None:
    full = {"value": 40.0, "low": 30.0, "high": 50.0, "n": 13, "establishments": 4, "representative": True}
    rows = opendata.indicator_rows(
        _figures(
            {**full, "key": "", "status": "ok"},
            {**full, "key": "11", "label": "Île-de-France", "status": "x"},  # a value left by mistake: not shown
            {**full, "key": "24", "status": "F", "n": 12},
            {**full, "key": "27", "status": "E", "n": 17, "establishments": 3},
            {**full, "key": "28", "status": "-"},
            {**full, "key": "32", "status": "??"},  # unknown: shown as confidential
        )
    )
    shown = [(r["status"], r["value"], r["low"], r["high"], r["n_rounded"], r["establishments"]) for r in rows]
    assert shown == [
        ("ok", 40.0, 30.0, 50.0, 15, 5),
        ("x", None, None, None, None, None),
        ("F", None, None, None, 10, 5),
        ("E", 40.0, 30.0, 50.0, 15, 5),
        ("-", None, None, None, None, None),
        ("x", None, None, None, None, None),
    ]
    assert rows[0]["group_code"] == "*" and rows[1]["group_label"] == "Île-de-France"
    assert rows[0]["label_en"] == "Rights" and rows[0]["unit"] == "%"


def test_avoided_costs_go_out_only_with_their_published_figures() -> None:
    """An outcome is valued only from published figures; a hand-edited publication whose figure (or its baseline)
    is not ok or E loses the row, and figures without avoided costs give an empty file."""
    cell = {"value": 40.0, "low": 30.0, "high": 50.0, "n": 13, "establishments": 4}

    def figures(entry: str, follow_up: str) -> dict[str, Any]:
        waves = [{"wave": "entry", "sector": {**cell, "status": entry}, "by_region": [], "by_type": []}]
        waves.append({"wave": "follow_up", "sector": {**cell, "status": follow_up}, "by_region": [], "by_type": []})
        item = {
            "indicator": "rights",
            "wave": "follow_up",
            "baseline_wave": "entry",
            "unit_cost": {"code": "night", "label": {"fr": "Nuitée", "en": "Night"}, "value": 37.6, "year": 2019},
            "outcomes": {"low": 10.4, "central": 20.5, "high": 30.49},
            "low": 99.5,
            "central": 1234.49,
            "high": 5000.2,
            "label_result": "illustratif",
        }
        total = {"low": 99.5, "central": 1234.49, "high": 5000.2}
        costs = {"year": 2024, "items": [item], "total": total}
        return {"indicators": [{"code": "rights", "waves": waves}], "avoided_costs": costs}

    (row,) = opendata.avoided_cost_rows(figures("ok", "E"))
    assert opendata.metadata(_source(figures("ok", "E")))["avoided_costs"]["total"]["central"] == 1234
    assert [row[k] for k in ("outcomes_low", "outcomes_central", "outcomes_high")] == [10, 20, 30]
    assert [row[k] for k in ("low", "central", "high", "price_year")] == [100, 1234, 5000, 2024]
    assert (row["unit_cost_label_en"], row["label"]) == ("Night", "illustratif")
    for entry, follow_up in (("x", "ok"), ("ok", "F"), ("ok", "-")):
        assert opendata.avoided_cost_rows(figures(entry, follow_up)) == []
        about = opendata.metadata(_source(figures(entry, follow_up)))["avoided_costs"]
        assert about["scenarios"] == [] and about["total"] == {"low": 0, "central": 0, "high": 0}
    assert opendata.avoided_cost_rows({"indicators": []}) == []
    assert opendata.files(_source({"indicators": []}))["avoided_costs.csv"].decode().count("\r\n") == 1  # header


def _source(figures: dict[str, Any]) -> opendata.Source:
    return opendata.Source("n", "Network", "c", 1, datetime(2026, 1, 1, tzinfo=UTC), figures)


def test_numbers_are_written_without_exponent() -> None:
    assert opendata._cell_text(1e-05) == "0.00001"
    assert opendata._cell_text(-0.0) == "0"
    assert opendata._cell_text(20.686431) == "20.686431"
    assert opendata._cell_text(True) == "true"
    assert opendata._cell_text(None) == ""


# --- The API description against real publications ---------------------------------------------------------------


def test_the_public_endpoints_answer_as_described_with_real_identifiers(mini: Any) -> None:
    """Schemathesis, as in ``test_api_schemathesis`` but with the real network and campaign (random slugs only
    reach 404s): no 5xx, and every answer matches its schema in the OpenAPI description."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    from tests.test_api_schemathesis import _test_connection_kept

    app = get_wsgi_application()
    with _test_connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    figures = schema["/api/v1/sector/{network}/publications/{code}"]["GET"]
    listing = schema["/api/v1/sector/{network}/publications"]["GET"]
    slug = mini.network.slug
    networks = st.just(slug) | st.sampled_from(["nowhere", "a_b", "-"])
    codes = st.just("mini-2026") | st.sampled_from(["nope", "mini-2026-"])
    versions = st.none() | st.integers(min_value=1, max_value=3) | st.integers(min_value=1, max_value=2_147_483_647)
    seen: Counter[int] = Counter()

    def send(case: Any) -> None:
        savepoint = transaction.savepoint()
        try:
            with _test_connection_kept():
                response = case.call(app=app)
        finally:
            transaction.savepoint_rollback(savepoint)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        seen[response.status_code] += 1

    @settings(max_examples=30, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(network=networks, code=codes, version=versions)
    def run(network: str, code: str, version: int | None) -> None:
        query = {} if version is None else {"version": version}
        send(figures.Case(path_parameters={"network": network, "code": code}, query=query))
        send(listing.Case(path_parameters={"network": network}))

    run()
    assert seen[200] and seen[404]
