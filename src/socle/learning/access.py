"""The one way views reach learning paths and progress.

Published paths are public (the catalogue ``/learn/`` and the lessons). A learner's progress belongs to the person
and the organisation: the person reads and changes it through the organisation's space (any role of the
organisation, facilitators included, may learn); the organisation's admins and its consenting facilitators read
the progress of the learners who agreed to share it. Network staff edit their network's paths.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest

from socle.learning.models import LearningPath, PathVersion, Progress
from socle.network.access import NetworkAccess, OrganisationAccess, get_network_for_user, get_organisation_for_user
from socle.network.models import Network, Role


def paths_of(network_id: int) -> QuerySet[LearningPath]:
    """Every query for a network's paths starts here (tenant key: network_id)."""
    return LearningPath.objects.filter(network_id=network_id)


def progress_of(organisation_id: int) -> QuerySet[Progress]:
    """Every query for progress starts here (tenant key: organisation_id)."""
    return Progress.objects.filter(organisation_id=organisation_id)


def latest_published(path: LearningPath) -> PathVersion | None:
    return path.versions.filter(published_at__isnull=False).order_by("-number").first()


def published_paths(network_id: int | None = None) -> list[PathVersion]:
    """The latest published version of each path of a network (of every network when None), by network and
    code: one query, which reads no superseded version."""
    latest = (
        PathVersion.objects.filter(path=OuterRef("path"), published_at__isnull=False)
        .order_by("-number")
        .values("number")[:1]
    )
    versions = PathVersion.objects.filter(published_at__isnull=False, number=Subquery(latest))
    if network_id is not None:
        versions = versions.filter(path__in=paths_of(network_id))
    return list(versions.select_related("path__network").order_by("path__network__name", "path__code"))


def network_learning_path(network_id: int, code: str) -> LearningPath:
    """The network's path ``code`` (with its network), for its staff; 404 otherwise."""
    path = paths_of(network_id).select_related("network").filter(code=code).first()
    if path is None:
        raise Http404
    return path


def network_version(network_id: int, code: str, number: int) -> PathVersion:
    """Version ``number`` of the network's path ``code``, draft or published; 404 otherwise."""
    version = PathVersion.objects.filter(path__in=paths_of(network_id), path__code=code, number=number).first()
    if version is None:
        raise Http404
    return version


def get_public_path(network_slug: str, code: str) -> tuple[Network, PathVersion]:
    """A path's latest published version, for anybody; 404 otherwise."""
    network = Network.objects.filter(slug=network_slug).first()
    path = paths_of(network.pk).filter(code=code).first() if network is not None else None
    version = latest_published(path) if path is not None else None
    if network is None or version is None:
        raise Http404
    return network, version


def get_learner(request: HttpRequest, slug: str) -> OrganisationAccess:
    """Anybody of the organisation (its people and consenting facilitators) learns in its space."""
    return get_organisation_for_user(request, slug)


def get_learners_for_user(request: HttpRequest, slug: str) -> OrganisationAccess:
    """The progress of learners who share it: the organisation's admins and consenting facilitators (others 404,
    staff 403)."""
    access = get_organisation_for_user(request, slug)
    if access.role not in (Role.ORG_ADMIN, Role.FACILITATOR):
        raise PermissionDenied
    return access


def get_paths_for_network(request: HttpRequest, slug: str, *, write: bool = False) -> NetworkAccess:
    return get_network_for_user(request, slug, write=write)
