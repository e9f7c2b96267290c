from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("socle.web.urls")),
    path("accounts/", include("socle.accounts.urls")),
    path("", include("socle.network.urls")),
    path("", include("socle.frameworks.urls")),
    path("", include("socle.collection.urls")),
    path("", include("socle.imports.urls")),
    path("", include("socle.activity.urls")),
    path("", include("socle.qualitative.urls")),
    path("", include("socle.measurement.urls")),
    path("", include("socle.improvement.urls")),
    path("", include("socle.impact.urls")),  # before the sector's: /sector/<network>/members/ is impact's
    path("", include("socle.sector.urls")),
    path("", include("socle.learning.urls")),
    path("", include("socle.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
