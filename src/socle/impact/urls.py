from django.urls import path

from socle.impact import views

app_name = "impact"

urlpatterns = [
    path("o/<slug:slug>/impact/", views.composer, name="composer"),
    path("o/<slug:slug>/impact/preview/", views.preview, name="preview"),
    path("o/<slug:slug>/impact/publish/", views.publish, name="publish"),
    path("o/<slug:slug>/impact/unpublish/", views.unpublish, name="unpublish"),
    path("o/<slug:slug>/impact/photos/", views.photo_add, name="photo_add"),
    path("o/<slug:slug>/impact/photos/<uuid:public_id>/", views.draft_photo, name="draft_photo"),
    path("o/<slug:slug>/impact/photos/<uuid:public_id>/remove/", views.photo_remove, name="photo_remove"),
    path("o/<slug:slug>/impact/v<int:number>/", views.version, name="version"),
    path("impact/<slug:slug>/", views.public_page, name="public_page"),
    path("impact/<slug:slug>/widget/", views.public_widget, name="public_widget"),
    path("impact/<slug:slug>/badge.svg", views.public_badge, name="public_badge"),
    path("impact/<slug:slug>/page.pdf", views.public_pdf, name="public_pdf"),
    path("impact/<slug:slug>/photos/<uuid:public_id>.jpg", views.public_photo, name="public_photo"),
    path("sector/<slug:network_slug>/members/", views.directory, name="directory"),
]
