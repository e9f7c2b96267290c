"""The JSON API, `/api/v1/` (django-ninja): OpenAPI description at `/api/v1/openapi.json`, docs at `/api/v1/docs`;
and the organisation admin's page for API tokens, `/o/<slug>/api-tokens/` (namespace `api`)."""

from django.urls import include, path

from socle.api import views
from socle.api.v1 import api

pages = [
    path("o/<slug:slug>/api-tokens/", views.tokens, name="tokens"),
    path("o/<slug:slug>/api-tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
]

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include((pages, "api"))),
]
