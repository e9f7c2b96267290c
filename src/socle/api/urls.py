"""The JSON API, `/api/v1/` (django-ninja): OpenAPI description at `/api/v1/openapi.json`, docs at `/api/v1/docs`."""

from django.urls import path

from socle.api.v1 import api

urlpatterns = [path("api/v1/", api.urls)]
