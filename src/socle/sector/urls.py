from django.urls import path

from socle.sector import report_views, views

app_name = "sector"

urlpatterns = [
    path("n/<slug:slug>/sector/", views.sector_home, name="home"),
    path("n/<slug:slug>/sector/campaigns/<uuid:public_id>/consolidate", views.consolidate, name="consolidate"),
    path("n/<slug:slug>/sector/consolidations/<uuid:public_id>/", views.consolidation, name="consolidation"),
    path("n/<slug:slug>/sector/costs/", views.costs, name="costs"),
    path("n/<slug:slug>/sector/costs/<uuid:public_id>/", views.unit_cost, name="unit_cost"),
    path("o/<slug:slug>/sector/", views.member_home, name="member_home"),
    path("o/<slug:slug>/sector/<uuid:public_id>/", views.member_consolidation, name="member_consolidation"),
    path("sector/<slug:network_slug>/", views.public_sector, name="public_sector"),
    path("sector/<slug:network_slug>/<slug:code>/", views.public_campaign, name="public_campaign"),
    path("sector/<slug:network_slug>/<slug:code>/v<int:version>/", views.public_campaign, name="public_version"),
    # The advocacy report (socle.sector.report): public page and PDF; the PDF made in the background for staff.
    path("sector/<slug:network_slug>/<slug:code>/report/", report_views.public_report, name="public_report"),
    path("sector/<slug:network_slug>/<slug:code>/report.pdf", report_views.public_report_pdf, name="public_report_pdf"),
    path(
        "n/<slug:slug>/sector/publications/<uuid:public_id>/report",
        report_views.report_start,
        name="report_start",
    ),
    path("n/<slug:slug>/sector/reports/<uuid:public_id>/", report_views.report_job, name="report_job"),
    path(
        "n/<slug:slug>/sector/reports/<uuid:public_id>/report.pdf",
        report_views.report_job_pdf,
        name="report_job_pdf",
    ),
    path("sector/<slug:network_slug>/<slug:code>/opendata.zip", views.public_opendata, name="public_opendata"),
    path(
        "sector/<slug:network_slug>/<slug:code>/v<int:version>/opendata.zip",
        views.public_opendata,
        name="public_version_opendata",
    ),
]
