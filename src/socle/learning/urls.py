from django.urls import path

from socle.learning import views, views_network

app_name = "learning"

urlpatterns = [
    path("learn/", views.catalogue, name="catalogue"),
    path("learn/<slug:network_slug>/<slug:code>/", views.public_path, name="public_path"),
    path("learn/<slug:network_slug>/<slug:code>/lessons/<slug:lesson>/", views.public_lesson, name="public_lesson"),
    path("o/<slug:slug>/learn/", views.learner_home, name="learner_home"),
    path("o/<slug:slug>/learn/learners/", views.learners, name="learners"),
    path("o/<slug:slug>/learn/<slug:code>/", views.path_page, name="path"),
    path("o/<slug:slug>/learn/<slug:code>/share/", views.share, name="share"),
    path("o/<slug:slug>/learn/<slug:code>/certificate.pdf", views.certificate, name="certificate"),
    path("o/<slug:slug>/learn/<slug:code>/lessons/<slug:lesson>/", views.lesson_page, name="lesson"),
    path("o/<slug:slug>/learn/<slug:code>/exercise/<slug:exercise>/", views.exercise, name="exercise"),
    path("o/<slug:slug>/learn/<slug:code>/<slug:module>/", views.module_page, name="module"),
    path("o/<slug:slug>/learn/<slug:code>/<slug:module>/quiz/", views.quiz, name="quiz"),
    path("n/<slug:slug>/learn/", views_network.network_paths, name="network_paths"),
    path("n/<slug:slug>/learn/<slug:code>/", views_network.network_path, name="network_path"),
    path("n/<slug:slug>/learn/<slug:code>/diff/", views_network.network_diff, name="network_diff"),
    path("n/<slug:slug>/learn/<slug:code>/modules/", views_network.network_module_add, name="network_module_add"),
    path("n/<slug:slug>/learn/<slug:code>/modules/<slug:module>/", views_network.network_module, name="network_module"),
    path(
        "n/<slug:slug>/learn/<slug:code>/v<int:number>/publish/",
        views_network.network_publish,
        name="network_publish",
    ),
    path("n/<slug:slug>/learn/<slug:code>/v<int:number>/export/", views_network.network_export, name="network_export"),
    path("n/<slug:slug>/learn/<slug:code>/v<int:number>/", views_network.network_preview, name="network_preview"),
]
