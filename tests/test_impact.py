"""Impact pages (issue 7): composed by the organisation's admins from its own results, published as frozen
versions, public only while published, and never showing a figure the disclosure rules forbid, whatever is
selected. The page is light (its weight is measured here), works without JavaScript, prints, and comes with a
widget, a badge and a one-page PDF."""

from __future__ import annotations

import datetime
import gzip
import io
import random
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from PIL import Image

from socle.audit.models import AuditEvent
from socle.collection.models import Campaign
from socle.frameworks.models import FrameworkVersion
from socle.impact import actions, queries
from socle.impact.models import ImpactPage, ImpactPhoto, ImpactPublication
from socle.network.actions import ActionError
from tests.factories import World, make_establishment
from tests.framework_docs import load, organisation_document, sector_document
from tests.test_permissions import login_as
from tests.test_results import answer, open_campaign

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
STATIC = Path(__file__).resolve().parents[1] / "src" / "socle"
WEIGHT_LIMIT = 100 * 1024


def png_bytes(size: tuple[int, int] = (64, 48), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, "#3a7")
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS: the place the photo was taken
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def version(world: World) -> FrameworkVersion:
    load(sector_document(), network=world.network)
    return load(organisation_document(world.org), publish=True)


def respond(campaign: Campaign, establishment: Any, yes: int, no: int, dont_know: int = 0) -> None:
    """People answering "droits" (and the self-esteem scale): ``yes`` oui, ``no`` non, ``dont_know`` don't know."""
    for i in range(yes + no + dont_know):
        value = "oui" if i < yes else ("non" if i < yes + no else "dk")
        answer(campaign, {"sexe": "f", "droits": value, "estime": "3"}, establishment)


def admin(world: World) -> Client:
    return login_as(Client(), world.users["org_admin"])


def compose(world: World, campaign: Campaign | None, indicators: list[str], **more: Any) -> ImpactPage:
    return actions.save_draft(
        world.org,
        {"mission": "Accompagner vers le logement", "campaign": campaign, "indicators": indicators, **more},
        acting_user=world.users["org_admin"],
    )


def public(slug: str, tail: str = "") -> Any:
    return Client().get(f"/impact/{slug}/{tail}")


def pdf_text(data: bytes, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "page.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


# --- Publishing ---------------------------------------------------------------------------------------------------


def test_publishing_makes_frozen_versions_and_unpublishing_hides_every_public_address(
    world: World, version: FrameworkVersion
) -> None:
    campaign = open_campaign(world, version)
    respond(campaign, world.establishment, 30, 10)
    compose(world, campaign, ["i_rights"])
    photo = actions.add_photo(world.org, png_bytes(), alt_text="Le jardin", acting_user=None)
    for tail in ("", "widget/", "badge.svg", "page.pdf", f"photos/{photo.public_id}.jpg"):
        assert public(world.org.slug, tail).status_code == 404, tail  # never published

    response = admin(world).post(f"/o/{world.org.slug}/impact/publish/")
    assert response.status_code == 302
    first = ImpactPublication.objects.get(organisation=world.org)
    assert first.version == 1 and first.content["indicators"][0]["figure"]["value"] == 75.0
    page = public(world.org.slug)
    assert page.status_code == 200 and "75" in page.content.decode()
    assert AuditEvent.objects.filter(action="impact.published", organisation=world.org).count() == 1

    compose(world, campaign, ["i_rights"], mission="Une autre mission")
    actions.publish(world.org, acting_user=None)
    assert list(ImpactPublication.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert "Une autre mission" in public(world.org.slug).content.decode()
    with pytest.raises(ValueError, match="never changes"):
        first.save()
    with pytest.raises(DatabaseError), transaction.atomic():  # the trigger, whatever path the write takes
        ImpactPublication.objects.filter(pk=first.pk).update(content={"mission": "forged"})
    first.refresh_from_db()
    assert first.content["mission"] == "Accompagner vers le logement"

    assert admin(world).post(f"/o/{world.org.slug}/impact/unpublish/").status_code == 302
    for tail in ("", "widget/", "badge.svg", "page.pdf", f"photos/{photo.public_id}.jpg"):
        assert public(world.org.slug, tail).status_code == 404, tail
    assert "Accompagner vers le logement" in admin(world).get(f"/o/{world.org.slug}/impact/v1/").content.decode()
    with pytest.raises(ActionError):
        actions.unpublish(world.org, acting_user=None)


def test_an_unknown_or_non_member_organisation_has_no_page(world: World) -> None:
    assert public("nobody-here").status_code == 404
    assert public(world.non_member.slug).status_code == 404
    assert Client().get("/sector/no-such-network/members/").status_code == 404


def test_an_empty_page_is_not_published(world: World) -> None:
    with pytest.raises(ActionError, match="vide"):
        actions.publish(world.org, acting_user=None)
    assert not ImpactPublication.objects.exists()


# --- Disclosure control -------------------------------------------------------------------------------------------


def _truth(yes: int, no: int) -> tuple[int, int]:
    return yes + no, yes


def test_whatever_is_selected_no_figure_under_the_threshold_is_ever_shown(
    world: World, version: FrameworkVersion, tmp_path: Path
) -> None:
    """Random campaigns of 0 to 45 respondents, unanimous or not, over one or two establishments; the admin selects
    every indicator offered (and the composer's forged choices are refused). Every figure of every published
    version is checked against the answers actually given."""
    second = make_establishment(world.network, world.org, finess="750000999")
    rng = random.Random(7)
    client = admin(world)
    checked = shown = 0
    for draw in range(14):
        establishments = [world.establishment] if draw % 2 else [world.establishment, second]
        campaign = open_campaign(
            world, version, name=f"Tirage {draw}", days_ago=200 - draw, establishments=establishments
        )
        truth = {"yes": 0, "no": 0}
        for establishment in establishments:
            size = rng.choice([0, 2, 5, 9, 10, 11, 14, 25, 29, 35, 45])
            share = rng.choice([0.0, 1.0, 0.3, 0.6])
            yes = round(size * share)
            respond(campaign, establishment, yes, size - yes, dont_know=rng.choice([0, 0, 3]))
            truth["yes"] += yes
            truth["no"] += size - yes
        candidates = [c.code for c in queries.candidates(world.org.pk, campaign)]
        posted = client.post(
            f"/o/{world.org.slug}/impact/",
            {"mission": "M", "campaign": str(campaign.public_id), "indicators": candidates, "show_activity": "on"},
        )
        assert posted.status_code == 302, posted.content.decode()[:500]
        assert client.post(f"/o/{world.org.slug}/impact/publish/").status_code == 302
        content = ImpactPublication.objects.filter(organisation=world.org).order_by("-version").first().content  # type: ignore[union-attr]
        n, numerator = _truth(truth["yes"], truth["no"])
        for item in content["indicators"]:
            for figure in [item["figure"], *item["trend"]]:
                checked += 1
                if figure["value"] is not None or figure["n"] is not None:
                    assert figure["n"] >= 11, (draw, item["code"], figure)
                if figure["value"] is not None:
                    shown += 1
                    assert figure["status"] in ("ok", "E")
            if item["code"] == "i_rights":
                figure = item["figure"]
                if figure["value"] is not None:
                    assert n >= 11 and not (numerator in (0, n) and n < 30), (draw, n, numerator)
                    assert figure["n"] == n and figure["value"] == pytest.approx(100 * numerator / n)
                if n < 11:
                    assert figure["value"] is None and figure["n"] is None
        html = public(world.org.slug).content.decode()
        for item in content["indicators"]:
            if item["figure"]["value"] is None and item["figure"]["n"] is None:
                assert "Not published" in html or "Non publié" in html
    assert checked > 20 and shown > 3  # the draws do reach both sides of the threshold


def test_a_small_campaign_shows_its_figures_nowhere(world: World, version: FrameworkVersion, tmp_path: Path) -> None:
    """7 people, 3 of them with their rights (42.857 %): the value, its rounding and the 7 are on no way out; the
    earlier, larger campaign's figure is shown beside it in the trend."""
    earlier = open_campaign(world, version, name="Entrées 2025", days_ago=300)
    respond(earlier, world.establishment, 30, 10)
    small = open_campaign(world, version, name="Entrées 2026", days_ago=3)
    respond(small, world.establishment, 3, 4)
    compose(world, small, ["i_rights", "own_count", "i_esteem"])
    actions.publish(world.org, acting_user=None)
    outputs = [public(world.org.slug, tail).content.decode() for tail in ("", "widget/", "badge.svg")]
    pages, text = pdf_text(public(world.org.slug, "page.pdf").content, tmp_path)
    assert pages == 1
    for out in [*outputs, text]:
        for forbidden in ("42,9", "42.9", "42.8", "43 %", "43\u00a0%", "42,8", "57,1", "57.1"):
            assert forbidden not in out
        assert not re.search(r"\b7\s+(people|personnes|person|answers|réponses)", out)
    content = ImpactPublication.objects.get().content
    rights = next(i for i in content["indicators"] if i["code"] == "i_rights")
    assert rights["figure"] == {"status": "x", "value": None, "low": None, "high": None, "n": None}
    assert [p["value"] for p in rights["trend"]] == [75.0, None]
    count = next(i for i in content["indicators"] if i["code"] == "own_count")
    assert count["figure"]["value"] is None


def test_forged_selections_are_refused_and_write_nothing(world: World, version: FrameworkVersion) -> None:
    campaign = open_campaign(world, version)
    respond(campaign, world.establishment, 30, 10)
    other = open_campaign(world, version, name="Autre")
    client = admin(world)
    compose(world, campaign, ["i_rights"])
    before = ImpactPage.objects.get(organisation=world.org)
    saved = AuditEvent.objects.filter(action="impact.draft_saved").count()
    for data in (
        {"campaign": str(campaign.public_id), "indicators": ["not_an_indicator"]},
        {"campaign": "5a4d3c2b-1a09-4876-8543-210fedcba987"},
        {"campaign": str(_other_organisations_campaign(world).public_id)},
        {"campaign": str(campaign.public_id), "quotes": ["5a4d3c2b-1a09-4876-8543-210fedcba987"]},
        {"mission": "x" * 2001},
    ):
        response = client.post(f"/o/{world.org.slug}/impact/", data)
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    after = ImpactPage.objects.get(organisation=world.org)
    assert (after.mission, after.indicators, after.quotes, after.campaign_id, after.updated_at) == (
        before.mission,
        before.indicators,
        before.quotes,
        before.campaign_id,
        before.updated_at,
    )
    assert AuditEvent.objects.filter(action="impact.draft_saved").count() == saved
    # choosing another campaign drops the indicators chosen for the previous one
    moved = client.post(f"/o/{world.org.slug}/impact/", {"campaign": str(other.public_id), "indicators": ["i_rights"]})
    assert moved.status_code == 302 and ImpactPage.objects.get(organisation=world.org).indicators == []
    with pytest.raises(ValueError, match="not a field"):
        actions.save_draft(world.org, {"published": True}, acting_user=None)


def _other_organisations_campaign(world: World) -> Campaign:
    from socle.collection import actions as collection_actions

    version = load(organisation_document(world.other_org), publish=True)
    return collection_actions.open_campaign(
        world.other_org,
        version,
        name="Chez les autres",
        wave="entry",
        starts_on=TODAY,
        ends_on=TODAY,
        establishments=[world.other_establishment],
        acting_user=None,
    )


def test_quotes_show_without_name_or_establishment(world: World) -> None:
    from socle.qualitative import actions as qualitative_actions
    from tests.test_qualitative import _answer, _campaign, _sector_with_open_questions

    _sector_with_open_questions(world)
    campaign = _campaign(world.org)
    submission = _answer(campaign, "On m'a écouté, enfin.")
    proposal = qualitative_actions.propose_quote(
        world.org, submission_uuid=submission.uuid, question_code="remarques", acting_user=None
    )
    qualitative_actions.decide_quote(world.org, proposal_id=proposal.public_id, approve=True, acting_user=None)
    other_campaign = _campaign(world.other_org)
    other = _answer(other_campaign, "Une autre association")
    other_proposal = qualitative_actions.propose_quote(
        world.other_org, submission_uuid=other.uuid, question_code="remarques", acting_user=None
    )
    qualitative_actions.decide_quote(
        world.other_org, proposal_id=other_proposal.public_id, approve=True, acting_user=None
    )
    client = admin(world)
    forged = client.post(f"/o/{world.org.slug}/impact/", {"mission": "M", "quotes": [str(other_proposal.public_id)]})
    assert forged.status_code == 200 and "Une autre association" not in forged.content.decode()
    saved = client.post(f"/o/{world.org.slug}/impact/", {"mission": "M", "quotes": [str(proposal.public_id)]})
    assert saved.status_code == 302
    actions.publish(world.org, acting_user=None)
    html = public(world.org.slug).content.decode()
    assert "On m&#x27;a écouté, enfin." in html or "On m'a écouté, enfin." in html
    assert world.establishment.name not in html


# --- Photos -------------------------------------------------------------------------------------------------------


def test_photos_are_reencoded_without_metadata_and_bad_files_write_nothing(world: World) -> None:
    client = admin(world)
    upload = io.BytesIO(png_bytes((2400, 1200), gps=True))
    upload.name = "photo.jpg"
    response = client.post(f"/o/{world.org.slug}/impact/photos/", {"image": upload, "alt_text": "Une fête"})
    assert response.status_code == 302
    photo = ImpactPhoto.objects.get()
    stored = Image.open(io.BytesIO(bytes(photo.content)))
    assert stored.format == "JPEG" and max(stored.size) == 1600 and (photo.width, photo.height) == (1600, 800)
    assert not stored.getexif() and "exif" not in stored.info

    for data, message in (
        ({"image": _named(b"not an image at all", "x.png"), "alt_text": "Rien"}, "not an image"),
        ({"image": _named(png_bytes(), "y.png"), "alt_text": "   "}, "alternative text"),
        ({"alt_text": "Sans fichier"}, "Photo"),
    ):
        page = client.post(f"/o/{world.org.slug}/impact/photos/", data, follow=True).content.decode()
        assert message.lower() in page.lower() or "image" in page.lower()
    assert ImpactPhoto.objects.count() == 1


def _named(data: bytes, name: str) -> io.BytesIO:
    out = io.BytesIO(data)
    out.name = name
    return out


def test_a_removed_photo_stays_for_the_version_that_shows_it_and_others_are_not_public(world: World) -> None:
    compose(world, None, [])
    shown = actions.add_photo(world.org, png_bytes(), alt_text="Montrée", acting_user=None)
    actions.publish(world.org, acting_user=None)
    later = actions.add_photo(world.org, png_bytes(), alt_text="Pas encore publiée", acting_user=None)
    actions.remove_photo(shown, acting_user=None)
    assert public(world.org.slug, f"photos/{shown.public_id}.jpg").status_code == 200
    assert public(world.org.slug, f"photos/{later.public_id}.jpg").status_code == 404
    other = actions.add_photo(world.other_org, png_bytes(), alt_text="Ailleurs", acting_user=None)
    assert public(world.org.slug, f"photos/{other.public_id}.jpg").status_code == 404
    assert admin(world).get(f"/o/{world.org.slug}/impact/photos/{other.public_id}/").status_code == 404
    for n in range(5):
        actions.add_photo(world.org, png_bytes(), alt_text=f"Photo {n}", acting_user=None)
    with pytest.raises(ActionError, match="au plus 6"):
        actions.add_photo(world.org, png_bytes(), alt_text="Une de trop", acting_user=None)


# --- The page -----------------------------------------------------------------------------------------------------


def _published_page(world: World, version: FrameworkVersion) -> None:
    earlier = open_campaign(world, version, name="Entrées 2025", days_ago=300)
    respond(earlier, world.establishment, 25, 15)
    campaign = open_campaign(world, version, name="Entrées 2026", days_ago=3)
    respond(campaign, world.establishment, 30, 10)
    compose(
        world,
        campaign,
        ["i_rights", "own_count"],
        activities="Accueil de jour",
        imp_what="Des droits ouverts",
        imp_risk="Des personnes perdues de vue",
        show_theory_of_change=True,
    )
    for n in range(2):
        actions.add_photo(world.org, png_bytes((1200, 800)), alt_text=f"Photo {n}", acting_user=None)
    actions.publish(world.org, acting_user=None)


def test_the_page_is_light_works_without_javascript_prints_and_shares(
    world: World, version: FrameworkVersion, settings: Any
) -> None:
    settings.BASE_URL = "https://socle.example"
    _published_page(world, version)
    response = public(world.org.slug)
    html = response.content.decode()
    assert "<script" not in html.lower()  # nothing needs JavaScript
    styles = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    assert "impact/impact.css" in styles
    css = [
        (STATIC / "web" / "static" / s if s.startswith("socle/") else STATIC / "impact" / "static" / s).read_bytes()
        for s in styles
    ]
    assert any(b"@media print" in c for c in css)
    weight = len(gzip.compress(response.content)) + sum(len(gzip.compress(c)) for c in css)
    print(
        f"\nimpact page weight without photos: {len(response.content)} bytes of HTML, {weight} bytes gzipped with CSS"
    )
    assert weight <= WEIGHT_LIMIT
    for tag in ('property="og:title"', 'property="og:description"', 'property="og:image"', 'name="twitter:card"'):
        assert tag in html
    assert f'content="https://socle.example/impact/{world.org.slug}/"' in html
    assert "Accès aux droits" in html and "Des personnes perdues de vue" in html and "<svg" in html
    assert response["Cache-Control"].startswith("public")

    widget = public(world.org.slug, "widget/")
    assert widget.status_code == 200 and "X-Frame-Options" not in widget.headers
    assert widget["Content-Security-Policy"] == "frame-ancestors *"
    assert "75" in widget.content.decode() and "<script" not in widget.content.decode().lower()
    assert "X-Frame-Options" in response.headers  # the page itself is not framed

    badge = public(world.org.slug, "badge.svg")
    assert badge["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(badge.content)
    assert "75" in "".join(root.itertext()) and "Accès aux droits" in "".join(root.itertext())


def test_the_page_reads_in_english(world: World, version: FrameworkVersion) -> None:
    _published_page(world, version)
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get(f"/impact/{world.org.slug}/").content.decode()
    assert "Impact of" in html and "Access to rights" in html and "How to read these figures" in html
    html_fr = Client().get(f"/impact/{world.org.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Impact de" in html_fr and "Accès aux droits" in html_fr


def test_the_pdf_is_one_page(world: World, version: FrameworkVersion, tmp_path: Path) -> None:
    _published_page(world, version)
    compose(world, world.org.campaigns.order_by("-starts_on").first(), ["i_rights", "own_count"], mission="M " * 900)
    actions.publish(world.org, acting_user=None)
    response = public(world.org.slug, "page.pdf")
    assert response["Content-Type"] == "application/pdf"
    pages, text = pdf_text(response.content, tmp_path)
    assert pages == 1 and world.org.name in text and "75" in text


def test_the_composer_says_how_each_indicator_would_show(world: World, version: FrameworkVersion) -> None:
    campaign = open_campaign(world, version)
    respond(campaign, world.establishment, 3, 4)
    compose(world, campaign, [])
    html = admin(world).get(f"/o/{world.org.slug}/impact/").content.decode()
    assert "Accès aux droits" in html and ("under the disclosure threshold" in html or "sous le seuil" in html)
    staff = login_as(Client(), world.users["org_staff"])
    assert staff.get(f"/o/{world.org.slug}/impact/preview/").status_code == 200
    assert staff.post(f"/o/{world.org.slug}/impact/publish/").status_code == 403


def test_the_directory_lists_published_pages_only(world: World, version: FrameworkVersion) -> None:
    compose(world, None, [])
    actions.publish(world.org, acting_user=None)
    actions.save_draft(world.other_org, {"mission": "Autre"}, acting_user=None)
    actions.publish(world.other_org, acting_user=None)
    actions.unpublish(world.other_org, acting_user=None)
    html = Client().get(f"/sector/{world.network.slug}/members/").content.decode()
    assert f"/impact/{world.org.slug}/" in html and f"/impact/{world.other_org.slug}/" not in html


def test_the_sector_page_links_to_the_directory(world: World) -> None:
    from tests.test_permissions import _add_frameworks, _add_sector

    _add_frameworks(world)
    _add_sector(world)
    html = Client().get(f"/sector/{world.network.slug}/").content.decode()
    assert f'href="/sector/{world.network.slug}/members/"' in html


def test_the_demo_publishes_horizons_page_once(db: None) -> None:
    from socle.collection.demo import load_demo_answers, load_demo_campaign
    from socle.frameworks.demo import load_demo_frameworks
    from socle.impact.demo import load_demo_impact
    from socle.measurement.demo import load_demo_results
    from socle.network.demo import load_demo
    from socle.qualitative.demo import load_demo_qualitative

    result = load_demo("demo-password-123")
    load_demo_frameworks(result.network)
    load_demo_answers(load_demo_campaign(result.network))
    load_demo_results(result.network)
    load_demo_qualitative(result.network)
    publication = load_demo_impact(result.network)
    content = publication.content
    assert publication.version == 1 and len(content["indicators"]) >= 3 and content["quotes"] and content["photos"]
    assert all(i["figure"]["n"] >= 11 for i in content["indicators"])
    assert load_demo_impact(result.network).pk == publication.pk
    assert Client().get("/impact/horizon-solidaire/").status_code == 200


def test_the_contribution_to_the_sector_figures_names_the_publication_the_answers_count_in(world: World) -> None:
    from tests.test_permissions import _add_frameworks, _add_sector

    _add_frameworks(world)
    _add_sector(world)
    page = actions.save_draft(world.org, {"mission": "M", "show_sector": True}, acting_user=None)
    sector = queries.compose(world.org, page)["sector"]
    assert sector["code"] == "mini-2026" and sector["establishments"] == 1 and sector["version"] == 1
    other = actions.save_draft(world.other_org, {"mission": "M", "show_sector": True}, acting_user=None)
    assert queries.compose(world.other_org, other)["sector"] is None  # it took no part
    actions.publish(world.org, acting_user=None)
    html = public(world.org.slug).content.decode()
    assert f'href="/sector/{world.network.slug}/mini-2026/"' in html
