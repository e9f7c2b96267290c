"""Issue 6's disclosure acceptance: on a small adversarial dataset, every number of every way out — the public
page, the members' and the network's pages, the advocacy report (HTML, and the PDF's text), the API and the open
data CSV — follows the rules (at least 11 respondents and 3 establishments per figure, no establishment above
85 %, no unanimous small group), and no masked value can be rebuilt from its margins.

The dataset is made of facts written by hand, so that the true cells are known exactly:

======  =====================================  ==========================================================
region  establishments (type: respondents,      why
        of them with rights opened)
======  =====================================  ==========================================================
11      chrs 40/20, chrs 30/12, chu 25/10       published
84      chrs 100/50, chu 5/2, aci 4/2           dominance: one establishment gives 92 % of the respondents
93      aci 12/12, aci 3/3                      two establishments, and everyone answered the same
76      chrs 20/5, chu 15/6, aci 15/9           published
44      chu 6/2                                 one establishment of 6 respondents
======  =====================================  ==========================================================

Three regions are masked by the primary rules; their sum (130 respondents) is not a small cell, so the total
stays published, and no masked region can be worked out from it.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re
import subprocess
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from socle.collection import actions as collection_actions
from socle.frameworks.models import FrameworkVersion
from socle.lib.measurement.stats import ProportionStats
from socle.lib.sector import disclosure
from socle.measurement.models import Fact
from socle.network.models import Role
from socle.sector import actions
from tests.conftest import login_as
from tests.factories import give_role, make_establishment, make_network, make_organisation, make_user
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db

RULES = disclosure.DisclosureRules()
# region → [(type, respondents, numerator)]
CELLS: dict[str, list[tuple[str, int, int]]] = {
    "11": [("chrs", 40, 20), ("chrs", 30, 12), ("chu", 25, 10)],
    "84": [("chrs", 100, 50), ("chu", 5, 2), ("aci", 4, 2)],
    "93": [("aci", 12, 12), ("aci", 3, 3)],
    "76": [("chrs", 20, 5), ("chu", 15, 6), ("aci", 15, 9)],
    "44": [("chu", 6, 2)],
}
DEPARTEMENT = {"11": "75", "84": "69", "93": "13", "76": "31", "44": "67"}
MASKED_REGIONS = {"84", "93", "44"}


def _truth() -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(kind, key) → contributions [(respondents, numerator)] per establishment: regions, types and the total."""
    out: dict[tuple[str, str], list[tuple[int, int]]] = {("total", ""): []}
    for region, rows in CELLS.items():
        for type_code, n, numerator in rows:
            out.setdefault(("region", region), []).append((n, numerator))
            out.setdefault(("type", type_code), []).append((n, numerator))
            out[("total", "")].append((n, numerator))
    return out


def _allowed(contributions: list[tuple[int, int]]) -> bool:
    n = sum(c[0] for c in contributions)
    numerator = sum(c[1] for c in contributions)
    return (
        n >= RULES.min_respondents
        and len(contributions) >= RULES.min_establishments
        and max(c[0] for c in contributions) <= RULES.dominance * n
        and not (numerator in (0, n) and n <= RULES.attribute_max)
    )


@pytest.fixture
def published(client: Client) -> dict[str, Any]:
    network = make_network("adverse", "Réseau adverse")
    sector = load(sector_document(), network=network)
    sector_campaign = collection_actions.open_sector_campaign(
        network, sector, name="Adverse 2026", code="adverse-2026", starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31), acting_user=None,
    )  # fmt: skip
    organisations = []
    for region, rows in CELLS.items():
        organisation = make_organisation(network, f"asso-{region}", name=f"Association {region}")
        organisations.append(organisation)
        version = load(organisation_document(organisation), publish=True)
        version = FrameworkVersion.objects.get(pk=version.pk)
        establishments = [
            make_establishment(network, organisation, type_code=t, region=region, departement=DEPARTEMENT[region])
            for t, _n, _num in rows
        ]
        campaign = collection_actions.open_campaign(
            organisation, version, name=f"Entrées {region}", wave="entry", starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31), establishments=establishments, acting_user=None,
            sector_campaign=sector_campaign,
        )  # fmt: skip
        for establishment, (_t, n, numerator) in zip(establishments, rows, strict=True):
            Fact.objects.create(
                organisation=organisation, framework_version=version, indicator="i_rights",
                establishment=establishment, campaign=campaign, wave="entry",
                stats=ProportionStats(n=n, numerator=numerator).to_dict(),
            )  # fmt: skip
    # Establishments of the frame that do not take part
    other = make_organisation(network, "asso-frame", member=False)
    for region in CELLS:
        make_establishment(network, other, type_code="chrs", region=region, departement=DEPARTEMENT[region],
                           participates=False)  # fmt: skip
    consolidation = actions.open_review(actions.consolidate(sector_campaign, acting_user=None), message="",
                                        acting_user=None)  # fmt: skip
    publication = actions.publish(consolidation, acting_user=None)
    return {"network": network, "campaign": sector_campaign, "consolidation": consolidation,
            "publication": publication, "organisations": organisations}  # fmt: skip


def _cells(results: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    indicator = next(i for i in results["indicators"] if i["code"] == "i_rights")
    wave = next(w for w in indicator["waves"] if w["wave"] == "entry")
    out = {("total", ""): wave["sector"]}
    out.update({("region", c["key"]): c for c in wave["by_region"]})
    out.update({("type", c["key"]): c for c in wave["by_type"]})
    return out


def test_the_consolidation_masks_what_the_rules_say_and_nothing_can_be_rebuilt(published: dict[str, Any]) -> None:
    cells = _cells(published["consolidation"].results)
    truth = _truth()
    assert {key for key, cell in cells.items() if cell["status"] == "x"} >= {("region", r) for r in MASKED_REGIONS}
    for key, cell in cells.items():
        if cell["status"] in ("ok", "E", "F"):
            assert _allowed(truth[key]), f"{key} is published but breaks a rule"
        else:
            assert cell["value"] is None and cell["n"] is None and cell["low"] is None
    for kind in ("region", "type"):
        masked = [key for key, cell in cells.items() if key[0] == kind and cell["status"] == "x"]
        assert len(masked) != 1, f"a single masked {kind} would be the total minus the others"
        if masked and cells[("total", "")]["status"] != "x":
            hidden = [c for key in masked for c in truth[key]]
            assert _allowed(hidden), f"the masked {kind}s together are themselves a small group"


def _numbers_of_rows(page: str, label: str) -> list[str]:
    """Digits in the table rows of the figures (not the coverage of the frame) whose header is ``label``: the
    indicators' section of the pages, the key figures of the report."""
    if 'id="indicators-title"' in page:
        section = page.split('id="indicators-title"', 1)[1]
    else:
        section = page.split('id="key-figures"', 1)[1].split('id="coverage"', 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, flags=re.S)
    found = []
    for row in rows:
        header = re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S)
        if header and label in header.group(1):
            cells = re.sub(r"<th[^>]*>.*?</th>", "", row, count=1, flags=re.S)
            found.extend(re.findall(r"\d", re.sub(r"<[^>]+>", " ", cells)))
    return found


def test_no_way_out_shows_a_masked_figure(published: dict[str, Any], client: Client, tmp_path: Any) -> None:
    from socle.lib import geo

    network, campaign = published["network"], published["campaign"]
    masked_labels = [geo.REGIONS[r] for r in MASKED_REGIONS]
    pages: dict[str, str] = {}
    with translation.override("fr"):
        for name in ("public_campaign", "public_report"):
            response = client.get(reverse(f"sector:{name}", args=[network.slug, campaign.code]))
            assert response.status_code == 200, name
            pages[name] = html.unescape(response.content.decode())
        admin = make_user("admin@adverse.test", totp=True)
        give_role(admin, network, Role.NETWORK_ADMIN)
        login_as(client, admin)
        pages["network"] = html.unescape(
            client.get(
                reverse("sector:consolidation", args=[network.slug, published["consolidation"].public_id])
            ).content.decode()
        )
        member = published["organisations"][0]
        org_admin = make_user("org@adverse.test")
        give_role(org_admin, network, Role.ORG_ADMIN, member)
        login_as(client, org_admin)
        # the consolidation is published: the member still reads it
        pages["member"] = html.unescape(
            client.get(
                reverse("sector:member_consolidation", args=[member.slug, published["consolidation"].public_id])
            ).content.decode()
        )
        client.logout()
    for name, page in pages.items():
        for label in masked_labels:
            assert label in page, f"{label} missing from {name}"
            assert _numbers_of_rows(page, label) == [], f"{name}: a number is shown for the masked {label}"
    # The report of a masked région: the indicator's row shows no figure
    indicator_label = "Accès aux droits"
    for region in sorted(MASKED_REGIONS):
        with translation.override("fr"):
            response = client.get(
                reverse("sector:public_report", args=[network.slug, campaign.code]), {"region": region}
            )
        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert indicator_label in page
        assert _numbers_of_rows(page, indicator_label) == [], f"the report of région {region} shows a masked figure"

    # The PDF's text: no line naming a masked region carries a figure other than its coverage
    pdf = client.get(reverse("sector:public_report_pdf", args=[network.slug, campaign.code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    truth = _truth()
    forbidden = {str(sum(c[0] for c in truth[("region", r)])) for r in MASKED_REGIONS}  # 109, 15, 6
    indicator_part = text.split("Couverture", 1)[0] if "Couverture" in text else text
    for line in indicator_part.splitlines():
        if any(label in line for label in masked_labels):
            assert not (set(re.findall(r"\b\d+\b", line)) & forbidden), f"PDF line shows a masked count: {line!r}"

    # The API and the open data: every row published follows the rules, masked rows are empty
    api = client.get(f"/api/v1/sector/{network.slug}/publications/{campaign.code}")
    assert api.status_code == 200
    rows = api.json()["indicators"]
    archive = client.get(reverse("sector:public_opendata", args=[network.slug, campaign.code]))
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        name = next(n for n in files.namelist() if n.endswith("indicators.csv"))
        csv_rows = list(csv.DictReader(io.StringIO(files.read(name).decode("utf-8"))))
    for source, found_rows in (("api", rows), ("csv", csv_rows)):
        mine = [r for r in found_rows if r["code"] == "i_rights" and r["wave"] == "entry"]
        assert mine, source
        for row in mine:
            kind = {"sector": "total", "region": "region", "type": "type"}[row["group_kind"]]
            key = (kind, "" if kind == "total" else row["group_code"])
            if row["status"] in ("x", "-"):
                assert row["value"] in (None, "") and row["n_rounded"] in (None, ""), f"{source}: {row}"
            else:
                assert _allowed(truth[key]), f"{source} publishes {key}, which breaks a rule"
                assert int(row["n_rounded"]) % 5 == 0, f"{source}: counts are rounded to 5"
        masked = {row["group_code"] for row in mine if row["group_kind"] == "region" and row["status"] == "x"}
        assert masked >= MASKED_REGIONS and len(masked) != 1
    json.dumps(rows)  # plain JSON
