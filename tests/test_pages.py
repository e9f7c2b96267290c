"""Pages read like a person expects, and their number of queries does not grow with the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login_as
from tests.factories import World, make_establishment, make_organisation

pytestmark = pytest.mark.django_db


def _grow(world: World, n: int) -> None:
    for i in range(n):
        organisation = make_organisation(world.network, member=i % 2 == 0)
        make_establishment(world.network, organisation, participates=i % 2 == 0, departement="69", region="84")


@pytest.mark.parametrize(
    ("role", "url_name", "kwargs"),
    [
        ("network_analyst", "network:network_home", lambda w: [w.network.slug]),
        ("network_analyst", "network:frame", lambda w: [w.network.slug]),
        ("network_analyst", "network:members", lambda w: [w.network.slug]),
        ("org_admin", "network:organisation_home", lambda w: [w.org.slug]),
    ],
)
def test_query_count_does_not_grow_with_the_frame(
    world: World, client: Client, django_assert_max_num_queries, role: str, url_name: str, kwargs
) -> None:  # type: ignore[no-untyped-def]
    login_as(client, world.users[role])
    url = reverse(url_name, args=kwargs(world))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 30)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200
    assert len(small) <= 15, f"{url_name} makes {len(small)} queries"


def test_network_home_counts_participation(world: World, client: Client) -> None:
    login_as(client, world.users["network_analyst"])
    response = client.get(reverse("network:network_home", args=[world.network.slug]))
    summary = response.context["summary"]
    assert summary.total.establishments == 3
    assert summary.total.participating == 2
    assert summary.members == 2 and summary.organisations == 3


def test_frame_filters_by_name_and_participation(world: World, client: Client) -> None:
    login_as(client, world.users["network_analyst"])
    url = reverse("network:frame", args=[world.network.slug])
    assert client.get(url, {"participates": "no"}).context["page"].paginator.count == 1
    assert client.get(url, {"q": world.establishment.finess}).context["page"].paginator.count == 1
    assert client.get(url, {"participates": "maybe"}).status_code == 200  # an invalid filter shows everything


def test_organisation_home_shows_only_its_own_establishments(world: World, client: Client) -> None:
    login_as(client, world.users["org_admin"])
    page = client.get(reverse("network:organisation_home", args=[world.org.slug])).content.decode()
    assert world.establishment.name in page
    assert world.other_establishment.name not in page


def test_an_establishment_of_another_organisation_is_a_404(world: World, client: Client) -> None:
    login_as(client, world.users["org_admin"])
    url = reverse("network:establishment_detail", args=[world.org.slug, world.other_establishment.public_id])
    assert client.get(url).status_code == 404
