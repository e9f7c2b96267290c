"""The campaign pages of an organisation: opening a campaign in the browser, its links and QR codes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from socle.collection.models import Campaign, CollectionLink
from socle.frameworks.models import FrameworkVersion
from tests.factories import World
from tests.framework_docs import load, organisation_document, sector_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world: World) -> FrameworkVersion:
    load(sector_document(), network=world.network)
    return load(organisation_document(world.org))


def _form(world: World, version: FrameworkVersion, **changes: object) -> dict[str, object]:
    today = datetime.date.today()
    data: dict[str, object] = {
        "name": "Entrées",
        "version": version.pk,
        "wave": "entry",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=30)).isoformat(),
        "establishments": [world.establishment.pk],
    }
    data.update(changes)
    return data


def test_an_org_admin_opens_a_campaign_and_sees_its_links_and_qr_codes(as_role, world: World, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    response = client.post(reverse("collection:campaigns", args=[world.org.slug]), _form(world, version))
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    link = CollectionLink.objects.get(campaign=campaign)
    page = client.get(response["Location"]).content.decode()
    assert f"/r/{link.code}/" in page
    qr = client.get(reverse("collection:link_qr", args=[world.org.slug, campaign.public_id, link.code]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in qr.content


def test_a_campaign_that_ends_before_it_starts_or_on_anothers_establishment_is_refused(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    client = as_role("org_admin")
    url = reverse("collection:campaigns", args=[world.org.slug])
    today = datetime.date.today()
    assert (
        client.post(url, _form(world, version, ends_on=(today - datetime.timedelta(days=1)).isoformat())).status_code
        == 422
    )
    assert client.post(url, _form(world, version, establishments=[world.other_establishment.pk])).status_code == 422
    assert not Campaign.objects.exists()


def test_staff_read_campaigns_but_cannot_open_one_and_outsiders_see_nothing(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    url = reverse("collection:campaigns", args=[world.org.slug])
    assert as_role("org_staff").get(url).status_code == 200
    assert as_role("org_staff").post(url, _form(world, version)).status_code == 403
    assert as_role("other_org_admin").get(url).status_code == 404
    assert as_role("network_admin").get(url).status_code == 404
    assert not Campaign.objects.exists()


def test_the_raw_export_has_one_column_per_question_and_stays_in_the_organisation(as_role, world, version) -> None:  # type: ignore[no-untyped-def]
    import io
    import uuid

    from openpyxl import load_workbook

    from socle.collection import actions

    campaign = actions.open_campaign(
        world.org,
        version,
        name="Entrées",
        wave="entry",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
        establishments=[world.establishment],
        acting_user=None,
    )
    answers = {"sexe": "f", "droits": "oui", "estime": "4", "urgences": "2", "own_garden": "oui"}
    actions.submit(
        campaign=campaign,
        establishment=world.establishment,
        questionnaire_code="entry",
        submission_uuid=uuid.uuid4(),
        answers=answers,
        mode="paper",
    )
    url = reverse("collection:export", args=[world.org.slug, campaign.public_id, "csv"])
    response = as_role("org_staff").get(url)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:3] == ["submission", "received_at", "establishment_finess"]
    assert header[-5:] == ["sexe", "droits", "estime", "urgences", "own_garden"]
    assert lines[1].split(";")[-5:] == ["f", "oui", "4", "2", "oui"]
    xlsx = as_role("org_admin").get(url.replace("export.csv", "export.xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][-1] == "own_garden"
    assert as_role("facilitator").get(url).status_code == 404  # raw answers never leave the organisation
    assert as_role("other_org_admin").get(url).status_code == 404
