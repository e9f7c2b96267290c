"""Every URL of Socle, tried by every role.

`MATRIX` is the role-by-action matrix of docs/permissions.md, as data. `test_every_url_pattern_has_a_permission_test`
enumerates the URL configuration and fails when a pattern is missing here, so a new view cannot land without
saying who may use it.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from socle.api import actions as api_actions
from socle.collection import actions as collection_actions
from socle.frameworks import actions as frameworks_actions
from socle.frameworks.models import FrameworkVersion
from socle.imports import actions as imports_actions
from socle.network import actions
from socle.network.models import Role
from socle.sector import actions as sector_actions
from socle.sector.costs import load_starting_costs
from tests.conftest import login_as
from tests.factories import ROLES, World
from tests.framework_docs import load, organisation_document, sector_document

OK = "ok"  # 200, 302 elsewhere than the login page, or 422 (a form error shown to someone allowed)
LOGIN = "login"  # 302 to the login page
EVERYONE = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**EVERYONE, "anonymous": LOGIN}


def only(*allowed: str, read_only: tuple[str, ...] = (), default: Any = 404) -> dict[str, Any]:
    """``allowed`` roles succeed, ``read_only`` roles get 403, anonymous goes to login, the rest get 404."""
    expected: dict[str, Any] = dict.fromkeys(ROLES, default)
    expected["anonymous"] = LOGIN
    expected.update(dict.fromkeys(allowed, OK))
    expected.update(dict.fromkeys(read_only, 403))
    return expected


NETWORK_READ = only("network_admin", "network_analyst")
NETWORK_WRITE = only("network_admin", read_only=("network_analyst",))
ORG_READ = only("org_admin", "org_staff", "facilitator")
ORG_WRITE = only("org_admin", read_only=("org_staff", "facilitator"))
IMPORT_WRITE = only("org_admin", read_only=("org_staff", "facilitator"))
ACTIVITY_WRITE = only("org_admin", "org_staff", read_only=("facilitator",))

NETWORK_STAFF = ("network_admin", "network_analyst")
MEMBERS = ("org_admin", "org_staff", "other_org_admin")  # staff of member organisations of the network
FACILITATORS = ("facilitator", "facilitator_without_consent")
SECTOR_READ = only(*NETWORK_STAFF, *FACILITATORS, *MEMBERS)
SECTOR_WRITE = only("network_admin", read_only=("network_analyst", *FACILITATORS, *MEMBERS))

Kwargs = Callable[[World], dict[str, Any]]
net: Kwargs = lambda w: {"slug": w.network.slug}  # noqa: E731
org: Kwargs = lambda w: {"slug": w.org.slug}  # noqa: E731
none: Kwargs = lambda w: {}  # noqa: E731
sector: Kwargs = lambda w: {"slug": "mini"}  # noqa: E731
sector_v1: Kwargs = lambda w: {"slug": "mini", "number": 1}  # noqa: E731
sector_draft: Kwargs = lambda w: {"slug": "mini", "number": 2}  # noqa: E731
own: Kwargs = lambda w: {"slug": "asso-a-mini"}  # noqa: E731
own_draft: Kwargs = lambda w: {"slug": "asso-a-mini", "number": 2}  # noqa: E731
campaign: Kwargs = lambda w: {"slug": w.org.slug, "public_id": w.campaign.public_id}  # type: ignore[attr-defined]  # noqa: E731
place: Kwargs = lambda w: {  # noqa: E731
    "slug": w.org.slug,
    "framework": "asso-a-mini",
    "establishment": w.establishment.public_id,
    "period": "2025",
}
own_framework: Kwargs = lambda w: {"slug": w.org.slug, "framework": "asso-a-mini"}  # noqa: E731
import_job: Kwargs = lambda w: {"slug": w.org.slug, "public_id": w.import_job.public_id}  # type: ignore[attr-defined]  # noqa: E731
api_token: Kwargs = lambda w: {"slug": w.org.slug, "public_id": w.api_token.public_id}  # type: ignore[attr-defined]  # noqa: E731
submission: Kwargs = lambda w: {**campaign(w), "submission_uuid": w.submission.uuid}  # type: ignore[attr-defined]  # noqa: E731


def _publication(world: World) -> dict[str, Any]:
    """The first publication of the sector campaign (``_add_sector`` publishes it)."""
    from socle.sector.models import Publication

    found = Publication.objects.get(sector_campaign=world.sector_campaign, version=1)  # type: ignore[attr-defined]
    return {"slug": world.network.slug, "public_id": found.public_id}


def _report_job(world: World) -> dict[str, Any]:
    """A finished advocacy report job of that publication."""
    from socle.sector.models import Publication, ReportJob

    publication = Publication.objects.get(sector_campaign=world.sector_campaign, version=1)  # type: ignore[attr-defined]
    job = ReportJob.objects.create(
        network=world.network, publication=publication, status="done", step="done", percent=100, content=b"%PDF-"
    )
    return {"slug": world.network.slug, "public_id": job.public_id}


def impact_photo(world: World) -> dict[str, Any]:
    return {"slug": world.org.slug, "public_id": world.impact_photo.public_id}  # type: ignore[attr-defined]


def draft_document(world: World) -> dict[str, Any]:
    from socle.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(framework__slug="mini", number=2).content


def _improvement(world: World, kind: str) -> dict[str, Any]:
    """A target or a planned action of asso-a, made through the real actions the first time it is asked for."""
    from socle.frameworks.models import Framework
    from socle.improvement import actions as improvement_actions

    framework = Framework.objects.get(slug="asso-a-mini")
    if kind == "target":
        made: Any = improvement_actions.set_target(
            organisation=world.org, framework=framework, indicator="i_rights", value=70, acting_user=None
        )
    else:
        made = improvement_actions.create_action(
            organisation=world.org, framework=framework, title="Agir", acting_user=None
        )
    return {"slug": world.org.slug, "public_id": made.public_id}


# (url name, method) -> (kwargs, POST data, expected status per role)
MATRIX: dict[tuple[str, str], tuple[Kwargs, Any, dict[str, Any]]] = {
    ("web:home", "GET"): (none, {}, EVERYONE),
    ("web:healthz", "GET"): (none, {}, EVERYONE),
    ("set_language", "POST"): (none, {"language": "en"}, EVERYONE),
    ("accounts:login", "GET"): (none, {}, EVERYONE),
    ("accounts:logout", "POST"): (none, {}, EVERYONE),
    ("accounts:verify", "GET"): (none, {}, SIGNED_IN),
    ("accounts:security", "GET"): (none, {}, SIGNED_IN),
    ("accounts:totp_setup", "GET"): (none, {}, SIGNED_IN),
    ("accounts:totp_disable", "POST"): (none, {}, SIGNED_IN),
    ("network:accept_invitation", "GET"): (
        lambda w: {"token": w.invitation_token},  # type: ignore[attr-defined]
        {},
        {**dict.fromkeys(ROLES, 403), "anonymous": OK},
    ),
    ("network:network_home", "GET"): (net, {}, NETWORK_READ),
    ("network:frame", "GET"): (net, {}, NETWORK_READ),
    ("network:frame_import", "GET"): (net, {}, NETWORK_WRITE),
    ("network:frame_import", "POST"): (net, {}, NETWORK_WRITE),
    ("network:members", "GET"): (net, {}, NETWORK_READ),
    ("network:invite_organisation", "POST"): (net, {"email": "x@example.org"}, NETWORK_WRITE),
    ("network:invite_from_frame", "POST"): (net, {}, NETWORK_WRITE),
    ("network:member_detail", "GET"): (
        lambda w: {"slug": w.network.slug, "org": w.org.slug},
        {},
        NETWORK_READ,
    ),
    ("network:network_team", "GET"): (net, {}, NETWORK_READ),
    ("network:network_team", "POST"): (
        net,
        {"email": "new@example.org", "role": "network_analyst"},
        NETWORK_WRITE,
    ),
    ("network:organisation_home", "GET"): (org, {}, ORG_READ),
    ("network:establishment_detail", "GET"): (
        lambda w: {"slug": w.org.slug, "public_id": w.establishment.public_id},
        {},
        ORG_READ,
    ),
    ("network:organisation_team", "GET"): (org, {}, ORG_READ),
    ("network:organisation_team", "POST"): (
        org,
        {"email": "new@example.org", "role": "org_staff"},
        ORG_WRITE,
    ),
    ("network:facilitators", "GET"): (org, {}, ORG_READ),
    ("network:facilitators", "POST"): (org, {"facilitator": "", "decision": "grant"}, ORG_WRITE),
    # Frameworks. The world holds the sector framework "mini": v1 published, v2 a draft open to consultation;
    # and asso-a's framework on it: v1 published, v2 a draft.
    ("frameworks:schema", "GET"): (none, {}, EVERYONE),
    ("frameworks:network_frameworks", "GET"): (net, {}, NETWORK_READ),
    ("frameworks:network_frameworks", "POST"): (net, {}, NETWORK_WRITE),
    ("frameworks:organisation_frameworks", "GET"): (org, {}, ORG_READ),
    ("frameworks:adopt", "POST"): (org, {"framework": "mini", "version": "1"}, ORG_WRITE),
    ("frameworks:framework", "GET"): (sector, {}, SECTOR_READ),
    ("frameworks:version", "GET"): (sector_v1, {}, SECTOR_READ),
    ("frameworks:indicators", "GET"): (sector_v1, {}, SECTOR_READ),
    ("frameworks:questionnaire", "GET"): (lambda w: {**sector_v1(w), "code": "entry"}, {}, SECTOR_READ),
    ("frameworks:export", "GET"): (lambda w: {**sector_v1(w), "fmt": "yaml"}, {}, SECTOR_READ),
    ("frameworks:export_xlsform", "GET"): (lambda w: {**sector_v1(w), "code": "entry"}, {}, SECTOR_READ),
    ("frameworks:diff", "GET"): (sector, {}, SECTOR_READ),
    ("frameworks:edit", "GET"): (sector_draft, {}, SECTOR_WRITE),
    ("frameworks:edit", "POST"): (sector_draft, {"text": ""}, SECTOR_WRITE),
    ("frameworks:publish", "POST"): (sector_draft, {}, SECTOR_WRITE),
    ("frameworks:new_draft", "POST"): (sector, {}, SECTOR_WRITE),
    ("frameworks:import_xlsform", "GET"): (sector_draft, {}, SECTOR_WRITE),
    ("frameworks:consultation", "GET"): (sector_draft, {}, only(*NETWORK_STAFF, *MEMBERS)),
    ("frameworks:consultation_open", "POST"): (sector_draft, {"message": "x"}, SECTOR_WRITE),
    ("frameworks:consultation_close", "POST"): (sector_draft, {}, SECTOR_WRITE),
    ("frameworks:consultation_comment", "POST"): (
        sector_draft,
        {"element": "general:", "text": "x"},
        only("network_admin", *MEMBERS, read_only=("network_analyst",)),
    ),
    ("frameworks:consultation_views", "POST"): (
        sector_draft,
        {"view-i_rights": "keep"},
        only("org_admin", "other_org_admin", read_only=(*NETWORK_STAFF, "org_staff")),
    ),
    ("frameworks:build", "GET"): (own_draft, {}, ORG_WRITE),
    ("frameworks:build", "POST"): (own_draft, {}, ORG_WRITE),
    ("frameworks:upgrade", "POST"): (own, {}, ORG_WRITE),
    ("frameworks:import_xlsform", "POST"): (sector_draft, {}, SECTOR_WRITE),
    ("frameworks:remove_element", "POST"): (own_draft, {}, ORG_WRITE),
    ("frameworks:upgrade", "GET"): (own, {}, ORG_READ),
    # Collection. The world holds an entry campaign of asso-a, on its framework, for one establishment.
    ("collection:campaigns", "GET"): (org, {}, ORG_READ),
    ("collection:campaigns", "POST"): (org, {}, ORG_WRITE),
    ("collection:campaign", "GET"): (campaign, {}, ORG_READ),
    # The respondent form is public: whoever has the link answers (a closed campaign's link is 404).
    ("collection:respond", "GET"): (lambda w: {"code": w.link.code}, {}, EVERYONE),  # type: ignore[attr-defined]
    ("collection:respond", "POST"): (lambda w: {"code": w.link.code}, {"action": "start"}, EVERYONE),  # type: ignore[attr-defined]
    # The offline form: its questionnaire and service worker are public; the JSON endpoint takes JSON only (415
    # to the matrix's form post; with JSON every role sends in self mode: tests/test_respondent_offline.py).
    ("collection:respond_questionnaire", "GET"): (lambda w: {"code": w.link.code}, {}, EVERYONE),  # type: ignore[attr-defined]
    ("collection:respond_sw", "GET"): (none, {}, EVERYONE),
    ("collection:respond_submit", "POST"): (lambda w: {"code": w.link.code}, {}, dict.fromkeys(ROLES, 415)),  # type: ignore[attr-defined]
    # Raw answers: the organisation's own people only; a consenting facilitator gets 404.
    ("collection:export", "GET"): (
        lambda w: {**campaign(w), "fmt": "csv"},
        {},
        only("org_admin", "org_staff"),
    ),
    ("collection:link_qr", "GET"): (lambda w: {**campaign(w), "code": w.link.code}, {}, ORG_READ),  # type: ignore[attr-defined]
    ("collection:paper", "GET"): (lambda w: {**campaign(w), "code": w.link.code}, {}, ORG_READ),  # type: ignore[attr-defined]
    ("collection:submissions", "GET"): (campaign, {}, only("org_admin", "org_staff")),
    ("collection:submission", "GET"): (submission, {}, only("org_admin", "org_staff")),
    ("collection:correct", "GET"): (submission, {}, only("org_admin", "org_staff")),
    ("collection:correct", "POST"): (submission, {}, only("org_admin", "org_staff")),
    # Activity data: the organisation's admins and staff enter it, consenting facilitators read it.
    ("activity:overview", "GET"): (org, {}, ORG_READ),
    ("activity:entry", "GET"): (place, {}, ACTIVITY_WRITE),
    ("activity:entry", "POST"): (place, {}, ACTIVITY_WRITE),
    ("activity:history", "GET"): (place, {}, ORG_READ),
    ("activity:import", "GET"): (own_framework, {}, ACTIVITY_WRITE),
    ("activity:import", "POST"): (own_framework, {}, ACTIVITY_WRITE),
    ("activity:template", "GET"): (own_framework, {}, ORG_READ),
    # Results: aggregates read from facts, for the organisation's people and consenting facilitators.
    ("measurement:dashboard", "GET"): (org, {}, ORG_READ),
    ("measurement:indicator", "GET"): (lambda w: {"slug": w.org.slug, "code": "i_rights"}, {}, ORG_READ),
    ("measurement:export", "GET"): (lambda w: {"slug": w.org.slug, "fmt": "csv"}, {}, ORG_READ),
    ("measurement:report", "GET"): (org, {}, ORG_READ),
    ("measurement:report_pdf", "GET"): (org, {}, ORG_READ),
    # Open answers are raw answers: the organisation's own people; the counts per theme also consenting facilitators.
    ("qualitative:answers", "GET"): (org, {}, only("org_admin", "org_staff")),
    ("qualitative:code", "POST"): (org, {}, only("org_admin", "org_staff")),
    ("qualitative:quotes", "GET"): (org, {}, only("org_admin", "org_staff")),
    ("qualitative:propose", "POST"): (org, {}, only("org_admin", "org_staff")),
    ("qualitative:decide", "POST"): (org, {}, only("org_admin", read_only=("org_staff",))),
    ("qualitative:themes", "GET"): (org, {}, ORG_READ),
    ("qualitative:themes", "POST"): (
        org,
        {"name": "Logement"},
        only("org_admin", "org_staff", read_only=("facilitator",)),
    ),
    ("qualitative:theme_archive", "POST"): (org, {}, only("org_admin", "org_staff", read_only=("facilitator",))),
    # Continuous improvement: the organisation's admins and staff set targets and plan actions; facilitators read.
    ("improvement:overview", "GET"): (org, {}, ORG_READ),
    ("improvement:compare", "GET"): (org, {}, ORG_READ),
    ("improvement:target_new", "GET"): (org, {}, ACTIVITY_WRITE),
    ("improvement:target_new", "POST"): (org, {"indicator": "i_rights", "value": "70"}, ACTIVITY_WRITE),
    ("improvement:target_edit", "GET"): (lambda w: _improvement(w, "target"), {}, ACTIVITY_WRITE),
    ("improvement:target_edit", "POST"): (lambda w: _improvement(w, "target"), {"value": "60"}, ACTIVITY_WRITE),
    ("improvement:target_remove", "POST"): (lambda w: _improvement(w, "target"), {}, ACTIVITY_WRITE),
    ("improvement:action_new", "GET"): (org, {}, ACTIVITY_WRITE),
    ("improvement:action_new", "POST"): (org, {"title": "Agir", "status": "planned"}, ACTIVITY_WRITE),
    ("improvement:action_edit", "GET"): (lambda w: _improvement(w, "action"), {}, ACTIVITY_WRITE),
    ("improvement:action_edit", "POST"): (lambda w: _improvement(w, "action"), {"title": ""}, ACTIVITY_WRITE),
    ("improvement:action_remove", "POST"): (lambda w: _improvement(w, "action"), {}, ACTIVITY_WRITE),
    # Sector campaigns belong to the network: its staff read them, its admins open them.
    ("sector:home", "GET"): (net, {}, NETWORK_READ),
    ("sector:home", "POST"): (
        net,
        {
            "min_establishments": 3,
            "min_people_share": "0.1",
            "trim": "3.5",
            "method": "poststratification",
            "min_weighting_establishments": 2,
        },
        NETWORK_WRITE,
    ),
    ("sector:consolidate", "POST"): (
        lambda w: {"slug": w.network.slug, "public_id": w.sector_campaign.public_id},  # type: ignore[attr-defined]
        {},
        NETWORK_WRITE,
    ),
    ("sector:consolidation", "GET"): (
        lambda w: {"slug": w.network.slug, "public_id": w.consolidation.public_id},  # type: ignore[attr-defined]
        {},
        NETWORK_READ,
    ),
    ("sector:consolidation", "POST"): (
        lambda w: {"slug": w.network.slug, "public_id": w.consolidation.public_id},  # type: ignore[attr-defined]
        {"step": "publish"},
        NETWORK_WRITE,
    ),
    ("sector:costs", "GET"): (net, {}, NETWORK_READ),
    ("sector:costs", "POST"): (net, {"step": "load_starting"}, NETWORK_WRITE),
    ("sector:unit_cost", "GET"): (
        lambda w: {"slug": w.network.slug, "public_id": w.unit_cost.public_id},  # type: ignore[attr-defined]
        {},
        NETWORK_READ,
    ),
    ("sector:unit_cost", "POST"): (
        lambda w: {"slug": w.network.slug, "public_id": w.unit_cost.public_id},  # type: ignore[attr-defined]
        {"label_fr": "Nuitée", "value": "20", "unit": "night", "year": 2024, "source": "Test"},
        NETWORK_WRITE,
    ),
    ("sector:member_home", "GET"): (org, {}, ORG_READ),
    ("sector:member_consolidation", "GET"): (
        lambda w: {"slug": w.org.slug, "public_id": w.consolidation.public_id},  # type: ignore[attr-defined]
        {},
        ORG_READ,
    ),
    ("sector:member_consolidation", "POST"): (
        lambda w: {"slug": w.org.slug, "public_id": w.consolidation.public_id},  # type: ignore[attr-defined]
        {"decision": "validated", "comment": "", "named": "on"},
        ORG_WRITE,
    ),
    ("sector:public_sector", "GET"): (lambda w: {"network_slug": w.network.slug}, {}, EVERYONE),
    ("sector:public_campaign", "GET"): (lambda w: {"network_slug": w.network.slug, "code": "mini-2026"}, {}, EVERYONE),
    ("sector:public_version", "GET"): (
        lambda w: {"network_slug": w.network.slug, "code": "mini-2026", "version": 1},
        {},
        EVERYONE,
    ),
    # The advocacy report: public for the latest publication; its PDF is made in the background by network admins.
    ("sector:public_report", "GET"): (lambda w: {"network_slug": w.network.slug, "code": "mini-2026"}, {}, EVERYONE),
    ("sector:public_report_pdf", "GET"): (
        lambda w: {"network_slug": w.network.slug, "code": "mini-2026"},
        {},
        EVERYONE,
    ),
    ("sector:report_start", "POST"): (_publication, {"region": ""}, NETWORK_WRITE),
    ("sector:report_job", "GET"): (_report_job, {}, NETWORK_READ),
    ("sector:report_job_pdf", "GET"): (_report_job, {}, NETWORK_READ),
    # Open data of published figures: public, like the pages.
    ("sector:public_opendata", "GET"): (lambda w: {"network_slug": w.network.slug, "code": "mini-2026"}, {}, EVERYONE),
    ("sector:public_version_opendata", "GET"): (
        lambda w: {"network_slug": w.network.slug, "code": "mini-2026", "version": 1},
        {},
        EVERYONE,
    ),
    # Impact pages: the organisation composes and publishes (admins write); the published page is public.
    ("impact:composer", "GET"): (org, {}, ORG_READ),
    ("impact:composer", "POST"): (org, {"mission": "Notre mission"}, ORG_WRITE),
    ("impact:preview", "GET"): (org, {}, ORG_READ),
    ("impact:publish", "POST"): (org, {}, ORG_WRITE),
    ("impact:unpublish", "POST"): (org, {}, ORG_WRITE),
    ("impact:photo_add", "POST"): (org, {}, ORG_WRITE),
    ("impact:draft_photo", "GET"): (impact_photo, {}, ORG_READ),
    ("impact:photo_remove", "POST"): (impact_photo, {}, ORG_WRITE),
    ("impact:version", "GET"): (lambda w: {"slug": w.org.slug, "number": 1}, {}, ORG_READ),
    ("impact:public_page", "GET"): (org, {}, EVERYONE),
    ("impact:public_widget", "GET"): (org, {}, EVERYONE),
    ("impact:public_badge", "GET"): (org, {}, EVERYONE),
    ("impact:public_pdf", "GET"): (org, {}, EVERYONE),
    ("impact:public_photo", "GET"): (impact_photo, {}, EVERYONE),
    ("impact:directory", "GET"): (lambda w: {"network_slug": w.network.slug}, {}, EVERYONE),
    # Learning paths: published paths are public; a learner learns in the organisation's space (every role of it);
    # admins and consenting facilitators read the shared progress; network staff edit the paths.
    ("learning:catalogue", "GET"): (none, {}, EVERYONE),
    ("learning:public_path", "GET"): (lambda w: {"network_slug": w.network.slug, "code": "essai"}, {}, EVERYONE),
    ("learning:public_lesson", "GET"): (
        lambda w: {"network_slug": w.network.slug, "code": "essai", "lesson": "l1"},
        {},
        EVERYONE,
    ),
    ("learning:learner_home", "GET"): (org, {}, ORG_READ),
    ("learning:learners", "GET"): (org, {}, only("org_admin", "facilitator", read_only=("org_staff",))),
    ("learning:path", "GET"): (lambda w: {"slug": w.org.slug, "code": "essai"}, {}, ORG_READ),
    ("learning:share", "POST"): (lambda w: {"slug": w.org.slug, "code": "essai"}, {"shared": "on"}, ORG_READ),
    # the certificate exists once the path is completed (tests/test_learning.py): nobody has completed it here
    ("learning:certificate", "GET"): (lambda w: {"slug": w.org.slug, "code": "essai"}, {}, only()),
    ("learning:lesson", "GET"): (lambda w: {"slug": w.org.slug, "code": "essai", "lesson": "l1"}, {}, ORG_READ),
    ("learning:lesson", "POST"): (lambda w: {"slug": w.org.slug, "code": "essai", "lesson": "l1"}, {}, ORG_READ),
    ("learning:module", "GET"): (lambda w: {"slug": w.org.slug, "code": "essai", "module": "m1"}, {}, ORG_READ),
    ("learning:quiz", "POST"): (
        lambda w: {"slug": w.org.slug, "code": "essai", "module": "m1"},
        {"q1": "0"},
        ORG_READ,
    ),
    ("learning:exercise", "POST"): (lambda w: {"slug": w.org.slug, "code": "essai", "exercise": "e1"}, {}, ORG_READ),
    ("learning:network_paths", "GET"): (net, {}, NETWORK_READ),
    ("learning:network_paths", "POST"): (net, {"text": "x: ["}, NETWORK_WRITE),
    ("learning:network_path", "GET"): (lambda w: {"slug": w.network.slug, "code": "essai"}, {}, NETWORK_READ),
    ("learning:network_diff", "GET"): (lambda w: {"slug": w.network.slug, "code": "essai"}, {}, NETWORK_READ),
    ("learning:network_module_add", "GET"): (
        lambda w: {"slug": w.network.slug, "code": "essai"},
        {"module": "m2"},
        NETWORK_WRITE,
    ),
    ("learning:network_module", "GET"): (
        lambda w: {"slug": w.network.slug, "code": "essai", "module": "m1"},
        {},
        NETWORK_READ,
    ),
    ("learning:network_module", "POST"): (
        lambda w: {"slug": w.network.slug, "code": "essai", "module": "m1"},
        {"text": "x: [", "base": "0"},
        NETWORK_WRITE,
    ),
    ("learning:network_publish", "POST"): (
        lambda w: {"slug": w.network.slug, "code": "essai", "number": 1},
        {},
        NETWORK_WRITE,
    ),
    ("learning:network_preview", "GET"): (
        lambda w: {"slug": w.network.slug, "code": "essai", "number": 1},
        {},
        NETWORK_READ,
    ),
    ("learning:network_export", "GET"): (
        lambda w: {"slug": w.network.slug, "code": "essai", "number": 1},
        {},
        NETWORK_READ,
    ),
    ("collection:sector_campaigns", "GET"): (net, {}, NETWORK_READ),
    ("collection:sector_campaigns", "POST"): (net, {}, NETWORK_WRITE),
    ("collection:sector_campaign", "GET"): (
        lambda w: {"slug": w.network.slug, "public_id": w.sector_campaign.public_id},  # type: ignore[attr-defined]
        {},
        NETWORK_READ,
    ),
    # The API answers 401 to a request without a session, and 409 to a second draft.
    ("api-v1:get_version", "GET"): (sector_v1, {}, {**SECTOR_READ, "anonymous": 401}),
    ("api-v1:put_version", "PUT"): (sector_draft, draft_document, {**SECTOR_WRITE, "anonymous": 401}),
    ("api-v1:post_version", "POST"): (sector, {}, {**SECTOR_WRITE, "anonymous": 401, "network_admin": 409}),
    # Submissions come with an organisation's API token, never with a session: every role gets 401.
    ("api-v1:post_submission", "POST"): (none, {}, dict.fromkeys(ROLES, 401)),
    ("api-v1:openapi-json", "GET"): (none, {}, EVERYONE),
    ("api-v1:openapi-view", "GET"): (none, {}, EVERYONE),
    ("api-v1:api-root", "GET"): (none, {}, dict.fromkeys(ROLES, 404)),
    ("api-v1:list_submissions", "GET"): (none, {}, dict.fromkeys(ROLES, 401)),
    ("api-v1:export_submissions_csv", "GET"): (none, {}, dict.fromkeys(ROLES, 401)),
    ("api-v1:export_submissions_xlsx", "GET"): (none, {}, dict.fromkeys(ROLES, 401)),
    ("api-v1:get_results", "GET"): (none, {}, dict.fromkeys(ROLES, 401)),  # a token, never a session
    ("api-v1:get_submission", "GET"): (
        lambda w: {"submission_id": "5a4d3c2b-1a09-4876-8543-210fedcba987"},
        {},
        dict.fromkeys(ROLES, 401),
    ),
    # Published sector figures are public: no token, no session.
    ("api-v1:list_sector_publications", "GET"): (lambda w: {"network": w.network.slug}, {}, EVERYONE),
    ("api-v1:get_sector_publication", "GET"): (
        lambda w: {"network": w.network.slug, "code": "mini-2026"},
        {},
        EVERYONE,
    ),
    # API tokens: the organisation's admins manage them.
    ("api:tokens", "GET"): (org, {}, ORG_WRITE),
    ("api:tokens", "POST"): (org, {"name": "Kobo", "scopes": ["submissions:read"]}, ORG_WRITE),
    ("api:token_revoke", "GET"): (api_token, {}, ORG_WRITE),
    ("api:token_revoke", "POST"): (api_token, {}, ORG_WRITE),
    # Imports of files of answers: the organisation's admins (the error report holds raw cell values).
    ("imports:upload", "GET"): (campaign, {}, IMPORT_WRITE),
    ("imports:upload", "POST"): (campaign, {}, IMPORT_WRITE),
    ("imports:mapping", "GET"): (import_job, {}, IMPORT_WRITE),
    ("imports:mapping", "POST"): (import_job, {}, IMPORT_WRITE),
    ("imports:progress", "GET"): (import_job, {}, IMPORT_WRITE),
    ("imports:result", "GET"): (import_job, {}, IMPORT_WRITE),
    ("imports:errors", "GET"): (lambda w: {**import_job(w), "fmt": "csv"}, {}, IMPORT_WRITE),
    ("imports:codes", "GET"): (lambda w: {**import_job(w), "fmt": "csv"}, {}, IMPORT_WRITE),
    # The Django admin checks its own permissions (is_staff); no role of Socle reaches it.
    ("admin:index", "GET"): (none, {}, dict.fromkeys(ROLES, "admin_login")),
}

# API endpoints that need the sector world (a published sector campaign).
SECTOR_API = {"api-v1:list_sector_publications", "api-v1:get_sector_publication"}

# Django's admin site registers hundreds of patterns; its entry point stands for them all.
EXCLUDED_NAMESPACES = {"admin"}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                names.add(f"{namespace}<unnamed {pattern.pattern}>")
            else:
                names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_permission_test() -> None:
    covered = {name for name, _method in MATRIX}
    names = {n for n in _url_names(get_resolver()) if n.split(":")[0] not in EXCLUDED_NAMESPACES}
    missing = sorted(names - covered)
    assert not missing, f"URL patterns without a permission test in MATRIX: {missing}"
    assert covered - {"admin:index"} <= names, f"MATRIX names unknown URLs: {sorted(covered - names)}"


def test_the_documented_matrix_lists_every_url() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "permissions.md").read_text()
    for name, method in MATRIX:
        assert f"`{name}` {method}" in doc, f"docs/permissions.md does not document `{name}` {method}"


@pytest.fixture
def world_with_invitation(world: World) -> World:
    sent = actions.invite(
        network=world.network,
        organisation=world.org,
        email="invitee@example.org",
        role=Role.ORG_STAFF,
        acting_user=None,
    )
    world.invitation_token = sent.url.rstrip("/").rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    return world


def _add_frameworks(world: World) -> None:
    sector_v1 = load(sector_document(), network=world.network)
    draft = frameworks_actions.create_draft(sector_v1.framework, acting_user=None)
    frameworks_actions.open_consultation(draft, message="Votre avis", acting_user=None)
    own_v1 = load(organisation_document(world.org), publish=True)
    frameworks_actions.create_draft(own_v1.framework, acting_user=None)
    campaign = collection_actions.open_campaign(
        world.org,
        own_v1,
        name="Entrées",
        wave="entry",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today() + datetime.timedelta(days=30),
        establishments=[world.establishment],
        acting_user=None,
    )
    world.campaign = campaign  # type: ignore[attr-defined]
    world.link = campaign.links.get()  # type: ignore[attr-defined]
    world.submission = collection_actions.submit(  # type: ignore[attr-defined]
        campaign=campaign,
        establishment=world.establishment,
        questionnaire_code=world.link.questionnaire_code,  # type: ignore[attr-defined]
        submission_uuid=uuid.uuid4(),
        answers={"droits": "oui"},
        mode="self",
    ).submission
    job = imports_actions.create_job(
        target=imports_actions.target_of(campaign, "entry", world.establishment),
        file_name="a.csv",
        content=b"id_ligne;droits\n1;oui\n",
        acting_user=None,
    )
    imports_actions.queue_job(job, targets=[t for _, t in job.mapping], dry_run=False, acting_user=None)
    imports_actions.run_job(job.pk)
    world.import_job = job  # type: ignore[attr-defined]
    world.api_token = api_actions.create_token(  # type: ignore[attr-defined]
        world.org, name="Kobo", scopes=["submissions:write"], acting_user=None
    )[0]
    world.sector_campaign = collection_actions.open_sector_campaign(  # type: ignore[attr-defined]
        world.network,
        sector_v1,
        name="Mini 2026",
        code="mini-2026",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today() + datetime.timedelta(days=300),
        acting_user=None,
    )


def _add_sector(world: World) -> None:
    """A campaign of the organisation in the sector campaign with one answer, consolidated and in review; and a
    first publication of it (so that the public pages exist), then a second consolidation in review."""
    own_v1 = FrameworkVersion.objects.get(framework__slug="asso-a-mini", number=1)
    joined = collection_actions.open_campaign(
        world.org,
        own_v1,
        name="Entrées secteur",
        wave="entry",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today() + datetime.timedelta(days=30),
        establishments=[world.establishment],
        acting_user=None,
        sector_campaign=world.sector_campaign,  # type: ignore[attr-defined]
    )
    collection_actions.submit(
        campaign=joined,
        establishment=world.establishment,
        questionnaire_code=joined.links.get().questionnaire_code,
        submission_uuid=uuid.uuid4(),
        answers={"droits": "oui"},
        mode="self",
    )
    first = sector_actions.consolidate(world.sector_campaign, acting_user=None)  # type: ignore[attr-defined]
    sector_actions.publish(sector_actions.open_review(first, message="", acting_user=None), acting_user=None)
    second = sector_actions.consolidate(world.sector_campaign, acting_user=None)  # type: ignore[attr-defined]
    world.consolidation = sector_actions.open_review(second, message="", acting_user=None)  # type: ignore[attr-defined]
    load_starting_costs(world.network, acting_user=None)
    world.unit_cost = world.network.unit_costs.get(code="emergency_visit")  # type: ignore[attr-defined]


def _add_impact(world: World) -> None:
    """The organisation's impact page, with a photo, published once."""
    from socle.impact import actions as impact_actions
    from tests.test_impact import png_bytes

    impact_actions.save_draft(world.org, {"mission": "Accompagner"}, acting_user=None)
    world.impact_photo = impact_actions.add_photo(  # type: ignore[attr-defined]
        world.org, png_bytes(), alt_text="Un dessin", acting_user=None
    )
    impact_actions.publish(world.org, acting_user=None)


def _add_learning(world: World) -> None:
    """A published learning path of the network (the small test path)."""
    from socle.learning import actions as learning_actions
    from tests.test_lib_learning import document

    learning_actions.load_path(world.network, document(), publish=True, acting_user=None)


def _outcome(response: Any) -> Any:
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith("/admin/login/"):
            return "admin_login"
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        return OK
    if response.status_code in (200, 422):
        return OK
    return response.status_code


CASES = [(name, method, role) for (name, method) in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_role_gets_what_the_matrix_says(
    world_with_invitation: World, client: Client, name: str, method: str, role: str
) -> None:
    kwargs, data, expected = MATRIX[(name, method)]
    if name.startswith(
        ("frameworks:", "api-v1:", "collection:", "activity:", "api:", "imports:", "improvement:", "measurement:",
         "sector:")
    ):  # fmt: skip
        _add_frameworks(world_with_invitation)
    if name.startswith("sector:") or name in SECTOR_API:
        _add_sector(world_with_invitation)
    if name.startswith("impact:"):
        _add_impact(world_with_invitation)
    if name.startswith("learning:"):
        _add_learning(world_with_invitation)
    url = reverse(name, kwargs=kwargs(world_with_invitation))
    login_as(client, world_with_invitation.users[role])
    if method == "PUT":
        body = data(world_with_invitation) if callable(data) else data
        response = client.put(url, json.dumps(body), content_type="application/json")
    elif method == "POST":
        response = client.post(url, data)
    else:
        response = client.get(url)
    assert _outcome(response) == expected[role], (
        f"{role} {method} {url}: got {response.status_code} {response.headers.get('Location', '')}"
    )


def test_post_without_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    login_as(client, world.users["org_admin"])
    response = client.post(
        reverse("network:organisation_team", args=[world.org.slug]), {"email": "a@b.org", "role": "org_staff"}
    )
    assert response.status_code == 403
