from django.urls import path

from socle.activity import views

app_name = "activity"

urlpatterns = [
    path("o/<slug:slug>/activity/", views.overview, name="overview"),
    path("o/<slug:slug>/activity/<slug:framework>/import/", views.import_file, name="import"),
    path("o/<slug:slug>/activity/<slug:framework>/template.csv", views.template, name="template"),
    path(
        "o/<slug:slug>/activity/<slug:framework>/<uuid:establishment>/<str:period>/",
        views.entry,
        name="entry",
    ),
    path(
        "o/<slug:slug>/activity/<slug:framework>/<uuid:establishment>/<str:period>/history/",
        views.history,
        name="history",
    ),
]
