from django.urls import path

from socle.network import views, views_frame

app_name = "network"
urlpatterns = [
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("n/<slug:slug>/", views.network_home, name="network_home"),
    path("n/<slug:slug>/frame/", views.frame, name="frame"),
    path("n/<slug:slug>/frame/import/", views_frame.frame_import, name="frame_import"),
    path("n/<slug:slug>/members/", views.members, name="members"),
    path("n/<slug:slug>/members/invite/", views.invite_organisation, name="invite_organisation"),
    path("n/<slug:slug>/members/invite-from-frame/", views.invite_from_frame, name="invite_from_frame"),
    path("n/<slug:slug>/members/<slug:org>/", views.member_detail, name="member_detail"),
    path("n/<slug:slug>/team/", views.network_team, name="network_team"),
    path("o/<slug:slug>/", views.organisation_home, name="organisation_home"),
    path(
        "o/<slug:slug>/establishments/<uuid:public_id>/",
        views.establishment_detail,
        name="establishment_detail",
    ),
    path("o/<slug:slug>/team/", views.organisation_team, name="organisation_team"),
    path("o/<slug:slug>/facilitators/", views.facilitators, name="facilitators"),
]
