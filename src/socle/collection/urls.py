from django.urls import path

from socle.collection import views_campaigns, views_offline, views_respondent, views_sector, views_submissions

app_name = "collection"

urlpatterns = [
    path("r/<str:code>/", views_respondent.respond, name="respond"),
    path("o/<slug:slug>/campaigns/", views_campaigns.campaigns, name="campaigns"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/", views_campaigns.campaign_detail, name="campaign"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/qr/<str:code>.svg", views_campaigns.link_qr, name="link_qr"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/export.<str:fmt>", views_campaigns.export, name="export"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/paper/<str:code>.pdf", views_campaigns.paper, name="paper"),
    path("o/<slug:slug>/campaigns/<uuid:public_id>/submissions/", views_submissions.submissions, name="submissions"),
    path(
        "o/<slug:slug>/campaigns/<uuid:public_id>/submissions/<uuid:submission_uuid>/",
        views_submissions.submission_detail,
        name="submission",
    ),
    path(
        "o/<slug:slug>/campaigns/<uuid:public_id>/submissions/<uuid:submission_uuid>/correct/",
        views_submissions.correct,
        name="correct",
    ),
    path("n/<slug:slug>/campaigns/", views_sector.sector_campaigns, name="sector_campaigns"),
    path("n/<slug:slug>/campaigns/<uuid:public_id>/", views_sector.sector_campaign_detail, name="sector_campaign"),
    path("r/sw.js", views_offline.service_worker, name="respond_sw"),
    path("r/<str:code>/questionnaire.json", views_offline.questionnaire_json, name="respond_questionnaire"),
    path("r/<str:code>/submissions", views_offline.submit, name="respond_submit"),
]
