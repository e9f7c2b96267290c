from django.urls import path

from socle.improvement import views

app_name = "improvement"

urlpatterns = [
    path("o/<slug:slug>/improvement/", views.overview, name="overview"),
    path("o/<slug:slug>/improvement/compare/", views.compare, name="compare"),
    path("o/<slug:slug>/improvement/targets/new/", views.target_new, name="target_new"),
    path("o/<slug:slug>/improvement/targets/<uuid:public_id>/", views.target_edit, name="target_edit"),
    path("o/<slug:slug>/improvement/targets/<uuid:public_id>/remove/", views.target_remove, name="target_remove"),
    path("o/<slug:slug>/improvement/actions/new/", views.action_new, name="action_new"),
    path("o/<slug:slug>/improvement/actions/<uuid:public_id>/", views.action_edit, name="action_edit"),
    path("o/<slug:slug>/improvement/actions/<uuid:public_id>/remove/", views.action_remove, name="action_remove"),
]
