from django.urls import path

from socle.measurement import views

app_name = "measurement"

urlpatterns = [
    path("o/<slug:slug>/results/", views.dashboard, name="dashboard"),
    path("o/<slug:slug>/results/indicators/<str:code>/", views.indicator, name="indicator"),
    path("o/<slug:slug>/results/export.<str:fmt>", views.export, name="export"),
    path("o/<slug:slug>/results/report/", views.results_report, name="report"),
    path("o/<slug:slug>/results/report.pdf", views.results_report, {"fmt": "pdf"}, name="report_pdf"),
]
