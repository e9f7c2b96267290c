from django.urls import path

from socle.sector import views

app_name = "sector"

urlpatterns = [
    path("n/<slug:slug>/sector/", views.sector_home, name="home"),
    path("n/<slug:slug>/sector/campaigns/<uuid:public_id>/consolidate", views.consolidate, name="consolidate"),
    path("n/<slug:slug>/sector/consolidations/<uuid:public_id>/", views.consolidation, name="consolidation"),
    path("o/<slug:slug>/sector/", views.member_home, name="member_home"),
    path("o/<slug:slug>/sector/<uuid:public_id>/", views.member_consolidation, name="member_consolidation"),
    path("sector/<slug:network_slug>/", views.public_sector, name="public_sector"),
    path("sector/<slug:network_slug>/<slug:code>/", views.public_campaign, name="public_campaign"),
    path("sector/<slug:network_slug>/<slug:code>/v<int:version>/", views.public_campaign, name="public_version"),
]
