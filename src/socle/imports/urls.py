from django.urls import path

from socle.imports import views

app_name = "imports"

urlpatterns = [
    path("o/<slug:slug>/campaigns/<uuid:public_id>/import/", views.upload, name="upload"),
    path("o/<slug:slug>/imports/<uuid:public_id>/", views.result, name="result"),
    path("o/<slug:slug>/imports/<uuid:public_id>/mapping/", views.mapping, name="mapping"),
    path("o/<slug:slug>/imports/<uuid:public_id>/progress/", views.progress, name="progress"),
    path("o/<slug:slug>/imports/<uuid:public_id>/errors.<str:fmt>", views.errors, name="errors"),
    path("o/<slug:slug>/imports/<uuid:public_id>/codes.<str:fmt>", views.codes, name="codes"),
]
