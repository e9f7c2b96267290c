from django.urls import path

from socle.collection import views_campaigns, views_respondent

app_name = "collection"

urlpatterns = [
    path("r/<str:code>/", views_respondent.respond, name="respond"),
    path("o/<slug:slug>/campaigns/", views_campaigns.campaigns, name="campaigns"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/", views_campaigns.campaign_detail, name="campaign"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/qr/<str:code>.svg", views_campaigns.link_qr, name="link_qr"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/export.<str:fmt>", views_campaigns.export, name="export"),
]
