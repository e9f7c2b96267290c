"""The advocacy report of published sector figures (``socle.sector.report``): the command's HTML and PDF hold the key
figures with their uncertainty and the label "non représentatif" for demo-like figures; a région's report holds
that région's cells only (masked ones stay masked); the avoided-cost range; the PDF made in the background reaches
100 % and downloads; the public PDF is made once; drafts are never reported. Who may reach each page is in
``tests/test_permissions.py``.

PDF text is read with ``pdftotext`` (poppler-utils, the same tool as ``pdftoppm`` that turns pages into pictures
to look at): it keeps the reading order of the laid-out lines, which is what a reader of the PDF sees, and needs no
Python dependency."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from socle.sector import actions as sector_actions
from socle.sector import report
from socle.sector.models import Consolidation, Publication, ReportJob
from tests.conftest import login_as
from tests.factories import World
from tests.test_permissions import _add_frameworks, _add_sector

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
NBSP = "\u00a0"


def _cell(
    key: str,
    label: Any,
    status: str,
    value: float | None = None,
    low: float | None = None,
    high: float | None = None,
    n: int | None = None,
    establishments: int | None = None,
) -> dict[str, Any]:
    shown = status in ("ok", "E")
    return {
        "key": key, "label": label, "status": status, "reasons": [] if status != "x" else ["frequency"],
        "representative": False, "value": value if shown else None, "low": low if shown else None,
        "high": high if shown else None, "method": "korn-graubard" if shown else "",
        "n": n if status != "x" else None, "establishments": establishments if status != "x" else None,
        "left_out": 0 if status != "x" else None, "design_effect": 2.1 if shown else None,
        "weighting_design_effect": 1.3 if shown else None, "effective_n": 120.0 if shown else None,
        "cv": 0.1 if shown else None, "unweighted": None, "change": None,
    }  # fmt: skip


ALL = {"fr": "Ensemble", "en": "All"}
IDF, ARA = "Île-de-France", "Auvergne-Rhône-Alpes"
CHRS = {"fr": "CHRS", "en": "CHRS"}
ADJ = {"fr": "Accueil de jour", "en": "Day centre"}


def _stratum(type_code: str, region: str, label: Any, establishments: int, participating: int, share: float,
             meets: bool) -> dict[str, Any]:  # fmt: skip
    return {
        "type": type_code, "region": region, "label": label, "establishments": establishments,
        "participating": participating, "people": 1000, "people_covered": round(1000 * share), "unknown_size": 0,
        "establishment_share": participating / establishments, "people_share": share, "meets": meets,
        "failed": [] if meets else ["min_establishments"],
    }  # fmt: skip


def demo_like() -> dict[str, Any]:
    """Figures shaped as the demo's (``socle.sector.compute`` schema 1): two régions, two types, not representative
    (one stratum of Auvergne-Rhône-Alpes falls short); three indicators with cells ok, E, F and x."""
    rights = {
        "wave": "entry",
        "sector": _cell("", ALL, "ok", 27.6, 21.2, 34.7, 609, 24),
        "by_region": [_cell("11", IDF, "ok", 21.1, 15.3, 28.2, 120, 5), _cell("84", ARA, "F", n=36, establishments=4)],
        "by_type": [],
        "weighting": {"method": "poststratification", "collapsed": [], "left_out": [], "trimmed": 0, "imputed": 0},
    }
    care = {
        **rights,
        "sector": _cell("", ALL, "E", 74.9, 60.1, 86.3, 507, 24),
        "by_region": [_cell("11", IDF, "x"), _cell("84", ARA, "ok", 63.7, 50.4, 75.8, 27, 4)],
    }
    wellbeing = {
        **rights,
        "sector": _cell("", ALL, "ok", 41.62, 37.15, 46.09, 529, 24),
        "by_region": [_cell("11", IDF, "ok", 44.4, 40.1, 48.7, 200, 6), _cell("84", ARA, "E", 38.2, 30.1, 46.3, 40, 4)],
    }

    def indicator(code: str, fr: str, kind: str, unit: str, wave: dict[str, Any]) -> dict[str, Any]:
        return {"code": code, "label": {"fr": fr, "en": fr}, "definition": {"fr": "", "en": ""}, "kind": kind,
                "unit": unit, "factor": "100", "direction": "up", "outcomes": ["oc_rights"], "mapped_from": 0,
                "waves": [wave]}  # fmt: skip

    strata = [
        _stratum("chrs", "11", {"fr": "CHRS · Île-de-France", "en": "CHRS · Île-de-France"}, 5, 3, 0.5, True),
        _stratum("adj", "11", {"fr": "Accueil de jour · Île-de-France", "en": "Day centre · Île-de-France"}, 4, 3,
                 0.6, True),
        _stratum("chrs", "84", {"fr": "CHRS · Auvergne-Rhône-Alpes", "en": "CHRS · Auvergne-Rhône-Alpes"}, 4, 3,
                 0.4, True),
        _stratum("adj", "84", {"fr": "Accueil de jour · Auvergne-Rhône-Alpes", "en": "Day centre · ARA"}, 4, 1,
                 0.2, False),
    ]  # fmt: skip
    return {
        "coverage": {
            "overall": _stratum("*", "*", ALL, 17, 10, 0.45, True),
            "strata": strata,
            "by_type": [_stratum("adj", "*", ADJ, 8, 4, 0.4, True), _stratum("chrs", "*", CHRS, 9, 6, 0.45, True)],
            "by_region": [_stratum("*", "11", IDF, 9, 6, 0.55, True), _stratum("*", "84", ARA, 8, 4, 0.3, True)],
            "representative": False,
            "reasons": [
                {
                    "type": "adj",
                    "region": "84",
                    "label": strata[3]["label"],
                    "rule": "min_establishments",
                    "value": 1,
                    "threshold": 3,
                }
            ],
        },
        "participants": {"organisations": 7, "establishments": 24, "organisation_ids": []},
        "indicators": [
            indicator("i01_access_rights", "Accès aux droits", "proportion", "%", rights),
            indicator("i02_access_care", "Accès aux soins", "proportion", "%", care),
            indicator("i10_wellbeing", "Bien-être (OMS-5)", "mean", "points", wellbeing),
        ],
    }


AVOIDED = {
    "label": "illustratif",
    "year": 2026,
    "total": {"low": 120000.0, "central": 345678.0, "high": 910000.0},
    "items": [
        {
            "indicator": "i04_no_emergency_visit",
            "label": {"fr": "Moindre recours aux urgences", "en": "Less use of emergency departments"},
            "description": "Passages aux urgences évités",
            "quantity": 1.5,
            "unit_cost": {
                "code": "urgences",
                "label": {"fr": "Passage aux urgences", "en": "Emergency visit"},
                "value": 161.5,
                "unit": "passage",
                "year": 2014,
                "source": "Cour des comptes 2014",
                "verify": True,
            },
            "outcomes": {"low": 100.0, "central": 200.0, "high": 300.0},
            "low": 120000.0,
            "central": 345678.0,
            "high": 910000.0,
        }
    ],
}


def _publish(world: World, **extra: Any) -> Publication:
    """The world's sector campaign mini-2026 with a first publication (``_add_sector``), then a second one holding
    the demo-like figures."""
    _add_frameworks(world)
    _add_sector(world)
    consolidation = world.consolidation  # type: ignore[attr-defined]
    ids = consolidation.results["participants"]["organisation_ids"]
    consolidation.results = {**consolidation.results, **demo_like(), **extra}
    consolidation.results["participants"]["organisation_ids"] = ids
    consolidation.save(update_fields=["results"])
    sector_actions.review(consolidation, world.org, decision="validated", comment="", named=True, acting_user=None)
    return sector_actions.publish(consolidation, acting_user=None)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " "))


def _command(world: World, path: Path, fmt: str, *args: str) -> str:
    call_command("sector_report", "--network", world.network.slug, "--campaign", "mini-2026", "--format", fmt,
                 "-o", str(path), *args)  # fmt: skip
    if fmt == "html":
        return _plain(path.read_text())
    assert path.read_bytes()[:5] == b"%PDF-"
    return _pdf_text(path.read_bytes(), path.with_suffix(".txt"))


def _pdf_text(content: bytes, scratch: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    scratch.with_suffix(".pdf").write_bytes(content)
    subprocess.run(["pdftotext", "-layout", str(scratch.with_suffix(".pdf")), str(scratch)], check=True)
    return _plain(scratch.read_text())


# --- The report's content -----------------------------------------------------------------------------------------


def test_the_html_report_holds_the_key_figures_and_says_not_representative(world: World, tmp_path: Path) -> None:
    publication = _publish(world)
    text = _command(world, tmp_path / "report.html", "html")
    assert "non représentatif : décrit les structures participantes" in text
    for figure in ("27,6 %", "21,2 – 34,7", "609", "74,9 %", "60,1 – 86,3", "41,62", "37,15 – 46,09"):
        assert figure in text, figure
    assert "E · prudence" in text  # the status of the care figure (translations come later: English or French)
    assert f"version {publication.version}" in text
    assert publication.named_organisations == [world.org.name] and world.org.name in text
    assert 'class="toc-diagram"' in text  # the sector framework's theory of change
    assert "data:image/svg+xml;base64," in text  # the chart
    assert "illustratif" not in text  # no avoided costs in these figures
    assert "21,1" not in text  # régions' cells are in their own reports


def test_the_pdf_report_holds_the_key_figures_and_says_not_representative(world: World, tmp_path: Path) -> None:
    _publish(world)
    text = _command(world, tmp_path / "report.pdf", "pdf")
    assert "non représentatif : décrit les structures participantes" in text
    for figure in ("27,6 %", "21,2 – 34,7", "74,9 %", "41,62", "Accès aux droits", world.org.name):
        assert figure in text, figure


def test_a_regional_report_holds_that_regions_cells_only(world: World, tmp_path: Path) -> None:
    _publish(world)
    text = _command(world, tmp_path / "ara.html", "html", "--region", "84")
    assert "Auvergne-Rhône-Alpes" in text
    assert "63,7 %" in text and "50,4 – 75,8" in text  # care in Auvergne-Rhône-Alpes
    assert "38,2" in text  # well-being, status E there
    assert "F · peu fiable" in text  # access to rights is too unreliable there: no value
    for elsewhere in ("27,6", "74,9", "41,62", "21,1", "44,4"):  # the sector's and Île-de-France's figures
        assert elsewhere not in text, elsewhere
    assert "Accueil de jour · Auvergne-Rhône-Alpes" in text  # its strata's coverage
    assert "CHRS · Île-de-France" not in text
    assert "non représentatif" in text  # one of its strata falls short


def test_a_masked_cell_stays_masked_in_its_regions_report(world: World) -> None:
    publication = _publish(world)
    figures = report.regional_figures(publication.figures, "11")
    care = next(i for i in figures["indicators"] if i["code"] == "i02_access_care")
    cell = care["waves"][0]["sector"]
    assert cell["status"] == "x" and cell["value"] is None and cell["low"] is None and cell["n"] is None
    assert figures["coverage"]["representative"] is True  # both strata of Île-de-France meet the thresholds
    with translation.override("fr"):
        context = report.report_context(publication, region="11")
    labels = [p.label for p in context["chart_points"]]
    assert labels == ["Accès aux droits"]  # the masked care figure is not drawn; well-being is not in %
    with pytest.raises(report.UnknownRegion):
        report.regional_figures(publication.figures, "93")


def test_the_avoided_cost_range_is_illustrative_low_central_high_with_sources(world: World, tmp_path: Path) -> None:
    _publish(world, avoided_costs=AVOIDED)
    text = _command(world, tmp_path / "costs.html", "html")
    assert "illustratif" in text
    for amount in ("120 000 €", "345 678 €", "910 000 €", "161,50 € / passage"):
        assert amount in text, amount
    assert "Cour des comptes 2014" in text and "2014" in text and "à vérifier" in text
    regional = _command(world, tmp_path / "costs-ara.html", "html", "--region", "84")
    assert "345 678" not in regional and "que pour l’ensemble du secteur" in regional


def test_the_command_says_clearly_what_is_missing(world: World, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="No network"):
        call_command("sector_report", "--network", "nowhere", "--campaign", "mini-2026", "-o", str(out))
    _add_frameworks(world)
    with pytest.raises(CommandError, match="no sector campaign"):
        call_command("sector_report", "--network", world.network.slug, "--campaign", "other", "-o", str(out))
    with pytest.raises(CommandError, match="Nothing of the sector campaign mini-2026 is published"):
        call_command("sector_report", "--network", world.network.slug, "--campaign", "mini-2026", "-o", str(out))
    _add_sector(world)  # publishes version 1
    with pytest.raises(CommandError, match="no published version 7"):
        call_command("sector_report", "--network", world.network.slug, "--campaign", "mini-2026", "--version", "7",
                     "-o", str(out))  # fmt: skip
    with pytest.raises(CommandError, match="aucune région de code 99"):
        call_command("sector_report", "--network", world.network.slug, "--campaign", "mini-2026", "--region", "99",
                     "-o", str(out))  # fmt: skip
    assert not out.exists()


def test_an_older_version_is_reported_on_request(world: World, tmp_path: Path) -> None:
    _publish(world)
    text = _command(world, tmp_path / "v1.html", "html", "--version", "1")
    assert "version 1" in text and "27,6" not in text


# --- Public pages -------------------------------------------------------------------------------------------------


def test_the_public_page_links_to_the_report_of_the_latest_publication(world: World, client: Client) -> None:
    _publish(world)
    page = client.get(reverse("sector:public_campaign", args=[world.network.slug, "mini-2026"]))
    html = page.content.decode()
    assert reverse("sector:public_report", args=[world.network.slug, "mini-2026"]) in html
    assert reverse("sector:public_report_pdf", args=[world.network.slug, "mini-2026"]) in html
    report_page = client.get(reverse("sector:public_report", args=[world.network.slug, "mini-2026"]) + "?region=84")
    assert report_page.status_code == 200 and "63,7" in report_page.content.decode()
    for query in ("?region=93", "?version=9", "?version=x"):
        missing = client.get(reverse("sector:public_report", args=[world.network.slug, "mini-2026"]) + query)
        assert missing.status_code == 404, query


def test_nothing_but_a_publication_is_reported(world: World, client: Client) -> None:
    _add_frameworks(world)
    Consolidation.objects.create(  # a draft
        network=world.network,
        sector_campaign=world.sector_campaign,  # type: ignore[attr-defined]
        number=1,
        results=demo_like(),
    )
    for name in ("sector:public_report", "sector:public_report_pdf"):
        assert client.get(reverse(name, args=[world.network.slug, "mini-2026"])).status_code == 404


def test_the_public_pdf_is_made_once_then_served(
    world: World, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(world)
    url = reverse("sector:public_report_pdf", args=[world.network.slug, "mini-2026"])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "non représentatif" in _pdf_text(first.content, tmp_path / "public")
    monkeypatch.setattr(report, "render_pdf", lambda *a, **k: pytest.fail("the kept PDF is served"))
    again = client.get(url)
    assert again.content == first.content
    assert ReportJob.objects.filter(for_public=True, status="done").count() == 1


# --- The PDF made in the background -------------------------------------------------------------------------------


def test_a_report_job_runs_to_100_percent_and_downloads(
    world: World, client: Client, settings: Any, django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    settings.TASKS = IMMEDIATE
    publication = _publish(world)
    steps: list[tuple[str, int]] = []
    original = report._progress
    monkeypatch.setattr(report, "_progress", lambda job_id, step, pct: (steps.append((step, pct)),
                                                                         original(job_id, step, pct)))  # fmt: skip
    login_as(client, world.users["network_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sector:report_start", args=[world.network.slug, publication.public_id]), {"region": "84"}
        )
    job = ReportJob.objects.get(for_public=False)
    assert response.status_code == 302 and response["Location"] == reverse(
        "sector:report_job", args=[world.network.slug, job.public_id]
    )
    assert (job.status, job.step, job.percent, job.region) == ("done", "done", 100, "84")
    assert steps == [("charts", 35), ("pdf", 60)]  # after "figures" (10 %), set when the job starts
    assert job.task_id
    login_as(client, world.users["network_analyst"])  # staff who read follow and download
    page = client.get(reverse("sector:report_job", args=[world.network.slug, job.public_id]))
    assert page.status_code == 200 and 'http-equiv="refresh"' not in page.content.decode()
    pdf = client.get(reverse("sector:report_job_pdf", args=[world.network.slug, job.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"] and "-84-report.pdf" in pdf["Content-Disposition"]
    text = _pdf_text(pdf.content, tmp_path / "job")
    assert "63,7 %" in text and "27,6" not in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker closes its connection (PostgreSQL)
def test_a_queued_report_shows_its_progress_and_the_worker_runs_it(
    world: World, client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DATABASE
    publication = _publish(world)
    login_as(client, world.users["network_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sector:report_start", args=[world.network.slug, publication.public_id]))
    job = ReportJob.objects.get(for_public=False)
    assert (job.status, job.percent) == ("queued", 0)
    page = client.get(reverse("sector:report_job", args=[world.network.slug, job.public_id]))
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "<progress" in html
    assert page["Cache-Control"] == "no-store"
    assert client.get(reverse("sector:report_job_pdf", args=[world.network.slug, job.public_id])).status_code == 404
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")
    job.refresh_from_db()
    assert (job.status, job.percent) == ("done", 100) and bytes(job.content)[:5] == b"%PDF-"
    assert report.run_report(job.pk) == {"skipped": True}  # delivered twice: made once


def test_an_unknown_region_is_refused_before_anything_is_queued(world: World, client: Client) -> None:
    publication = _publish(world)
    login_as(client, world.users["network_admin"])
    response = client.post(
        reverse("sector:report_start", args=[world.network.slug, publication.public_id]), {"region": "93"}
    )
    assert response.status_code == 302 and not ReportJob.objects.exists()
